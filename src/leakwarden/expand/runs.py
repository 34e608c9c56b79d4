"""Encoded runs: base64 (standard and URL-safe, padded or not) and hex.

The hot path of decoding: every blob is searched for runs. The blob is first mapped to one byte
per character class with `bytes.translate` (C speed), so that finding runs is a search for a
literal prefix, which `re` does with a fast scan instead of trying a character class at every
offset; hex runs are the base64-alphabet runs made of hex digits, so one pass finds both. A run
is decoded only when its shape says it may encode text:

- in base64 of ASCII text the first character of every quad encodes a byte's top six bits,
  0x20-0x7f: one of I-Z, a-f (C or D for a tab or a line break). Runs that do not have that
  shape are decoded only when they start like a compressed stream, or are half `A`s (base64 of
  UTF-16, as PowerShell's `-EncodedCommand` takes): identifiers, paths and random base64 are
  left alone;
- in hex of ASCII text every byte's first digit is 2-7 (or 0 for tabs and line breaks), which no
  hash digest has for long.

The decoded bytes must then look like text (or start a compressed stream, which the next depth
opens)."""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator

from leakwarden.expand.compression import compressed_kind
from leakwarden.expand.limits import Limits
from leakwarden.expand.offsets import uniform
from leakwarden.expand.piece import TOO_LONG, Piece, Stopped
from leakwarden.expand.text import looks_like_text

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_BASE64_CLASS = bytes(65 if c in _ALPHABET + b"+/-_" else 46 for c in range(256))  # "A" or "."
_HEX_DIGITS = b"0123456789abcdefABCDEF"
_TEXT_QUAD_LEAD = b"CDIJKLMNOPQRSTUVWXYZabcdef"  # C, D: tab, line feed, carriage return
_TEXT_HEX_LEAD = b"0234567"
# base64 of the magic bytes of gzip, zlib (levels 1, 6, 9), bzip2, xz and zstd streams.
_COMPRESSED_B64 = (b"H4sI", b"eAE", b"eJ", b"eNo", b"eNp", b"QlpoO", b"/Td6WFo", b"KLUv", b"_Td6WFo")
# Subresource-integrity and lock-file hashes: base64 of a digest, never of text.
_INTEGRITY = (b"sha1-", b"sha256-", b"sha384-", b"sha512-")
_URLSAFE = b"-_"
_STANDARD = b"+/"
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
# Data URIs whose payload may be text; any other media type (images, fonts...) is not decoded.
_TEXT_MEDIA = re.compile(rb"data:(?:text/|[\w.+-]*/[\w.+-]*(?:json|xml|javascript|yaml|x-sh))[^,]{0,60},$")


def _data_uri(data: bytes, start: int) -> bool:
    """A run that is the payload of a `data:` URI with a media type that is not text."""
    if data[max(0, start - 7) : start] != b"base64,":
        return False
    head = data.rfind(b"data:", max(0, start - 80), start)
    return head >= 0 and _TEXT_MEDIA.search(data[head:start]) is None


def _text_shaped(body: bytes) -> bool:
    if not body[0::4].translate(None, _TEXT_QUAD_LEAD):
        return True
    return body.startswith(_COMPRESSED_B64) or body.count(b"A") * 4 >= len(body)


def encoded_runs(data: bytes, limits: Limits) -> Iterator[Piece | Stopped]:
    """Base64 and hex runs in one pass: a hex run is a base64-alphabet run of hex digits.

    Runs are found with `bytes.find` of the shortest run in the class map, which skips ahead in
    C wherever a "." is in the way; the loop body is the per-run cost of every blob, so the
    commonest runs (snake_case and UPPER_CASE names: one case only) are dropped first."""
    classes = data.translate(_BASE64_CLASS)
    needle = b"A" * min(limits.min_base64, limits.min_hex)
    found = classes.find(needle)
    while found >= 0:
        start = classes.rfind(b".", 0, found) + 1
        end = classes.find(b".", found)
        end = len(classes) if end < 0 else end
        found = classes.find(needle, end)
        body = data[start:end]
        if body.islower() or body.isupper() or body.isdigit():
            # Not base64 of text (one case only); hex, if every character is a hex digit.
            if body.startswith((b"0x", b"0X")):
                start, body = start + 2, body[2:]
            if len(body) >= limits.min_hex and not body.translate(None, _HEX_DIGITS):
                yield from _hex(data, body, start, end, limits)
        elif end - start >= limits.min_base64:
            yield from _base64(data, body, start, end, limits)


def _base64(data: bytes, body: bytes, start: int, end: int, limits: Limits) -> Iterator[Piece | Stopped]:
    if len(body) % 4 == 1:
        return  # no base64 is 4k+1 characters long
    if len(body) > limits.max_run:
        yield Stopped((), TOO_LONG, f"base64 run of {len(body)} characters", (start, end))
        return
    if not _text_shaped(body):
        return
    urlsafe = any(c in body for c in _URLSAFE)
    if urlsafe and any(c in body for c in _STANDARD):
        return  # both alphabets at once: a path or a word, not base64
    if body.startswith(_INTEGRITY) or _data_uri(data, start):
        return
    padding = 2
    while padding and data[end : end + padding] != b"=" * padding:
        padding -= 1
    if urlsafe:
        body = body.translate(_TO_STANDARD)
    try:
        decoded = binascii.a2b_base64(body + b"=" * (-len(body) % 4), strict_mode=True)
    except binascii.Error:
        return
    piece = _piece("base64", decoded, limits)
    if piece is not None:
        yield _mapped(piece, start, end + padding, 3, 4)


def _hex(data: bytes, run: bytes, start: int, end: int, limits: Limits) -> Iterator[Piece | Stopped]:
    if len(run) % 2:
        return
    if len(run) > limits.max_run:
        yield Stopped((), TOO_LONG, f"hex run of {len(run)} characters", (start, end))
        return
    if run[0::2].translate(None, _TEXT_HEX_LEAD):
        return
    piece = _piece("hex", bytes.fromhex(run.decode("ascii")), limits)
    if piece is not None:
        yield _mapped(piece, start, end, 1, 2)


def _piece(step: str, decoded: bytes, limits: Limits) -> Piece | None:
    """The decoded bytes as a piece (its map filled in by `_mapped`), when worth keeping."""
    if looks_like_text(decoded, limits.max_control_ratio):
        return Piece(step, decoded, uniform(0, 0, 0, 1, 1))
    if compressed_kind(decoded) is not None:
        return Piece(step, decoded, uniform(0, 0, 0, 1, 1), text=False)
    return None


def _mapped(piece: Piece, start: int, end: int, unit: int, parent_unit: int) -> Piece:
    offsets = uniform(len(piece.data), start, end, unit, parent_unit)
    return Piece(piece.step, piece.data, offsets, piece.text)
