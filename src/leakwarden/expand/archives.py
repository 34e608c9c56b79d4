"""Walk an archive's members, at every nesting level, within one budget.

`walk(data, name, limits, seen)` yields a `Member` for every regular file, recursing into
members that are archives themselves (which are then not yielded, only their contents), and
a `Stopped` for everything not scanned and why. Nothing is extracted to disk and nothing is
written anywhere: members are read in bounded chunks from bytes in memory.

Dedup and quines: `seen` holds the content ids of members already yielded in this scan. A
member whose content was yielded before is passed over; a member that holds a copy of an
archive it is inside of (a zip quine, which would otherwise open forever) is reported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from leakwarden.expand.archive_budget import ArchiveStopped, Budget, WalkStopped
from leakwarden.expand.archive_kinds import HEAD_BYTES, UNOPENED, archive_kind
from leakwarden.expand.archive_tar import ar_entries, stream_entries, tar_entries
from leakwarden.expand.archive_types import ArchiveLimits, Member, Stopped
from leakwarden.expand.archive_zip import zip_entries

__all__ = ["HEAD_BYTES", "ArchiveLimits", "Member", "Stopped", "archive_kind", "content_id", "walk"]

Item = Member | Stopped


def content_id(data: bytes) -> bytes:
    """git's blob id of the content, as 20 raw bytes: `bytes.fromhex(model.git_blob_id(data))`,
    so a member equal to a blob of the repository's history is recognised as seen."""
    digest = hashlib.sha1(b"blob %d\x00" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.digest()


def walk(data: bytes, name: str, limits: ArchiveLimits, seen: set[bytes] | None = None) -> Iterator[Item]:
    """Every member of the archive `data` (called `name`), depth first, in archive order.

    Data that is no archive of a known kind gives one Stopped and nothing else: ask
    `archive_kind` first. The top-level content id is added to `seen` as well, so a copy of
    this archive found inside another later is not opened again."""
    kind = archive_kind(name, data)
    if kind is None:
        yield Stopped((name,), "not an archive of a known format")
        return
    own = content_id(data)
    walker = _Walker(Budget(limits, len(data)), set() if seen is None else seen)
    walker.seen.add(own)
    try:
        yield from walker.archive(kind, data, (name,), 1, frozenset((own,)))
    except WalkStopped as stop:
        yield Stopped(stop.path or (name,), f"{stop.reason}; the rest of {name} was not read")


class _Walker:
    def __init__(self, budget: Budget, seen: set[bytes]) -> None:
        self.budget = budget
        self.seen = seen

    def archive(
        self, kind: str, data: bytes, path: tuple[str, ...], depth: int, ancestors: frozenset[bytes]
    ) -> Iterator[Item]:
        budget = self.budget
        try:
            if kind == "zip":
                entries = zip_entries(data, path, budget)
            elif kind == "ar":
                entries = ar_entries(data, path, budget)
            elif kind == "tar" or kind.startswith("tar."):
                entries = tar_entries(data, kind[4:] or None, path, budget)
            elif kind in UNOPENED:
                yield Stopped(path, UNOPENED[kind])
                return
            else:
                entries = stream_entries(data, kind, path[-1], path, budget)
            for entry in entries:
                if isinstance(entry, Stopped):
                    yield entry
                    continue
                name, content = entry
                yield from self.member((*path, name), content, depth, ancestors)
        except ArchiveStopped as stop:
            yield Stopped(path, stop.reason)
        except WalkStopped as stop:
            if stop.path is None:
                stop.path = path
            raise

    def member(
        self, path: tuple[str, ...], content: bytes, depth: int, ancestors: frozenset[bytes]
    ) -> Iterator[Item]:
        own = content_id(content)
        if own in ancestors:
            yield Stopped(path, "holds a copy of an archive it is inside of (a quine); not opened again")
            return
        if own in self.seen:
            return
        self.seen.add(own)
        kind = archive_kind(path[-1], content)
        if kind is None:
            yield Member(path, content)
            return
        limit = self.budget.limits.max_depth
        if depth >= limit:
            yield Member(path, content)
            yield Stopped(
                path, f"archive nested deeper than max_depth ({limit}); scanned as bytes, not opened"
            )
            return
        if kind in UNOPENED:
            yield Member(path, content)
        yield from self.archive(kind, content, path, depth + 1, ancestors | {own})
