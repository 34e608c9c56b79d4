"""Offset maps: where each byte of a decoded piece came from in its parent.

A map is a list of segments, each a run of decoded bytes made of equal units: `unit` decoded
bytes come from `parent_unit` parent bytes, over and over (base64: 3 from 4; hex: 1 from 2;
copied text: 1 from 1; one escape such as `\\u00e9`: 2 from 6). Mapping a decoded span gives
the parent bytes of the units it touches, so a secret inside a base64 run maps to the exact
quads that encode it, and one inside an escape to the whole escape.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Segment:
    start: int  # decoded offset of the segment's first byte
    end: int
    parent_start: int
    parent_end: int
    unit: int
    parent_unit: int

    def parent_of(self, offset: int) -> int:
        """Parent offset of the unit holding decoded byte `offset` (its first parent byte)."""
        units = (offset - self.start) // self.unit
        return min(self.parent_start + units * self.parent_unit, self.parent_end)

    def parent_after(self, offset: int) -> int:
        """Parent offset just past the unit holding decoded byte `offset`."""
        units = (offset - self.start) // self.unit + 1
        return min(self.parent_start + units * self.parent_unit, self.parent_end)


class OffsetMap:
    """Segments in decoded order. A map can be built lazily (`lazy`): most decoded pieces hold
    no match, and their maps are never asked for."""

    __slots__ = ("_build", "_segments", "_starts")

    def __init__(self, segments: tuple[Segment, ...] = ()) -> None:
        self._segments: tuple[Segment, ...] | None = segments
        self._starts = tuple(s.start for s in segments)
        self._build: Callable[[], OffsetMap] | None = None

    @classmethod
    def lazy(cls, build: Callable[[], OffsetMap]) -> OffsetMap:
        offsets = cls()
        offsets._segments, offsets._build = None, build
        return offsets

    @property
    def segments(self) -> tuple[Segment, ...]:
        if self._segments is None:
            assert self._build is not None
            built = self._build()
            self._segments, self._starts, self._build = built.segments, built._starts, None
        return self._segments

    def __repr__(self) -> str:
        return f"OffsetMap({self.segments!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, OffsetMap) and self.segments == other.segments

    __hash__ = None  # type: ignore[assignment]

    def _segment(self, offset: int) -> Segment:
        index = max(0, bisect_right(self._starts, offset) - 1)
        return self.segments[index]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The parent span that decoded bytes [start, end) came from."""
        if not self.segments:  # builds a lazy map first: _starts is then filled
            return (0, 0)
        first = self._segment(start).parent_of(start)
        last = max(start, end - 1)
        return first, max(first, self._segment(last).parent_after(last))

    @property
    def parent_span(self) -> tuple[int, int]:
        if not self.segments:
            return (0, 0)
        return self.segments[0].parent_start, self.segments[-1].parent_end


class MapBuilder:
    """Collects units in decoded order, merging neighbours of the same shape into one segment."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.size = 0  # decoded bytes so far

    def add(
        self, decoded: int, parent_start: int, parent_end: int, unit: int = 0, parent_unit: int = 0
    ) -> None:
        """`decoded` bytes from parent [parent_start, parent_end), in units of `unit` from
        `parent_unit` (default: the whole run is one unit)."""
        if decoded <= 0:
            return
        unit = unit or decoded
        parent_unit = parent_unit or (parent_end - parent_start)
        last = self.segments[-1] if self.segments else None
        if (
            last is not None
            and last.unit == unit
            and last.parent_unit == parent_unit
            and last.parent_end == parent_start
            and (last.end - last.start) % unit == 0
        ):
            self.segments[-1] = Segment(
                last.start, self.size + decoded, last.parent_start, parent_end, unit, parent_unit
            )
        else:
            self.segments.append(
                Segment(self.size, self.size + decoded, parent_start, parent_end, unit, parent_unit)
            )
        self.size += decoded

    def build(self) -> OffsetMap:
        return OffsetMap(tuple(self.segments))


def uniform(decoded: int, parent_start: int, parent_end: int, unit: int, parent_unit: int) -> OffsetMap:
    builder = MapBuilder()
    builder.add(decoded, parent_start, parent_end, unit, parent_unit)
    return builder.build()
