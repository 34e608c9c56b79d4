"""Whether decoded bytes look like text, and the line windows the escape decoders work on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

# Printable ASCII and the whitespace text files hold; everything else below 0x80 is control.
_TEXT_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r\f"
_HIGH = bytes(range(0x80, 0x100))


def looks_like_text(data: bytes, max_control_ratio: float = 0.02) -> bool:
    """Text: almost no control bytes, and any byte above 0x7f part of valid UTF-8.

    Random bytes (a hash, a key, an image that happened to be valid base64) fail at once: a
    quarter of random bytes are control bytes and a run of them is almost never UTF-8."""
    if not data:
        return False
    controls = len(data.translate(None, _TEXT_ASCII + _HIGH))
    if controls > max_control_ratio * len(data):
        return False
    if len(data.translate(None, _TEXT_ASCII)):  # there are high bytes
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


# Where a window may end: never inside a token, or a secret would be decoded cut short (and
# reported as a different, truncated secret).
_BOUNDARY = re.compile(rb"""[\s"'<>`]""")
MAX_TOKEN = 8192


def line_windows(data: bytes, hits: Iterable[int], context: int, max_len: int) -> Iterator[tuple[int, int]]:
    """Spans around the given offsets (increasing): each hit's line, but no more than `context`
    bytes either side of it (stretched to the nearest space or quote, so that no token is cut,
    up to `MAX_TOKEN` more), neighbours merged while the merged span stays under `max_len`."""
    start = end = -1
    for hit in hits:
        if hit < end:
            continue
        before = data.rfind(b"\n", max(0, hit - context), hit)
        low = before + 1 if before >= 0 else _stretch_back(data, max(0, hit - context))
        after = data.find(b"\n", hit, hit + context)
        high = after if after >= 0 else _stretch(data, min(len(data), hit + context))
        if start >= 0 and low <= end and high - start <= max_len:
            end = high
            continue
        if start >= 0:
            yield start, end
        start, end = low, high
    if start >= 0:
        yield start, end


def _stretch(data: bytes, high: int) -> int:
    found = _BOUNDARY.search(data, high, high + MAX_TOKEN)
    return found.start() if found else min(len(data), high + MAX_TOKEN)


def _stretch_back(data: bytes, low: int) -> int:
    if low == 0:
        return 0
    # The nearest boundary before `low`: the first one in the reversed stretch (linear, where a
    # backwards regex would try every start).
    found = _BOUNDARY.search(data[max(0, low - MAX_TOKEN) : low][::-1])
    return low - found.start() if found else max(0, low - MAX_TOKEN)
