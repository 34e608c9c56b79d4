"""`expand`: every derived piece of one top-level blob, depth first, under one budget."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from leakwarden.expand.compression import CorruptStream, Truncated, compressed_kind, decompress
from leakwarden.expand.escapes import entity_pieces, json_escape_pieces, percent_pieces
from leakwarden.expand.limits import Limits
from leakwarden.expand.offsets import OffsetMap, uniform
from leakwarden.expand.piece import BAD_STREAM, BUDGET, Derived, Piece, Stopped
from leakwarden.expand.runs import encoded_runs
from leakwarden.expand.text import looks_like_text
from leakwarden.expand.utf16 import utf16_pieces

Decoder = Callable[[bytes, Limits], Iterator[Piece | Stopped]]
TEXT_DECODERS: tuple[Decoder, ...] = (
    encoded_runs,
    percent_pieces,
    json_escape_pieces,
    entity_pieces,
)
DECODER_NAMES = (
    "base64",
    "hex",
    "percent",
    "json-escape",
    "html-entity",
    "utf-16",
    "gzip",
    "zlib",
    "bzip2",
    "xz",
    "zstd",
)


def _to_top(maps: tuple[OffsetMap, ...], span: tuple[int, int]) -> tuple[int, int]:
    start, end = span
    for offsets in reversed(maps):
        start, end = offsets.span(start, end)
    return start, end


def _decompressed(kind: str, data: bytes, limits: Limits, room: int) -> Iterator[Piece | Stopped]:
    try:
        out = decompress(kind, data, room + 1)
    except CorruptStream as exc:
        if kind != "zlib":  # two bytes of text can pass for a zlib header; say nothing then
            yield Stopped((), BAD_STREAM, f"{kind}: {exc}", (0, len(data)))
        return
    except Truncated as exc:
        yield Stopped((), BAD_STREAM, f"{kind}: {exc}; the part before it is scanned", (0, len(data)))
        out = exc.data
    if len(out) > room:
        yield Stopped(
            (), BUDGET, f"{kind} stream inflates past the {limits.budget}-byte budget", (0, len(data))
        )
        out = out[:room]
    if out:
        text = looks_like_text(out[:65536], limits.max_control_ratio)
        # Every decompressed byte maps to the stream's first byte: a compressed stream has no
        # finer place a person could point at.
        yield Piece(kind, out, uniform(len(out), 0, 1, len(out), 1), text=text)


def pieces(data: bytes, limits: Limits, room: int) -> Iterator[Piece | Stopped]:
    """One level of decoding of `data`: a whole compressed stream or UTF-16 text, else the
    encoded runs and escapes inside it."""
    kind = compressed_kind(data)
    if kind is not None:
        yield from _decompressed(kind, data, limits, room)
        return
    found_utf16 = False
    for item in utf16_pieces(data, limits, room):
        found_utf16 = True
        yield item
    if found_utf16:
        return
    for decoder in TEXT_DECODERS:
        yield from decoder(data, limits)


def expand(data: bytes, limits: Limits) -> Iterator[Derived | Stopped]:
    """Every piece decoded from `data` and from those pieces, down to `limits.depth`, each
    distinct content once; what the limits stopped is yielded as `Stopped` (its span in `data`).
    The total of decoded bytes never exceeds `limits.budget`."""
    if limits.depth <= 0:
        return
    room = limits.budget
    seen = {data}
    stack: list[Derived] = [Derived(data, (), ())]
    while stack:
        parent = stack.pop()
        if len(parent.chain) >= limits.depth:
            continue
        for item in pieces(parent.data, limits, room):
            if isinstance(item, Stopped):
                yield Stopped(
                    parent.chain + item.chain, item.reason, item.detail, _to_top(parent.maps, item.span)
                )
                continue
            if item.data in seen:
                continue
            chain = (*parent.chain, item.step)
            span = _to_top(parent.maps, item.offsets.parent_span)
            if len(item.data) > room:
                yield Stopped(chain, BUDGET, f"more than {limits.budget} decoded bytes from one blob", span)
                return
            room -= len(item.data)
            seen.add(item.data)
            derived = Derived(item.data, chain, (*parent.maps, item.offsets), item.text)
            yield derived
            stack.append(derived)
