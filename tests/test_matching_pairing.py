"""Pairing's span index finds exactly the overlapping spans a brute-force search finds, and a
blob dense with pairs still pairs each key with its own secret."""

from __future__ import annotations

import random

from leakwarden.matching.engine import Engine
from leakwarden.matching.pairing import _SpanIndex
from tests.git_repo import scw_pair


def test_span_index_agrees_with_brute_force() -> None:
    rng = random.Random(11)
    for _ in range(200):
        spans = []
        for key in range(rng.randrange(0, 40)):
            start = rng.randrange(0, 500)
            spans.append((start, start + rng.randrange(1, 60), key))
        index = _SpanIndex(spans)
        for _ in range(20):
            start = rng.randrange(0, 560)
            end = start + rng.randrange(1, 60)
            expected = sorted(k for s, e, k in spans if s < end and e > start)
            assert sorted(index.overlapping(start, end)) == expected


def test_thousands_of_pairs_in_one_blob_each_pair_with_its_own_half(engine: Engine) -> None:
    records, expected = [], set()
    for seed in range(1500):
        key, secret = scw_pair(seed)
        records.append(f"SCW_ACCESS_KEY={key}\nSCW_SECRET_KEY={secret}\n")
        expected.add((key, secret))
    matches = engine.scan("".join(records).encode())
    found = [m for m in matches if m.rule_id == "scaleway.api_key"]
    assert {(m.parts["access_key"], m.parts["secret_key"]) for m in found} == expected
