"""Inline allow comments on the line of a finding, ours and the peers' (so switching costs
nothing): `leakwarden:allow <reason>`, `gitleaks:allow`, `betterleaks:allow`,
`pragma: allowlist secret` (and detect-secrets' `pragma: allowlist nextline secret` on the line
before), `ggignore`, `kingfisher:ignore`, `trufflehog:ignore`."""

from __future__ import annotations

import re

_OURS = re.compile(rb"leakwarden:allow\b[ \t:=-]*(?P<reason>[^\r\n]*)", re.IGNORECASE)
_PEERS = re.compile(
    rb"(?P<marker>gitleaks:allow|betterleaks:allow|pragma:\s*allowlist[ \t]+secret|ggignore"
    rb"|kingfisher:ignore|trufflehog:ignore)",
    re.IGNORECASE,
)
_NEXTLINE = re.compile(rb"pragma:\s*allowlist[ \t]+nextline[ \t]+secret", re.IGNORECASE)
# How far from the span, on its line, a marker is looked for. A comment sits beside the code it
# excuses; searching the whole of a 50 MB minified line for each match would take minutes.
WINDOW = 4096
# Comment closers that are syntax, not part of a reason.
_TRAILING = re.compile(r"\s*(?:\*/|-->|%>|\}\}|#\})?\s*$")


def _line_bounds(data: bytes, offset: int) -> tuple[int, int]:
    """The line holding `offset`, cut to WINDOW bytes on either side of it."""
    floor = max(0, offset - WINDOW)
    start = data.rfind(b"\n", floor, offset) + 1 or floor
    ceiling = min(len(data), offset + WINDOW)
    end = data.find(b"\n", offset, ceiling)
    return start, ceiling if end < 0 else end


def allow_reason(data: bytes, start: int, end: int) -> str | None:
    """Why the span [start, end) is allowed inline, or None. Looks at the first and last line of
    the span (a multi-line key may carry the comment on its BEGIN or END line; on a very long
    line, within WINDOW bytes of the span) and, for detect-secrets' nextline form, at the line
    before."""
    first = _line_bounds(data, start)
    last = _line_bounds(data, max(start, end - 1))
    for lo, hi in dict.fromkeys((first, last)):
        line = data[lo:hi]
        ours = _OURS.search(line)
        if ours is not None:
            reason = _TRAILING.sub("", ours.group("reason").decode("utf-8", "replace")).strip()
            return f"leakwarden:allow: {reason}" if reason else "leakwarden:allow"
        peer = _PEERS.search(line)
        if peer is not None:
            return " ".join(peer.group("marker").decode("ascii", "replace").split())
    if first[0] > 0 and data[first[0] - 1 : first[0]] == b"\n":  # a whole line, not a window
        previous = data[_line_bounds(data, first[0] - 1)[0] : first[0]]
        if _NEXTLINE.search(previous):
            return "pragma: allowlist nextline secret"
    return None
