"""Byte offsets to 1-based lines and character columns, in one pass per blob."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from leakwarden.model import Location


class LineIndex:
    """Answers offset → (line, column). Every answer is kept as a checkpoint (offset, line, line
    start, characters since the line start); a new offset resumes from the nearest checkpoint
    before it, so increasing offsets cost one pass over the blob in all, and an offset out of
    order costs a bisection plus the bytes from its nearest checkpoint, never a rescan from the
    start. Many offsets on one 50 MB minified line decode each byte of it once."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._offsets: list[int] = [0]
        self._points: list[tuple[int, int, int]] = [(1, 0, 0)]  # line, line start, chars to offset

    def position(self, offset: int) -> tuple[int, int]:
        data = self.data
        at = bisect_right(self._offsets, offset) - 1
        base = checkpoint = self._offsets[at]
        line, line_start, chars = self._points[at]
        newlines = data.count(b"\n", base, offset)
        if newlines:
            line += newlines
            line_start = data.rfind(b"\n", base, offset) + 1
            base, chars = line_start, 0
        elif not _char_boundary(data, base):  # the checkpoint split a character: count afresh
            base, chars = line_start, 0
        chars += len(data[base:offset].decode("utf-8", "replace"))
        if checkpoint != offset:
            self._offsets.insert(at + 1, offset)
            self._points.insert(at + 1, (line, line_start, chars))
        return line, chars + 1


def _char_boundary(data: bytes, offset: int) -> bool:
    """Whether a character starts at `offset` (a UTF-8 continuation byte never does)."""
    return offset >= len(data) or not 0x80 <= data[offset] < 0xC0


def locate(data: bytes, spans: Sequence[tuple[int, int]], line_base: int = 0) -> list[Location]:
    """Locations of `spans` (start, end byte offsets), in the order given; `line_base` lines
    come before `data` (a piece of a longer stream)."""
    index = LineIndex(data)
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    result: list[Location | None] = [None] * len(spans)
    for i in order:
        start, end = spans[i]
        line, column = index.position(start)
        span = data[start:end]
        breaks = span.count(b"\n")
        if breaks:  # a multi-line key: the end column counts from its last line break
            tail = span[span.rfind(b"\n") + 1 :]
            end_line, end_column = line + breaks, len(tail.decode("utf-8", "replace")) + 1
        else:
            end_line, end_column = line, column + len(span.decode("utf-8", "replace"))
        result[i] = Location(line + line_base, column, end_line + line_base, end_column)
    return [loc for loc in result if loc is not None]
