"""The one budget every decoding of a top-level blob shares."""

from __future__ import annotations

from dataclasses import dataclass

from leakwarden.model import DEFAULT_DECODE_DEPTH, MAX_DECODE_DEPTH

DEFAULT_DEPTH = DEFAULT_DECODE_DEPTH
MAX_DEPTH = MAX_DECODE_DEPTH


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what `expand` decodes from one top-level blob.

    `depth` is how many decodings may be stacked (0: none); the minimum lengths keep short
    words and identifiers from being decoded at all; `max_run` caps one encoded run (a longer
    one is reported as skipped, not decoded in part); `budget` caps the decoded bytes of one
    top-level blob across every piece and depth, which is what stops a compression bomb.
    """

    depth: int = DEFAULT_DEPTH
    min_base64: int = 16
    min_hex: int = 32
    max_run: int = 1 << 20
    budget: int = 4 << 20
    # Share of a decoded piece that may be control bytes and still count as text.
    max_control_ratio: float = 0.02

    def __post_init__(self) -> None:
        if not 0 <= self.depth <= MAX_DEPTH:
            raise ValueError(f"decode depth must be between 0 and {MAX_DEPTH}, not {self.depth}")
        if self.min_base64 < 4 or self.min_hex < 2 or self.max_run < 1 or self.budget < 1:
            raise ValueError("decode limits must be positive (minimum lengths at least 4 and 2)")


OFF = Limits(depth=0)
