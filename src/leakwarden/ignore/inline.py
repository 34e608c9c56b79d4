"""Inline allow comments on the line of a finding, ours and the peers' (so switching costs
nothing): `leakwarden:allow <reason>`, `gitleaks:allow`, `betterleaks:allow`,
`pragma: allowlist secret` (and detect-secrets' `pragma: allowlist nextline secret` on the line
before), `ggignore`, `kingfisher:ignore`, `trufflehog:ignore`.

Ours needs a reason, as an ignore-file entry does: a bare `leakwarden:allow` allows nothing and
the finding says why (`BARE_MARKER`). The peers' markers carry no reason in their own syntax, so
they are honoured as they are.

A blob's markers are found once for all its spans (`AllowIndex`): each span then costs a few
bisections, however long its line and however many other spans share it."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

_OURS = re.compile(rb"leakwarden:allow\b(?:[ \t:=]|-(?!->))*", re.IGNORECASE)  # "-->" closes
# A reason runs to the end of the line or to the comment's closer, whichever comes first.
_REASON = re.compile(rb"(?:(?!\*/|-->|%>|\}\}|#\})[^\r\n])*")
_PEERS = re.compile(
    rb"gitleaks:allow|betterleaks:allow|pragma:[ \t]*allowlist[ \t]+secret|ggignore"
    rb"|kingfisher:ignore|trufflehog:ignore",
    re.IGNORECASE,
)
_NEXTLINE = re.compile(rb"pragma:[ \t]*allowlist[ \t]+nextline[ \t]+secret", re.IGNORECASE)
# How far from the span, on its line, a marker is looked for. A comment sits beside the code it
# excuses; a marker anywhere on a 50 MB minified line must not excuse every key on it.
WINDOW = 4096
# Comment closers that are syntax, not part of a reason.
_TRAILING = re.compile(r"\s*(?:\*/|-->|%>|\}\}|#\})?\s*$")
# What a finding says when its line carries our marker with no reason.
BARE_MARKER = "allow marker without a reason ignored"


@dataclass(frozen=True)
class Allow:
    """What the markers near a span decided: `reason` when it is allowed; otherwise `note`
    when a marker was there but does not count."""

    reason: str | None = None
    note: str = ""


NOT_ALLOWED = Allow()


def _line_bounds(data: bytes, offset: int) -> tuple[int, int]:
    """The line holding `offset`, cut to WINDOW bytes on either side of it."""
    floor = max(0, offset - WINDOW)
    start = data.rfind(b"\n", floor, offset) + 1 or floor
    ceiling = min(len(data), offset + WINDOW)
    end = data.find(b"\n", offset, ceiling)
    return start, ceiling if end < 0 else end


class _Lines:
    """Exact line bounds for offsets asked in increasing order: each line's end is searched for
    once, so many offsets on one long line cost one pass over it, not one each."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.start = 0
        self.end = -1  # unknown yet

    def at(self, offset: int) -> tuple[int, int]:
        data = self.data
        if not self.start <= offset <= self.end:  # the line's own newline belongs to it
            if offset < self.start:  # out of order: look again from scratch
                self.start, self.end = 0, -1
            floor = self.end + 1 if 0 <= self.end < offset else 0
            self.start = data.rfind(b"\n", floor, offset) + 1 or floor
            end = data.find(b"\n", offset)
            self.end = len(data) if end < 0 else end
        return self.start, self.end


def _windows(data: bytes, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Per span: the searched part of its first line and of its last line (the same for a span
    on one line), each at most WINDOW bytes either side of the span."""
    lines = _Lines(data)
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    result: list[tuple[int, int, int, int]] = [(0, 0, 0, 0)] * len(spans)
    for i in order:
        start, end = spans[i]
        line_start, line_end = lines.at(start)
        first = (max(line_start, start - WINDOW), min(line_end, max(start, end) + WINDOW))
        last = first
        if end - 1 > line_end:  # a multi-line key: its END line may carry the comment
            last = _line_bounds(data, end - 1)
        result[i] = (*first, *last)
    return result


def _merged(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


class _Markers:
    """Start and end offsets of one kind of marker, in order."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def first_within(self, lo: int, hi: int) -> int | None:
        """The index of the first marker lying wholly in [lo, hi)."""
        i = bisect_left(self.starts, lo)
        while i < len(self.starts) and self.starts[i] < hi:
            if self.ends[i] <= hi:
                return i
            i += 1
        return None


class AllowIndex:
    """The allow markers near a set of spans of one blob, found in one pass over the text
    around them (never more than the blob, never more than 2 x WINDOW per span)."""

    def __init__(self, data: bytes, spans: Sequence[tuple[int, int]]) -> None:
        self.data = data
        self.spans = list(spans)
        self._windows = _windows(data, self.spans)
        self._ours = _Markers()
        self._peers = _Markers()
        searched = [(w[0], w[1]) for w in self._windows] + [(w[2], w[3]) for w in self._windows]
        for lo, hi in _merged(searched):
            for pattern, markers in ((_OURS, self._ours), (_PEERS, self._peers)):
                for found in pattern.finditer(data, lo, hi):
                    markers.starts.append(found.start())
                    markers.ends.append(found.end())
        self._previous: dict[int, bool] = {}  # line start -> the line before holds a nextline pragma

    def _ours_reason(self, index: int, hi: int) -> str:
        tail = _REASON.match(self.data, self._ours.ends[index], hi)
        text = tail.group().decode("utf-8", "replace") if tail else ""
        return _TRAILING.sub("", text).strip()

    def _nextline(self, line_start: int) -> bool:
        known = self._previous.get(line_start)
        if known is None:
            lo = _line_bounds(self.data, line_start - 1)[0]
            known = _NEXTLINE.search(self.data, lo, line_start) is not None
            self._previous[line_start] = known
        return known

    def decide(self, i: int) -> Allow:
        """Whether span `i` is allowed, and why (or why a marker near it does not count)."""
        first_lo, first_hi, last_lo, last_hi = self._windows[i]
        note = ""
        for lo, hi in dict.fromkeys(((first_lo, first_hi), (last_lo, last_hi))):
            ours = self._ours.first_within(lo, hi)
            if ours is not None:
                reason = self._ours_reason(ours, hi)
                if reason:
                    return Allow(f"leakwarden:allow: {reason}")
                note = BARE_MARKER
            peer = self._peers.first_within(lo, hi)
            if peer is not None:
                marker = self.data[self._peers.starts[peer] : self._peers.ends[peer]]
                return Allow(" ".join(marker.decode("ascii", "replace").split()))
        data = self.data
        if first_lo > 0 and data[first_lo - 1 : first_lo] == b"\n" and self._nextline(first_lo):
            return Allow("pragma: allowlist nextline secret")  # a whole line before, not a window
        return Allow(None, note)


def allow_reasons(data: bytes, spans: Sequence[tuple[int, int]]) -> list[Allow]:
    """What the inline markers decide for each span [start, end) of `data`. Looks at the first
    and last line of a span (a multi-line key may carry the comment on its BEGIN or END line; on a
    very long line, within WINDOW bytes of the span) and, for detect-secrets' nextline form, at
    the line before."""
    if not spans:
        return []
    index = AllowIndex(data, spans)
    return [index.decide(i) for i in range(len(spans))]


def allow_reason(data: bytes, start: int, end: int) -> str | None:
    """Why the one span [start, end) is allowed inline, or None."""
    return allow_reasons(data, [(start, end)])[0].reason
