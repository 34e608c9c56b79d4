"""Derived blobs: what is encoded, escaped or compressed inside a blob, decoded, with the way
back to the bytes a person can find; and archive members (`expand.archives`). Pure over bytes:
no I/O, no threads."""

from leakwarden.expand.limits import DEFAULT_DEPTH, MAX_DEPTH, OFF, Limits
from leakwarden.expand.offsets import OffsetMap, Segment
from leakwarden.expand.piece import BAD_STREAM, BUDGET, TOO_LONG, Derived, Piece, Stopped
from leakwarden.expand.text import looks_like_text
from leakwarden.expand.walk import DECODER_NAMES, expand

__all__ = [
    "BAD_STREAM",
    "BUDGET",
    "DECODER_NAMES",
    "DEFAULT_DEPTH",
    "MAX_DEPTH",
    "OFF",
    "TOO_LONG",
    "Derived",
    "Limits",
    "OffsetMap",
    "Piece",
    "Segment",
    "Stopped",
    "expand",
    "looks_like_text",
]
