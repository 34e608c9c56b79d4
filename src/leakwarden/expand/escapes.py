"""Escaped text: percent-encoding, JSON/JavaScript string escapes and HTML entities.

Each decoder finds its escapes with one compiled regex and decodes the line around them (up to
`CONTEXT` bytes either side, room for a rule's keyword and its value): a secret is rarely
escaped itself, but the words a rule needs around it are (`{\\"password\\": \\"...\\"}`,
`user%3Apass%40host`). Every window of a blob is decoded into one piece, windows separated by a
line break, so the engine runs once per decoder."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator

from leakwarden.expand.limits import Limits
from leakwarden.expand.offsets import MapBuilder, OffsetMap
from leakwarden.expand.piece import Piece, Stopped
from leakwarden.expand.text import line_windows, looks_like_text

CONTEXT = 256
MAX_WINDOW = 64 * 1024

_PERCENT = re.compile(rb"%[0-9A-Fa-f]{2}")
# Escapes worth decoding a line for: \n, \t and a lone \" are everywhere in code and JSON and
# change nothing a rule needs; a \u or \x escape, an escaped slash (a URL) or an escaped key
# (a JSON document inside a string) may.
_JSON_ANCHOR = re.compile(rb"""\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|/|"[\w.-]{1,64}\\"\s*:)""")
_JSON_TOKEN = re.compile(
    rb"""\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[nrtbfv0/"'\\])"""
)
_ENTITY = re.compile(rb"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Entities worth decoding a line for: &lt; and &gt; (markup shown as text) change nothing a rule needs.
_ENTITY_ANCHOR = re.compile(rb"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|quot|apos|amp|colon|sol|commat|equals);")
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"v": b"\v", b"0": b"\x00"}


def _percent(token: bytes) -> bytes:
    return bytes((int(token[1:3], 16),))


def _json(token: bytes) -> bytes:
    kind = token[1:2]
    if kind == b"u":
        # A surrogate pair is two escapes of one character: join them through UTF-16.
        text = token.decode("unicode_escape").encode("utf-16-le", "surrogatepass")
        return text.decode("utf-16-le", "replace").encode("utf-8")
    if kind == b"x":
        return chr(int(token[2:4], 16)).encode("utf-8")  # JavaScript: a code point, not a byte
    return _SIMPLE.get(kind, kind)


def _entity(token: bytes) -> bytes:
    try:
        return html.unescape(token.decode("ascii")).encode("utf-8", "surrogatepass")
    except (UnicodeError, ValueError):
        return token


def _decode(
    data: bytes,
    windows: Iterator[tuple[int, int]],
    token: re.Pattern[bytes],
    decode: Callable[[bytes], bytes],
) -> tuple[bytes, list[tuple[int, int]], list[tuple[int, int, int]]]:
    """The decoded windows joined by line breaks, the windows, and every escape decoded (its
    parent span and decoded length) for the offset map, which is built only if it is needed."""
    out: list[bytes] = []
    spans: list[tuple[int, int]] = []
    escapes: list[tuple[int, int, int]] = []
    for low, high in windows:

        def replace(found: re.Match[bytes], base: int = low) -> bytes:
            value = decode(found.group())
            start, end = found.span()
            escapes.append((base + start, base + end, len(value)))
            return value

        out.append(token.sub(replace, data[low:high]))
        spans.append((low, high))
    return b"\n".join(out), spans, escapes


def _map(spans: list[tuple[int, int]], escapes: list[tuple[int, int, int]]) -> OffsetMap:
    builder = MapBuilder()
    pending = iter(escapes)
    escape = next(pending, None)
    for index, (low, high) in enumerate(spans):
        if index:
            builder.add(1, low, low, 1, 0)  # the line break between windows
        position = low
        while escape is not None and escape[0] < high:
            start, end, size = escape
            if start > position:
                builder.add(start - position, position, start, 1, 1)
            builder.add(size, start, end, size, end - start)
            position = end
            escape = next(pending, None)
        if high > position:
            builder.add(high - position, position, high, 1, 1)
    return builder.build()


def _pieces(
    step: str,
    data: bytes,
    limits: Limits,
    *,
    anchor: re.Pattern[bytes],
    token: re.Pattern[bytes],
    decode: Callable[[bytes], bytes],
) -> Iterator[Piece | Stopped]:
    hits = (found.start() for found in anchor.finditer(data))
    windows = line_windows(data, hits, CONTEXT, min(MAX_WINDOW, limits.max_run))
    decoded, spans, escapes = _decode(data, windows, token, decode)
    if escapes and looks_like_text(decoded, limits.max_control_ratio):
        yield Piece(step, decoded, OffsetMap.lazy(lambda: _map(spans, escapes)))


def percent_pieces(data: bytes, limits: Limits) -> Iterator[Piece | Stopped]:
    if b"%" in data:
        yield from _pieces("percent", data, limits, anchor=_PERCENT, token=_PERCENT, decode=_percent)


def json_escape_pieces(data: bytes, limits: Limits) -> Iterator[Piece | Stopped]:
    if b"\\" in data:
        yield from _pieces("json-escape", data, limits, anchor=_JSON_ANCHOR, token=_JSON_TOKEN, decode=_json)


def entity_pieces(data: bytes, limits: Limits) -> Iterator[Piece | Stopped]:
    if b"&" in data and b";" in data:
        yield from _pieces("html-entity", data, limits, anchor=_ENTITY_ANCHOR, token=_ENTITY, decode=_entity)
