"""Property tests: a founding rule's example, encoded by a random chain of encodings up to the
default depth and set among other lines, is found as its rule at the encoded text's lines with
the fingerprint the plain example has; random bytes under the same encodings never give a
finding."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from functools import lru_cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leakwarden.expand import OFF, Limits
from leakwarden.model import DEFAULT_DECODE_DEPTH, Blob, Confidence, Finding, StdinProvenance
from leakwarden.remediate.completeness import FOUNDING_PROVIDERS
from leakwarden.rules.catalog import load_catalog
from leakwarden.scan.runner import group_findings, scan_blob
from tests.conftest import engine_for


def scan(data: bytes, limits: Limits) -> list[Finding]:
    """One blob through one engine built once for the session (hypothesis calls this a lot)."""
    engine = engine_for("hyperscan", load_catalog())
    hits = scan_blob(engine, Blob(data, (StdinProvenance("f.yaml"),)), limits)
    return group_findings(engine, [hits] if hits else [], Confidence.LOW)


def _percent(data: bytes) -> bytes:
    return b"".join(bytes([c]) if chr(c).isalnum() else b"%%%02X" % c for c in data)


def _json(data: bytes) -> bytes:
    text = data.decode()
    out = "".join(f"\\u{ord(c):04x}" if c in '"/:=@\n' else c for c in text)
    return out.encode()


def _entities(data: bytes) -> bytes:
    return html.escape(data.decode(), quote=True).replace(":", "&#58;").replace("=", "&#x3d;").encode()


ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "base64": base64.b64encode,
    "base64url": lambda d: base64.urlsafe_b64encode(d).rstrip(b"="),
    "hex": lambda d: d.hex().encode(),
    "percent": _percent,
    "json-escape": _json,
    "html-entity": _entities,
}
STEP = {"base64url": "base64"}


@lru_cache(maxsize=1)
def founding_examples() -> list[tuple[str, str, str]]:
    """(rule id, example, fingerprint) of every founding rule's single-line examples found plain."""
    found = []
    for rule in load_catalog().rules:
        if rule.provider not in FOUNDING_PROVIDERS:
            continue
        for example in rule.examples:
            if "\n" in example.strip():
                continue
            prints = [f.fingerprint for f in scan(example.encode(), OFF) if f.rule_id == rule.id]
            if prints:
                found.append((rule.id, example.strip(), prints[0]))
    return found


def test_there_are_founding_examples_to_encode() -> None:
    assert len({rule for rule, _, _ in founding_examples()}) >= 6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pick=st.integers(min_value=0),
    chain=st.lists(st.sampled_from(sorted(ENCODERS)), min_size=1, max_size=DEFAULT_DECODE_DEPTH),
    before=st.integers(min_value=0, max_value=5),
    indent=st.text(alphabet=" \t", max_size=6),
)
def test_an_encoded_example_is_found_where_it_is(
    pick: int, chain: list[str], before: int, indent: str
) -> None:
    examples = founding_examples()
    rule_id, example, fingerprint = examples[pick % len(examples)]
    encoded = example.encode()
    for name in chain:  # the first name is the innermost encoding
        encoded = ENCODERS[name](encoded)
    head = b"".join(b"line %d of the file\n" % i for i in range(before))
    data = head + indent.encode() + b"value: " + encoded + b"\nlast line\n"
    findings = scan(data, Limits())
    matching = [f for f in findings if f.rule_id == rule_id]
    assert matching, (rule_id, chain, [f.rule_id for f in findings])
    finding = matching[0]
    assert finding.fingerprint == fingerprint
    occurrence = finding.occurrences[0]
    assert occurrence.location.line == before + 1
    # Outermost first; an encoding that left the secret's text unchanged (entities in a token
    # with no character to escape) is not needed to find it, so the chain may skip it.
    steps = iter(STEP.get(n, n) for n in reversed(chain))
    assert all(step in steps for step in occurrence.decoding), (occurrence.decoding, chain)


@settings(max_examples=40, deadline=None)
@given(
    blobs=st.lists(st.binary(min_size=12, max_size=400), min_size=1, max_size=6),
    chain=st.lists(
        st.sampled_from(["base64", "base64url", "hex"]), min_size=1, max_size=DEFAULT_DECODE_DEPTH
    ),
)
def test_random_bytes_under_encodings_give_nothing(blobs: list[bytes], chain: list[str]) -> None:
    lines = []
    for blob in blobs:
        encoded = blob
        for name in chain:
            encoded = ENCODERS[name](encoded)
        lines.append(b"k: " + encoded)
    findings = scan(b"\n".join(lines) + b"\n", Limits())
    assert [f for f in findings if any(o.decoding for o in f.occurrences)] == []
