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
        # The last column computed on the current line: the next offset on the same line
        # decodes only the bytes in between (many matches on one minified 50 MB line would
        # otherwise decode the line again for each).
        self._column_offset = 0
        self._column_chars = 0

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
        resume = self._column_offset
        if not (self._line_start <= resume <= offset and _char_boundary(self.data, resume)):
            resume, self._column_chars = self._line_start, 0
        chars = self._column_chars + len(self.data[resume:offset].decode("utf-8", "replace"))
        self._column_offset, self._column_chars = offset, chars
        return self._line, chars + 1


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
