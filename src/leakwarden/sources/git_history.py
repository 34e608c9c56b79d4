"""Every blob of a repository's history, each once, attributed to the commit that introduced it.

Enumeration: `git rev-list --objects` (or, for --all-objects, `cat-file --batch-all-objects`)
piped straight into `git cat-file --batch-check`, which tells each object's type and size
without reading it: trees and commits are passed over, oversized blobs are skipped unread.
The blobs left are handed out in shards; each worker reads its shards through its own
`git cat-file --batch` (so git's decompression runs on every core too) and scans them. Nothing
here grows with the history but git's own walk: the listing streams, and rev-list names each
object once.

Attribution (`attribute`) runs after the scan, only for the blobs that had findings.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from multiprocessing import util as mp_util
from typing import ClassVar

from leakwarden.globs import gitignore_spec
from leakwarden.model import Blob, GitObjectProvenance, Provenance, Skipped
from leakwarden.sources.git_attribution import commit_infos, introductions, provenances
from leakwarden.sources.git_revisions import Revisions, resolve
from leakwarden.sources.gitcmd import CatFile, Git, Proc, Unread, git_reason

DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024
SHARD_BLOBS = 256
SHARD_BYTES = 8 * 1024 * 1024
CHECK_FORMAT = "--batch-check=%(objectname) %(objecttype) %(objectsize) %(rest)"

Shard = list[tuple[str, str, int]]  # (blob id, path, size)


@dataclass
class GitHistorySource:
    """Blobs of a repository's history: by default every blob reachable from any ref (branches,
    tags, remote-tracking branches, notes, every stash entry); or what a range or some branches
    introduce, optionally since a date; or every object in the database (`all_objects`)."""

    repo: str = "."
    all_objects: bool = False
    rev_range: str | None = None
    since: str | None = None
    branches: Sequence[str] = ()
    exclude: Sequence[str] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    include_binary: bool = False
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    distinct_ids: ClassVar[bool] = True  # each blob is listed once: the scanner need not remember ids

    def __post_init__(self) -> None:
        self.git = Git.open(self.repo)
        self.revisions: Revisions = resolve(
            self.git,
            all_objects=self.all_objects,
            rev_range=self.rev_range,
            since=self.since,
            branches=self.branches,
        )
        self._exclude = gitignore_spec(self.exclude) if self.exclude else None
        self._reader: CatFile | None = None
        self._reader_pid = self._owner_pid = os.getpid()
        self._walk: Proc | None = None
        if self.git.shallow:
            self.notes.append(
                "shallow clone: only the history that was fetched was scanned; the oldest commits "
                "present are shown as introducing every file they contain"
            )

    # --- the listing ---------------------------------------------------------------------------

    def _listing(self) -> Proc:
        if self.revisions.all_objects:
            return self.git.popen("cat-file", "--batch-all-objects", "--unordered", CHECK_FORMAT)
        walk = self.git.popen(
            *self.revisions.rev_list("--objects", "--missing=print"),
            stdin=subprocess.PIPE if self.revisions.ids else subprocess.DEVNULL,
        )
        check = self.git.popen("cat-file", CHECK_FORMAT, "--buffer", stdin=walk.stdout)
        walk.stdout.close()
        if walk.proc.stdin is not None:
            try:  # rev-list reads all of its input before it writes: this cannot block for long
                walk.proc.stdin.write(self.revisions.stdin())
                walk.proc.stdin.close()
            except BrokenPipeError:
                pass
        self._walk = walk
        return check

    def candidates(self) -> Iterator[tuple[str, str, int]]:
        """(blob id, path, size) of each blob to read; what is passed over is recorded. When
        rev-list cannot walk the whole history (a corrupt tree or commit), the blobs of the
        object database it did not reach are listed too (`_fallback`): over-scanning a broken
        repository is better than passing it as clean."""
        self._walk = None
        if self.revisions.empty:
            return
        check = self._listing()
        seen = _SeenIds() if self._walk is not None else None
        try:
            for oid, path, size in self._parse(check):
                if seen is not None:
                    seen.add(oid)
                if self._wanted(oid, path, size):
                    yield oid, path, size
            self._finish(check, "cat-file --batch-check")
            walked = self._walk.finish() if self._walk is not None else None
            if walked is not None and seen is not None:
                yield from self._fallback(walked, seen)
            self._name_lost_objects()
        except BaseException:
            check.kill()
            if self._walk is not None:
                self._walk.kill()
            raise
        finally:
            if seen is not None:
                seen.close()

    def _wanted(self, oid: str, path: str, size: int) -> bool:
        if size > self.max_file_size:
            self._skip(path, oid, "too large", f"{size} bytes")
            return False
        return True

    def _parse(self, check: Proc) -> Iterator[tuple[str, str, int]]:
        """The blobs of a `--batch-check` listing; missing and corrupt objects are recorded
        once it ends."""
        missing: list[str] = []
        for line in check.stdout:
            name, _, rest = line.rstrip(b"\n").partition(b" ")
            if rest == b"missing":
                missing.append(name.decode("ascii", "replace"))
                continue
            kind, _, rest = rest.partition(b" ")
            if kind != b"blob":
                continue
            size_text, _, raw_path = rest.partition(b" ")
            yield name.decode("ascii"), raw_path.decode("utf-8", "surrogateescape"), int(size_text)
        self._record_missing(missing, check.stderr_text())

    def _fallback(self, problem: str, seen: _SeenIds) -> Iterator[tuple[str, str, int]]:
        """rev-list stopped at an object it could not read: record that object, then list every
        blob of the object database that the walk had not reached."""
        found = _OID.findall(problem)
        bad = next((oid for oid in found if len(oid) == self.git.hex_length), None)
        if bad is not None:
            self._lost(f"<object {bad}>", "corrupt object", f"git rev-list: {problem}")
        else:
            self._lost("<history>", "unreadable history", f"git rev-list: {problem}")
        known = seen.ids()
        check = self.git.popen("cat-file", "--batch-all-objects", "--unordered", CHECK_FORMAT)
        more = 0
        try:
            for oid, path, size in self._parse(check):
                if oid not in known and self._wanted(oid, path, size):
                    more += 1
                    yield oid, path, size
        except BaseException:
            check.kill()
            raise
        self._finish(check, "cat-file --batch-all-objects")
        beyond = "outside the range and " if self.revisions.ids or self.rev_range or self.branches else ""
        self.notes.append(
            f"git could not walk the whole history ({problem}): the {more} blob{'s' * (more != 1)} of the "
            f"object database the walk had not reached {'were' if more != 1 else 'was'} scanned too "
            f"(they may include blobs {beyond}of no commit)"
        )

    def _name_lost_objects(self) -> None:
        """A missing or corrupt blob is listed by cat-file under its id alone; find the path
        (and the commit) that introduced it, so the skipped item says where it was. Trees and
        commits, and blobs no commit introduces, keep their `<object …>` label."""
        unnamed = {
            item.path[len("<object ") : -1]: index
            for index, item in enumerate(self.skipped)
            if item.path.startswith("<object ") and item.reason in ("missing object", "corrupt object")
        }
        if not unnamed:
            return
        places, _problem = introductions(self.git, self.revisions, unnamed)  # a partial walk names fewer
        for oid, found in places.items():
            item = self.skipped[unnamed[oid]]
            where = f"blob {oid}, introduced by commit {found[0].first}"
            if len(found) > 1:
                where += f" (also at {', '.join(p.path for p in found[1:])})"
            detail = f"{item.detail}, {where}" if item.detail else where
            self.skipped[unnamed[oid]] = replace(item, path=found[0].path, detail=detail)

    def _lost(self, label: str, reason: str, detail: str) -> None:
        if not any(s.path == label and s.reason == reason for s in self.skipped):
            self.skipped.append(Skipped(label, reason, detail))

    def _finish(self, proc: Proc, what: str) -> None:
        problem = proc.finish()
        if problem:  # what it listed was scanned; the rest of its listing is lost
            self._lost("<history>", "unreadable history", f"git {what} stopped early: {problem}")

    def _record_missing(self, names: list[str], errors: bytes) -> None:
        hex_length = self.git.hex_length
        absent = 0
        for name in names:
            oid = name.lstrip("?")
            if len(oid) != hex_length:  # the tail of a path with a newline in it: not an object
                continue
            reason = git_reason(errors, oid) if not name.startswith("?") else ""
            if oid in reason:
                self._lost(f"<object {oid}>", "corrupt object", reason)
            else:
                absent += 1
                detail = "not fetched (partial clone)" if self.git.partial else "not in the repository"
                self.skipped.append(Skipped(f"<object {oid}>", "missing object", detail))
        if absent and self.git.partial:
            self.notes.append(
                f"partial clone: {absent} object{'s were' if absent != 1 else ' was'} never fetched and "
                "not scanned (leakwarden does not fetch them)"
            )

    # --- reading -------------------------------------------------------------------------------

    def shards(self) -> Iterator[Shard]:
        shard: Shard = []
        size = 0
        for candidate in self.candidates():
            shard.append(candidate)
            size += candidate[2]
            if len(shard) >= SHARD_BLOBS or size >= SHARD_BYTES:
                yield shard
                shard, size = [], 0
        if shard:
            yield shard

    def read_shard(self, shard: Shard) -> Iterator[Blob]:
        reader = self._cat_file()
        oids = [oid for oid, _, _ in shard]
        results = reader.read(oids, self.max_file_size, self.include_binary)
        for (oid, result), (_, path, _) in zip(results, shard, strict=True):
            if isinstance(result, Unread):
                self._skip(path, oid, result.reason, result.detail)
            else:
                yield Blob(result, (GitObjectProvenance(_label(path, oid)),), oid)

    def _skip(self, path: str, oid: str, reason: str, detail: str) -> None:
        # The listing names a blob by one of its paths only, so --exclude cannot drop it here
        # (it may be elsewhere too: attribution applies the exclusion to every path); but what
        # is set aside under an excluded name is not worth reporting.
        if not (path and self._exclude is not None and self._exclude.match_file(path)):
            detail = f"{detail}, blob {oid}" if detail else f"blob {oid}"
            self.skipped.append(Skipped(_label(path, oid), reason, detail))

    def blobs(self) -> Iterator[Blob]:
        try:
            for shard in self.shards():
                yield from self.read_shard(shard)
        finally:
            self.close()

    def _cat_file(self) -> CatFile:
        """This process's reader: a worker forked by the scanner starts its own, closed when the
        worker exits."""
        if self._reader is None or self._reader_pid != os.getpid():
            self._reader = CatFile(self.git)
            self._reader_pid = os.getpid()
            if self._reader_pid != self._owner_pid:
                mp_util.Finalize(self._reader, self._reader.close, exitpriority=10)
        return self._reader

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    # --- attribution ---------------------------------------------------------------------------

    def attribute(self, blob_ids: Sequence[str]) -> dict[str, list[Provenance]]:
        """For each blob, every path it was introduced at, with the first commit (in topological
        order) that introduced it there, earliest first: one walk over the history's tree
        changes and one read of the commits named, however many blobs."""
        if self.revisions.empty:
            return {}
        places, problem = introductions(self.git, self.revisions, blob_ids)
        if problem:
            self.notes.append(f"attribution is incomplete: git stopped early ({problem})")
        if self._exclude is not None:  # every path the blob was introduced at, not only its listed name
            spec = self._exclude
            places = {oid: [p for p in found if not spec.match_file(p.path)] for oid, found in places.items()}
        infos = commit_infos(self.git, sorted({p.first for found in places.values() for p in found}))
        return {oid: list(provenances(found, infos)) for oid, found in places.items()}


def _label(path: str, oid: str) -> str:
    return path or f"<blob {oid[:12]}>"


_OID = re.compile(r"\b[0-9a-f]{40}(?:[0-9a-f]{24})?\b")


class _SeenIds:
    """The blob ids a listing yielded, kept in a temporary file rather than in memory: they are
    needed only when the walk fails and the object database is listed instead."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()

    def add(self, oid: str) -> None:
        self._file.write(oid.encode("ascii") + b"\n")

    def ids(self) -> set[str]:
        self._file.flush()
        self._file.seek(0)
        return {line.rstrip(b"\n").decode("ascii") for line in self._file}

    def close(self) -> None:
        self._file.close()
