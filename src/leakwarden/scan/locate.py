"""Byte offsets to 1-based lines and character columns, in one pass per blob."""

from __future__ import annotations

from collections.abc import Sequence

from leakwarden.model import Location


class LineIndex:
    """Answers offset → (line, column) for increasing offsets without rescanning the blob."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._offset = 0
        self._line = 1
        self._line_start = 0

    def _advance(self, offset: int) -> None:
        if offset < self._offset:  # rare: restart rather than keep a table of every line
            self._offset, self._line, self._line_start = 0, 1, 0
        newlines = self.data.count(b"\n", self._offset, offset)
        if newlines:
            self._line += newlines
            self._line_start = self.data.rfind(b"\n", self._offset, offset) + 1
        self._offset = offset

    def position(self, offset: int) -> tuple[int, int]:
        self._advance(offset)
        prefix = self.data[self._line_start : offset]
        return self._line, len(prefix.decode("utf-8", "replace")) + 1


def locate(data: bytes, spans: Sequence[tuple[int, int]]) -> list[Location]:
    """Locations of `spans` (start, end byte offsets), in the order given."""
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
        result[i] = Location(line, column, end_line, end_column)
    return [loc for loc in result if loc is not None]
