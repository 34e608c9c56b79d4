"""What `git commit` would record now: the index's version of every added, copied, modified,
renamed or retyped file (so `git add -p` partial staging is respected), read from the object
database, never from the working tree. Built for the pre-commit hook: a handful of git
processes, whatever the size of the repository.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from leakwarden.errors import InputError
from leakwarden.globs import gitignore_spec
from leakwarden.model import Blob, CommitProvenance, Provenance, Skipped, StagedProvenance
from leakwarden.sources.gitcmd import CatFile, Git, GitFailed, Unread

DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024
GITLINK = "160000"
_Pick = Callable[["StagedFile"], tuple[str, Provenance]]
SYMLINK = "120000"


@dataclass(frozen=True)
class StagedFile:
    path: str
    oid: str
    head_path: str | None  # the file's path at HEAD (its old name if renamed); None if added
    head_oid: str | None


@dataclass
class GitBlobs:
    """Given blobs of a repository, read with one `cat-file`: sizes first (an oversized blob is
    never read), then contents."""

    git: Git
    items: Sequence[tuple[str, tuple[Provenance, ...]]]  # (blob id, where it is), ids distinct
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    include_binary: bool = False
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    distinct_ids: ClassVar[bool] = True

    def blobs(self) -> Iterator[Blob]:
        if not self.items:
            return
        sizes = _sizes(self.git, [oid for oid, _ in self.items])
        wanted = []
        for oid, provenance in self.items:
            size = sizes.get(oid)
            if size is not None and size > self.max_file_size:
                self._skip(provenance, "too large", f"{size} bytes, blob {oid}")
            else:
                wanted.append((oid, provenance))
        reader = CatFile(self.git)
        try:
            results = reader.read([oid for oid, _ in wanted], self.max_file_size, self.include_binary)
            for (oid, result), (_, provenance) in zip(results, wanted, strict=True):
                if isinstance(result, Unread):
                    detail = f"{result.detail}, blob {oid}" if result.detail else f"blob {oid}"
                    self._skip(provenance, result.reason, detail)
                else:
                    yield Blob(result, provenance, oid)
        finally:
            reader.close()

    def _skip(self, provenance: tuple[Provenance, ...], reason: str, detail: str) -> None:
        self.skipped.extend(Skipped(p.path, reason, detail) for p in provenance)


def _sizes(git: Git, oids: Sequence[str]) -> dict[str, int]:
    query = b"".join(oid.encode() + b"\n" for oid in oids)
    sizes = {}
    for line in git.run("cat-file", "--batch-check=%(objectname) %(objectsize)", input=query).splitlines():
        name, _, size = line.decode("ascii", "replace").partition(" ")
        if size.isdigit():
            sizes[name] = int(size)
    return sizes


@dataclass
class StagedSource:
    """The staged version of every file the next commit would add or change."""

    repo: str = "."
    exclude: Sequence[str] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    include_binary: bool = False
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    distinct_ids: ClassVar[bool] = True

    def __post_init__(self) -> None:
        self.git = Git.open(self.repo)
        if self.git.bare:
            raise InputError(f"{self.repo}: a bare repository has no index, so nothing is staged")
        head = self.git.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip()
        self.head: str | None = head.decode() if head else None
        exclude = gitignore_spec(self.exclude) if self.exclude else None
        self.files = [f for f in self._staged() if exclude is None or not exclude.match_file(f.path)]
        self._head_paths = {f.path: f.head_path for f in self.files}
        if self.head is None:
            self.notes.append("no commit yet: every staged file is new")

    def _staged(self) -> Iterator[StagedFile]:
        base = self.head or self.git.empty_tree()
        try:
            out = self.git.run(
                "diff-index", "--cached", "-r", "-z", "--no-abbrev", "-M", "--diff-filter=ACMRT", base, "--"
            )
        except GitFailed as exc:
            raise InputError(f"{self.repo}: cannot read the index ({exc.reason})") from None
        tokens = iter(out.split(b"\x00"))
        for meta in tokens:
            if not meta.startswith(b":"):
                continue
            _, new_mode, old_oid, new_oid, status = meta[1:].decode("ascii").split(" ")[:5]
            first = next(tokens).decode("utf-8", "surrogateescape")
            path = next(tokens).decode("utf-8", "surrogateescape") if status[:1] in "RC" else first
            if new_mode == GITLINK:
                continue
            if new_mode == SYMLINK:
                self.skipped.append(Skipped(path, "symlink"))
                continue
            had = status[:1] in "MTRC"
            yield StagedFile(path, new_oid, first if had else None, old_oid if had else None)

    def blobs(self) -> Iterator[Blob]:
        reader = self._reader(self.files, lambda f: (f.oid, StagedProvenance(f.path)))
        reader.skipped, reader.notes = self.skipped, self.notes
        return reader.blobs()

    def head_path(self, path: str) -> str | None:
        """The HEAD name of a staged file, or None if it is new."""
        return self._head_paths.get(path)

    def head_versions(self, paths: Iterable[str]) -> GitBlobs:
        """The HEAD version of these staged files (under their HEAD names), to tell the
        secrets a change brings from those the file already had."""
        wanted = set(paths)
        older = [f for f in self.files if f.path in wanted and f.head_oid is not None and f.head_path]
        return self._reader(
            older, lambda f: (f.head_oid or "", CommitProvenance(f.head_path or f.path, self.head or ""))
        )

    def _reader(self, files: Iterable[StagedFile], pick: _Pick) -> GitBlobs:
        grouped: dict[str, list[Provenance]] = {}
        for staged in files:
            oid, provenance = pick(staged)
            grouped.setdefault(oid, []).append(provenance)
        items = [(oid, tuple(found)) for oid, found in grouped.items()]
        return GitBlobs(self.git, items, self.max_file_size, self.include_binary)
