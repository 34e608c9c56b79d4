"""Which commit introduced a blob, at which path: one pass over the history's tree changes.

`git rev-list --date-order | git diff-tree --stdin -r -c --root` lists, for every commit, the
blobs it introduces (for a merge, only what differs from every parent: an evil merge counts, a
merged branch's blobs do not), without patches. Only the blobs asked about are kept; their
introducing commits are then read once (author, date, subject) with `cat-file --batch`.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from leakwarden.model import CommitProvenance
from leakwarden.sources.git_revisions import Revisions
from leakwarden.sources.gitcmd import CatFile, Git, Proc

MAX_LISTED = 100  # other commits listed per (blob, path); all are counted
STREAM_PIECE = 1 << 20


@dataclass
class Place:
    """Where one blob was introduced at one path: the earliest commit and the others."""

    path: str
    first: str = ""
    position: int = -1  # rank of `first` in the walk (newest first), so higher is earlier
    others: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, commit: str, position: int) -> None:
        if self.first and len(self.others) < MAX_LISTED:
            self.others.append(self.first)
        self.first, self.position = commit, position
        self.count += 1


def introductions(
    git: Git, revisions: Revisions, targets: Iterable[str]
) -> tuple[dict[str, list[Place]], str | None]:
    """For each target blob, the places it was introduced, earliest first (blobs no walked
    commit introduces are left out); and git's reason if the walk stopped early."""
    wanted = {oid.encode("ascii") for oid in targets}
    places: dict[bytes, dict[str, Place]] = {}
    walk = _walk(git, revisions)
    diff = git.popen(
        "diff-tree", "--stdin", "-r", "-c", "--root", "--no-renames", "--no-abbrev", "-z", stdin=walk.stdout
    )
    walk.stdout.close()
    try:
        for position, commit, new_oid, path in _entries(diff.stdout):
            if new_oid in wanted:
                per_path = places.setdefault(new_oid, {})
                place = per_path.get(path)
                if place is None:
                    place = per_path[path] = Place(path)
                place.add(commit, position)
    except BaseException:
        diff.kill()
        walk.kill()
        raise
    problem = diff.finish() or walk.finish()
    ordered = {
        oid.decode(): sorted(per_path.values(), key=lambda p: -p.position) for oid, per_path in places.items()
    }
    return dict(sorted(ordered.items(), key=lambda item: -item[1][0].position)), problem


def _walk(git: Git, revisions: Revisions) -> Proc:
    """The scanned commits (for --all-objects: every commit object in the database, reachable or
    not), newest first in a topological order: no parent before its children, and commits on
    unrelated lines of history by commit date (so of two branches, the older one is first)."""
    if not revisions.all_objects:
        walk = git.popen(*revisions.rev_list("--date-order"), stdin=subprocess.PIPE)
        _feed(walk, [revisions.stdin()])
        return walk
    walk = git.popen("rev-list", "--date-order", "--stdin", stdin=subprocess.PIPE)
    every = git.popen(
        "cat-file", "--batch-all-objects", "--unordered", "--batch-check=%(objecttype) %(objectname)"
    )
    try:
        _feed(walk, (line[7:] for line in every.stdout if line.startswith(b"commit ")))
    finally:
        every.kill()
    return walk


def _feed(proc: Proc, chunks: Iterable[bytes]) -> None:
    """rev-list reads all of its standard input before it writes anything: no deadlock."""
    stdin = proc.proc.stdin
    assert stdin is not None
    try:
        for chunk in chunks:
            stdin.write(chunk)
        stdin.close()
    except BrokenPipeError:
        pass


def _entries(stream: IO[bytes]) -> Iterator[tuple[int, str, bytes, str]]:
    """(commit position, commit id, new blob id, path) for every blob a commit introduces.

    diff-tree -z prints a commit id, then per change `:modes oids status` and the path (merges:
    one colon per parent, the result's id last)."""
    position, commit = -1, ""
    pending_path = False
    new_oid = b""
    for token in _tokens(stream):
        if pending_path:
            pending_path = False
            yield position, commit, new_oid, token.decode("utf-8", "surrogateescape")
        elif token.startswith(b":"):
            parents = len(token) - len(token.lstrip(b":"))
            fields = token[parents:].split(b" ")
            new_oid = fields[2 * parents + 1] if len(fields) > 2 * parents + 1 else b""
            pending_path = True
        elif token:
            position += 1
            commit = token.decode("ascii", "replace")


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """NUL-separated tokens of a stream, read in large pieces."""
    rest = b""
    while True:
        piece = stream.read(STREAM_PIECE)
        if not piece:
            break
        parts = (rest + piece).split(b"\x00")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


@dataclass(frozen=True)
class CommitInfo:
    author_name: str
    author_email: str
    date: str  # ISO 8601 with the author's offset, like git's %aI
    subject: str


def commit_infos(git: Git, commits: Sequence[str]) -> dict[str, CommitInfo]:
    """Author, date and subject of each commit, read in one `cat-file --batch`."""
    reader = CatFile(git)
    infos: dict[str, CommitInfo] = {}
    try:
        for oid, data in reader.read(commits, kind="commit"):
            if isinstance(data, bytes):
                infos[oid] = parse_commit(data)
    finally:
        reader.close()
    return infos


def parse_commit(data: bytes) -> CommitInfo:
    header, _, message = data.partition(b"\n\n")
    author = b""
    encoding = "utf-8"
    for line in header.split(b"\n"):
        if line.startswith(b"author "):
            author = line[7:]
        elif line.startswith(b"encoding "):
            encoding = line[9:].decode("ascii", "replace").strip() or "utf-8"
    name, email, date = _person(author)

    def text(raw: bytes) -> str:
        try:
            return raw.decode(encoding, "replace")
        except LookupError:
            return raw.decode("utf-8", "replace")

    # Like git's %s: the first paragraph of the message, its lines joined by spaces.
    first_paragraph = text(message.lstrip(b"\n").split(b"\n\n", 1)[0])
    subject = " ".join(line.strip() for line in first_paragraph.splitlines() if line.strip())
    return CommitInfo(text(name), text(email), date, subject)


def _person(raw: bytes) -> tuple[bytes, bytes, str]:
    """`Name <email> 1700000000 +0100` as name, email and an ISO 8601 date."""
    name, _, rest = raw.partition(b" <")
    email, _, when = rest.partition(b">")
    stamp, _, offset = when.strip().partition(b" ")
    try:
        sign = -1 if offset.startswith(b"-") else 1
        digits = offset.lstrip(b"+-")
        zone = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))
        date = dt.datetime.fromtimestamp(int(stamp), zone).isoformat()
    except (ValueError, OverflowError, OSError):
        date = ""
    return name.strip(), email, date


def provenances(places: list[Place], infos: dict[str, CommitInfo]) -> list[CommitProvenance]:
    found = []
    for place in places:
        info = infos.get(place.first, CommitInfo("", "", "", ""))
        found.append(
            CommitProvenance(
                place.path,
                place.first,
                info.author_name,
                info.author_email,
                info.date,
                info.subject,
                other_commits=tuple(place.others),
                other_commit_count=place.count - 1,
            )
        )
    return found
