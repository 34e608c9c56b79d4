"""Encoded runs: base64 (standard and URL-safe, padded or not) and hex.

One compiled regex per encoding finds the runs; cheap tests on the run's shape drop what is
plainly not an encoding of text (identifiers, constants, hex digests as base64, paths mixing
both base64 alphabets) before anything is decoded, and the decoded bytes must look like text
(or start a compressed stream, which the next depth opens).
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Iterator
from functools import lru_cache

from leakwarden.expand.compression import compressed_kind
from leakwarden.expand.limits import Limits
from leakwarden.expand.offsets import OffsetMap, uniform
from leakwarden.expand.piece import TOO_LONG, Piece, Stopped
from leakwarden.expand.text import looks_like_text

# Subresource-integrity and lock-file hashes: base64 of a digest, never of text.
_INTEGRITY = (b"sha1-", b"sha256-", b"sha384-", b"sha512-")
_URLSAFE = b"-_"
_STANDARD = b"+/"
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
# Data URIs whose payload may be text; any other media type (images, fonts...) is not decoded.
_TEXT_MEDIA = re.compile(rb"data:(?:text/|[\w.+-]*/[\w.+-]*(?:json|xml|javascript|yaml|x-sh))[^,]{0,60},$")


@lru_cache(maxsize=8)
def _base64_runs(minimum: int) -> re.Pattern[bytes]:
    return re.compile(rb"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{%d,}={0,2}" % minimum)


@lru_cache(maxsize=8)
def _hex_runs(minimum: int) -> re.Pattern[bytes]:
    return re.compile(rb"(?<![0-9A-Za-z])(?:0[xX])?((?:[0-9a-fA-F]{2}){%d,})(?![0-9A-Za-z])" % (minimum // 2))


def _data_uri(data: bytes, start: int) -> bool:
    """A run that is the payload of a `data:` URI with a media type that is not text."""
    if data[max(0, start - 7) : start] != b"base64,":
        return False
    head = data.rfind(b"data:", max(0, start - 80), start)
    return head >= 0 and _TEXT_MEDIA.search(data[head:start]) is None


def base64_pieces(data: bytes, limits: Limits) -> Iterator[Piece | Stopped]:
    for found in _base64_runs(limits.min_base64).finditer(data):
        start, end = found.span()
        run = found.group()
        body = run.rstrip(b"=")
        # Not text in base64: one case only (identifiers, constants), digits only, or 4k+1 long.
        if body.islower() or body.isupper() or body.isdigit() or len(body) % 4 == 1:
            continue
        urlsafe = any(c in body for c in _URLSAFE)
        if urlsafe and any(c in body for c in _STANDARD):
            continue  # both alphabets at once: a path or a word, not base64
        if len(run) > limits.max_run:
            yield Stopped((), TOO_LONG, f"base64 run of {len(run)} characters", (start, end))
            continue
        if body.startswith(_INTEGRITY) or _data_uri(data, start):
            continue
        if urlsafe:
            body = body.translate(_TO_STANDARD)
        try:
            decoded = binascii.a2b_base64(body + b"=" * (-len(body) % 4), strict_mode=True)
        except binascii.Error:
            continue
        piece = _piece("base64", decoded, uniform(len(decoded), start, end, 3, 4), limits)
        if piece is not None:
            yield piece


def hex_pieces(data: bytes, limits: Limits) -> Iterator[Piece | Stopped]:
    for found in _hex_runs(limits.min_hex).finditer(data):
        run = found.group(1)
        if not (run.islower() or run.isupper() or run.isdigit()):
            continue  # mixed-case letters: not how hex is written
        start, end = found.span(1)
        if len(run) > limits.max_run:
            yield Stopped((), TOO_LONG, f"hex run of {len(run)} characters", (start, end))
            continue
        decoded = bytes.fromhex(run.decode("ascii"))
        piece = _piece("hex", decoded, uniform(len(decoded), start, end, 1, 2), limits)
        if piece is not None:
            yield piece


def _piece(step: str, decoded: bytes, offsets: OffsetMap, limits: Limits) -> Piece | None:
    if looks_like_text(decoded, limits.max_control_ratio):
        return Piece(step, decoded, offsets)
    if compressed_kind(decoded) is not None:
        return Piece(step, decoded, offsets, text=False)
    return None
