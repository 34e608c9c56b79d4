"""UTF-16 text (a BOM, or NUL bytes in every other position), re-encoded as UTF-8."""

from __future__ import annotations

import re
from collections.abc import Iterator

from leakwarden.expand.limits import Limits
from leakwarden.expand.offsets import MapBuilder
from leakwarden.expand.piece import BUDGET, Piece, Stopped
from leakwarden.expand.text import looks_like_text
from leakwarden.sniff import utf16_codec

# Characters by their UTF-8 length; each class is one unit shape of the offset map.
_CLASSES = re.compile(
    "[\x00-\x7f]+|[\x80-\u07ff]+|[\u0800-\ud7ff\ue000-\uffff]+|[^\x00-\uffff]+|[\ud800-\udfff]+"
)


def utf16_pieces(data: bytes, limits: Limits, room: int) -> Iterator[Piece | Stopped]:
    kind = utf16_codec(data)
    if kind is None:
        return
    codec, bom = kind
    body = data[bom : bom + ((len(data) - bom) & ~1)]
    if len(body) // 2 > room:
        yield Stopped((), BUDGET, f"UTF-16 text of {len(body)} bytes", (0, len(data)))
        body = body[: room * 2 & ~1]
    text = body.decode(codec, "replace")
    builder = MapBuilder()
    position = bom
    for run in _CLASSES.finditer(text):
        chars = run.group()
        encoded = len(chars.encode("utf-8", "replace"))
        source = len(chars.encode(codec, "surrogatepass"))
        unit, parent_unit = encoded // len(chars), source // len(chars)
        builder.add(encoded, position, position + source, unit, parent_unit)
        position += source
    decoded = text.encode("utf-8", "replace")
    if looks_like_text(decoded, limits.max_control_ratio):
        yield Piece("utf-16", decoded, builder.build())
