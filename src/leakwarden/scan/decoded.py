"""Matches in what a blob encodes: `expand`'s derived pieces through the engine, each match moved
back to the bytes of the encoded text in the blob, so it is located where a person finds it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from leakwarden.expand import Derived, Limits, Stopped, expand
from leakwarden.matching.engine import Engine
from leakwarden.model import Match, Skipped


@dataclass
class DecodeStats:
    """What decoding cost and what it declined, summed over the blobs of a batch."""

    pieces: int = 0
    bytes: int = 0
    skipped: list[Skipped] = field(default_factory=list)


def _moved(match: Match, piece: Derived) -> Match:
    start, end = piece.to_top(match.start, match.end)
    secret_start, secret_end = piece.to_top(match.secret_start, match.secret_end)
    return replace(match, start=start, end=end, secret_start=secret_start, secret_end=secret_end)


@dataclass
class Decoded:
    """Matches found under decodings, their offsets moved into the top-level blob, with each
    one's chain; `views[i]` is the text match i is located in when that is not the blob's bytes
    (a UTF-16 file: lines and columns are counted in its characters, not its bytes)."""

    matches: list[Match] = field(default_factory=list)
    chains: list[tuple[str, ...]] = field(default_factory=list)
    views: list[tuple[bytes, Match] | None] = field(default_factory=list)
    stopped: list[Stopped] = field(default_factory=list)


# Whole-blob transcodings: the first decoded piece has the blob's lines, in UTF-8.
_TRANSCODINGS = frozenset({"utf-16"})


def decoded_matches(
    engine: Engine, data: bytes, limits: Limits, found: list[Match], stats: DecodeStats
) -> Decoded:
    """Matches in the pieces decoded from `data`, and what the limits stopped. A match already in
    `found` at the same place (text that a decoder copied unchanged around the escapes it
    decoded) is not repeated."""
    known = {(m.rule_id, m.secret, m.secret_start) for m in found}
    result = Decoded()
    transcoded: Derived | None = None  # yielded before any piece decoded from it
    for item in expand(data, limits):
        if isinstance(item, Stopped):
            result.stopped.append(item)
            continue
        stats.pieces += 1
        stats.bytes += len(item.data)
        if len(item.chain) == 1 and item.chain[0] in _TRANSCODINGS:
            transcoded = item
        if not item.text:
            continue
        for match in engine.scan(item.data):
            moved = _moved(match, item)
            key = (moved.rule_id, moved.secret, moved.secret_start)
            if key in known:
                continue
            known.add(key)
            result.matches.append(moved)
            result.chains.append(item.chain)
            view = None
            if transcoded is not None and item.chain[0] in _TRANSCODINGS:
                below = Derived(item.data, item.chain[1:], item.maps[1:])
                view = (transcoded.data, _moved(match, below))
            result.views.append(view)
    return result
