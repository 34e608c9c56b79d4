"""A rule turned into what the engines run: byte regexes, bounds and the confirmation step.

Both engines end in `CompiledRule.confirm`, so what counts as a match is defined once: the regex
matches, its text contains one of the rule's keywords, and the secret survives the filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from leakwarden.matching.filters import CHECKSUMS, is_placeholder, shannon_entropy
from leakwarden.model import Match
from leakwarden.rules.schema import Nearby, Rule

# A pattern's longest possible match bounds the window the confirmation step searches; an
# unbounded pattern would make the two engines disagree on what a window can hold.
MAX_MATCH_WIDTH = 16384


def max_width(pattern: bytes) -> int:
    from re import _parser  # type: ignore[attr-defined]

    return int(_parser.parse(pattern).getwidth()[1])


def decode(raw: bytes) -> str:
    return raw.decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class CompiledNearby:
    spec: Nearby
    regex: re.Pattern[bytes]


class CompiledRule:
    """A rule's regexes, compiled on first use: a scan that loads the Hyperscan database from the
    cache confirms only the rules that had hits, and a hook cannot spend a tenth of a second
    compiling regexes that will never run."""

    def __init__(self, rule: Rule) -> None:
        assert rule.pattern is not None, "pair rules are not compiled here"
        self.rule = rule
        self.keywords = tuple(k.lower().encode() for k in rule.keywords)

    @cached_property
    def regex(self) -> re.Pattern[bytes]:
        return re.compile(self._pattern)

    @cached_property
    def width(self) -> int:
        return max_width(self._pattern)

    @cached_property
    def allow(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(a) for a in self.rule.allow)

    @cached_property
    def nearby(self) -> tuple[CompiledNearby, ...]:
        return tuple(CompiledNearby(n, re.compile(n.pattern.encode())) for n in self.rule.nearby)

    @property
    def _pattern(self) -> bytes:
        return (self.rule.pattern or "").encode()

    @cached_property
    def hyperscan_expression(self) -> bytes:
        """The pattern with named groups made plain: Hyperscan reports ends, not captures."""
        return re.sub(
            rb"\(\?P<[A-Za-z_][A-Za-z0-9_]*>",
            b"(?:",
            self.rule.pattern.encode() if self.rule.pattern else b"",
        )

    def accepts_secret(self, secret: str) -> bool:
        rule = self.rule
        if not secret or is_placeholder(secret):
            return False
        if rule.entropy is not None and shannon_entropy(secret) < rule.entropy:
            return False
        if rule.checksum is not None and not CHECKSUMS[rule.checksum](secret):
            return False
        return not any(a.search(secret) for a in self.allow)

    def _has_keyword(self, text: bytes) -> bool:
        lowered = text.lower()
        return any(k in lowered for k in self.keywords)

    def _nearby_captures(self, data: bytes, start: int, end: int) -> dict[str, str]:
        found: dict[str, str] = {}
        for near in self.nearby:
            lo = max(0, start - near.spec.distance)
            hi = min(len(data), end + near.spec.distance)
            best: tuple[int, str] | None = None
            for m in near.regex.finditer(data, lo, hi):
                gap = start - m.end() if m.end() <= start else max(0, m.start() - end)
                if best is None or gap < best[0]:
                    best = (gap, decode(m.group("value")))
            if best is not None:
                found[near.spec.name] = best[1]
        return found

    def confirm(self, data: bytes, pos: int = 0) -> Iterator[Match]:
        """Every accepted match starting at or after `pos`."""
        for m in self.regex.finditer(data, pos):
            if not self._has_keyword(m.group(0)):
                continue
            secret = decode(m.group("secret"))
            if not self.accepts_secret(secret):
                continue
            captures = {
                name: decode(value)
                for name, value in m.groupdict().items()
                if value is not None and name != "secret"
            }
            if self.nearby:
                captures = {**self._nearby_captures(data, m.start(), m.end()), **captures}
            yield Match(
                rule_id=self.rule.id,
                secret=secret,
                start=m.start(),
                end=m.end(),
                secret_start=m.start("secret"),
                secret_end=m.end("secret"),
                captures=captures,
            )
