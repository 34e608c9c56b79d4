"""What decoding a blob yields: decoded pieces with their way back, and what was not decoded."""

from __future__ import annotations

from dataclasses import dataclass

from leakwarden.expand.offsets import OffsetMap


@dataclass(frozen=True, slots=True)
class Piece:
    """One decoder's output from one parent: `data`, and `offsets` back into the parent.
    `text` is False for output worth decoding further but not worth matching (a decompressed
    binary, which an archive step may still open)."""

    step: str
    data: bytes
    offsets: OffsetMap
    text: bool = True


@dataclass(frozen=True, slots=True)
class Derived:
    """A piece at any depth below a top-level blob: the chain of steps that made it (outermost
    first) and each step's map, so a span in `data` maps back to the top-level blob."""

    data: bytes
    chain: tuple[str, ...]
    maps: tuple[OffsetMap, ...]
    text: bool = True

    def to_top(self, start: int, end: int) -> tuple[int, int]:
        for offsets in reversed(self.maps):
            start, end = offsets.span(start, end)
        return start, end


@dataclass(frozen=True, slots=True)
class Stopped:
    """Something `expand` declined to decode, and why (users see it as a skipped item)."""

    chain: tuple[str, ...]
    reason: str
    detail: str = ""
    span: tuple[int, int] = (0, 0)  # in the top-level blob


BUDGET = "decode budget"
TOO_LONG = "encoded run too long"
BAD_STREAM = "corrupt compressed stream"
