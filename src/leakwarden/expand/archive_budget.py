"""The budget one walk spends, and the three ways reading stops.

A limit that ends the walk (total bytes, time, overall ratio), one that ends the archive being
read (its entries, its compressed stream's ratio) and one that ends a member (its size, its
ratio) are separate exceptions, so that each is caught exactly where reading can go on.
None derives from OSError or ValueError, which the format libraries raise and catch themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from leakwarden.expand.archive_types import ArchiveLimits

CHUNK = 256 * 1024  # read size: big enough to be cheap per byte, small enough to stop promptly


class WalkStopped(Exception):
    """A limit of the whole walk was reached; nothing more is read."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: tuple[str, ...] | None = None  # set by the innermost archive being read


class ArchiveStopped(Exception):
    """The archive being read cannot be read further; its parent goes on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MemberStopped(Exception):
    """One member is not scanned; the archive goes on with the next."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Budget:
    """Bytes and time spent under one top-level archive."""

    def __init__(
        self, limits: ArchiveLimits, compressed: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self.compressed = max(compressed, 1)
        self.used = 0
        self._clock = clock
        self._deadline = clock() + limits.max_seconds

    def tick(self) -> None:
        if self._clock() >= self._deadline:
            raise WalkStopped(f"time limit of {self.limits.max_seconds:g} s reached")

    def refund(self, size: int) -> None:
        self.used -= size

    def charge(self, size: int) -> None:
        self.used += size
        limits = self.limits
        if self.used > limits.max_total_bytes:
            raise WalkStopped(f"expanded more than max_total_bytes ({limits.max_total_bytes} bytes)")
        if self.used > limits.ratio_floor_bytes and self.used > limits.max_ratio * self.compressed:
            raise WalkStopped(
                f"expanded more than {limits.max_ratio:g}x the archive's own size (an archive bomb?)"
            )
        self.tick()


def over_ratio(limits: ArchiveLimits, expanded: int, compressed: int) -> bool:
    return expanded > limits.ratio_floor_bytes and expanded > limits.max_ratio * max(compressed, 1)


class Partial:
    """What a member gave before it failed: its bytes so far and why it ended."""

    __slots__ = ("data", "reason")

    def __init__(self, data: bytes, reason: str) -> None:
        self.data = data
        self.reason = reason


def read_member(
    source: Readable,
    budget: Budget,
    compressed: int | None,
    *,
    charge: bool,
    errors: tuple[type[BaseException], ...],
) -> bytes | Partial:
    """Read one member in chunks, stopping at its limits. `compressed` is its compressed size
    when it has one of its own (a zip member), for the ratio; `charge` is False when a
    metered stream below already counts these bytes. A format error after some bytes gives
    those bytes back with the reason (a truncated file is still worth scanning)."""
    limits = budget.limits
    chunks: list[bytes] = []
    total = 0
    while True:
        try:
            chunk = source.read(CHUNK)
        except errors as error:
            return Partial(b"".join(chunks), describe(error))
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        # A member's own limits come first, and its bytes are given back to the budget when
        # it is dropped: one bomb among the members must not use up the walk's allowance.
        if total > limits.max_member_bytes:
            budget.refund(total - len(chunk) if charge else 0)
            raise MemberStopped(
                f"larger than max_member_bytes ({limits.max_member_bytes} bytes); not scanned"
            )
        if compressed is not None and over_ratio(limits, total, compressed):
            budget.refund(total - len(chunk) if charge else 0)
            raise MemberStopped(
                f"expands more than {limits.max_ratio:g}x its compressed size of {compressed} bytes "
                "(a zip bomb?); not scanned"
            )
        if charge:
            budget.charge(len(chunk))
        chunks.append(chunk)


def describe(error: BaseException) -> str:
    """One short line about a library's error, for a Stopped reason."""
    text = " ".join(str(error).split()) or type(error).__name__
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(error).__name__}: {text}"
