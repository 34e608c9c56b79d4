"""Join the two halves of paired credentials (key id + secret) found near each other."""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leakwarden.matching.compiled import CompiledRule, decode
from leakwarden.model import Match
from leakwarden.rules.schema import Pair, Rule

AVOID_LOOKBACK = 64


@dataclass(frozen=True)
class CompiledPair:
    rule: Rule
    spec: Pair
    partner_regex: re.Pattern[bytes]
    avoid: re.Pattern[bytes] | None

    @classmethod
    def build(cls, rule: Rule) -> CompiledPair:
        assert rule.pair is not None
        avoid = rule.pair.partner_avoid
        return cls(
            rule,
            rule.pair,
            re.compile(rule.pair.partner_pattern.encode()),
            re.compile(avoid.encode()) if avoid else None,
        )

    def avoided(self, data: bytes, start: int) -> bool:
        if self.avoid is None:
            return False
        line_start = data.rfind(b"\n", max(0, start - AVOID_LOOKBACK), start) + 1
        return self.avoid.search(data, max(line_start, start - AVOID_LOOKBACK), start) is not None


class _SpanIndex:
    """Which spans overlap [start, end): a sorted list and a bounded walk back, so that a blob
    with thousands of pairs costs n log n, not n squared."""

    def __init__(self, spans: Sequence[tuple[int, int, int]]) -> None:
        self._spans = sorted(spans)
        self._starts = [start for start, _, _ in self._spans]
        self._longest = max((end - start for start, end, _ in self._spans), default=0)

    def overlapping(self, start: int, end: int) -> list[int]:
        found = []
        position = bisect.bisect_left(self._starts, end) - 1  # the spans that start before `end`
        while position >= 0:
            other_start, other_end, key = self._spans[position]
            if other_start + self._longest <= start:
                break  # it and every span before it end before `start`
            if other_end > start:
                found.append(key)
            position -= 1
        return found


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    if b_end <= a_start:
        return a_start - b_end
    return max(0, b_start - a_end)


def apply_pairs(
    data: bytes,
    matches: list[Match],
    pairs: Sequence[CompiledPair],
    compiled: Mapping[str, CompiledRule],
) -> list[Match]:
    """Replace each anchor match that has a partner within reach by one paired match.

    Anchors and partners are joined closest first, each used once, so `id1 secret1 id2 secret2`
    pairs as written; a partner its own rule confirms (it carries its own context) goes first.
    A partner's standalone match at the same span is absorbed by the pair; halves without a
    partner stay as they are.
    """
    if not pairs or not matches:
        return matches
    consumed: set[int] = set()
    out: list[Match] = []
    for pair in pairs:
        spec = pair.spec
        anchors = [(i, m) for i, m in enumerate(matches) if m.rule_id == spec.anchor and i not in consumed]
        if not anchors:
            continue
        partner_rule = compiled.get(spec.partner)
        confirmed = {(m.secret_start, m.secret_end) for m in matches if m.rule_id == spec.partner}
        options: list[tuple[int, int, int, int, int, str]] = []
        # A candidate is seen from every anchor within reach: judge each span once.
        judged: dict[tuple[int, int], str | None] = {}
        for index, anchor in anchors:
            lo = max(0, anchor.start - spec.max_distance)
            hi = min(len(data), anchor.end + spec.max_distance)
            for cand in pair.partner_regex.finditer(data, lo, hi):
                s, e = cand.span("secret")
                if s < anchor.secret_end and e > anchor.secret_start:
                    continue
                if (s, e) not in judged:
                    secret = decode(cand.group("secret"))
                    rejected = pair.avoided(data, s) or (
                        partner_rule is not None and not partner_rule.accepts_secret(secret)
                    )
                    judged[(s, e)] = None if rejected else secret
                accepted = judged[(s, e)]
                if accepted is None:
                    continue
                secret = accepted
                gap = _gap(anchor.secret_start, anchor.secret_end, s, e)
                options.append((0 if (s, e) in confirmed else 1, gap, index, s, e, secret))
        partners = _SpanIndex(
            [(m.secret_start, m.secret_end, j) for j, m in enumerate(matches) if m.rule_id == spec.partner]
        )
        used_anchor: set[int] = set()
        used_span: set[tuple[int, int]] = set()
        for *_rank, index, s, e, secret in sorted(options):
            if index in used_anchor or (s, e) in used_span:
                continue
            used_anchor.add(index)
            used_span.add((s, e))
            anchor = matches[index]
            consumed.add(index)
            consumed.update(partners.overlapping(s, e))
            out.append(
                Match(
                    rule_id=pair.rule.id,
                    secret=secret,
                    start=min(anchor.start, s),
                    end=max(anchor.end, e),
                    secret_start=s,
                    secret_end=e,
                    captures=dict(anchor.captures),
                    parts={spec.anchor_role: anchor.secret, spec.partner_role: secret},
                )
            )
    out.extend(m for i, m in enumerate(matches) if i not in consumed)
    return out
