"""The engine's own guarantees: filters, checksums, windows, pairing, and engine agreement."""

from __future__ import annotations

import random
import string
import zlib

import pytest

from leakwarden.matching.engine import Engine, HyperscanEngine, PythonEngine, build_engine
from leakwarden.matching.filters import (
    base62_crc32_ok,
    confluent_crc32_ok,
    is_placeholder,
    jwt_ok,
    packagist_crc32_ok,
    shannon_entropy,
)
from leakwarden.rules.catalog import Catalog, RuleFile, build_catalog

_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def github_style(prefix: str, rng: random.Random) -> str:
    body = "".join(rng.choice(_B62) for _ in range(30))
    value, digits = zlib.crc32(body.encode()), ""
    for _ in range(6):
        value, digit = divmod(value, 62)
        digits = _B62[digit] + digits
    return f"{prefix}_{body}{digits}"


@pytest.mark.parametrize(
    "value",
    [
        "xxxxxxxxxxxxxxxx",
        "XXXXXXXX-XXXX",
        "<your-api-key>",
        "${API_TOKEN}",
        "{{ vault_token }}",
        "$(cat /run/secrets/token)",
        "%(password)s",
        "AKIAIOSFODNN7EXAMPLE",
        "your_api_key_here",
        "changeme",
        "00000000-0000-0000-0000-000000000000",
        "abcdefghijklmnop",
        "1234567890123456",
        "ababababababab",
        "sk-live-****************",
    ],
)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value", ["eb9bff35-ec2b-4bb4-ba81-d752c751e3de", "SCWFSJWESQRAQJXM9X4O", "vO2qS9LDaVAciXTj6ICkbAXqHN"]
)
def test_real_shapes_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


def test_entropy() -> None:
    assert shannon_entropy("") == 0.0
    assert shannon_entropy("aaaa") == 0.0
    assert shannon_entropy("abcd") == pytest.approx(2.0)


def test_base62_crc32() -> None:
    rng = random.Random(7)
    token = github_style("ghp", rng)
    assert base62_crc32_ok(token)
    broken = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert not base62_crc32_ok(broken)
    assert not base62_crc32_ok("ghp_short")
    assert not base62_crc32_ok("ghp_" + "a" * 29 + "!!!!!!!")


def test_packagist_crc32() -> None:
    # CRC32 of "packagist_ort_" + the 60 hex digits, worked out bit by bit (reflected polynomial
    # 0xEDB88320) independently of zlib: ef52023f.
    random_part = "3f0c1a9e5b7d2468ace013579bdf2468ace013579bdf02468ace13579bdf"
    assert packagist_crc32_ok("packagist_ort_" + random_part + "ef52023f")
    assert not packagist_crc32_ok("packagist_ort_" + random_part + "ef52023e")
    assert not packagist_crc32_ok("packagist_out_" + random_part + "ef52023f")  # prefix is covered
    assert not packagist_crc32_ok("packagist_ort_" + random_part[:-1] + "ef52023f")
    assert not packagist_crc32_ok("packagist_ort_" + random_part + "EF52023F")


def test_confluent_crc32() -> None:
    # The secret Confluent's API key documentation shows: its last six characters are the
    # base64 of the little-endian CRC32 of the 54 characters after `cflt`.
    documented = "cfltT8d8RzkNseTMEDKcjNM1BZTFPHqRn/dQm9q7w6SjzZ12wZfwjaJdipHZtDjw"
    assert confluent_crc32_ok(documented)
    assert not confluent_crc32_ok(documented[:-1] + "x")
    assert not confluent_crc32_ok("cflt" + documented[5:] + "w")  # random part changed
    assert not confluent_crc32_ok(documented[4:])  # no prefix
    assert not confluent_crc32_ok(documented[:-2])  # too short


def test_jwt() -> None:
    assert jwt_ok("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl")
    assert not jwt_ok("eyJhbGciOiJIUzI1NiJ9.bm90LWpzb24.c2ln")  # payload is not JSON
    assert not jwt_ok("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln")  # header names no alg
    assert not jwt_ok("a.b")


def _catalog(yaml_text: str) -> Catalog:
    return build_catalog([RuleFile("test.yaml", yaml_text.encode())])


TOY = _catalog(
    """
provider: toy
provider_name: Toy
rules:
  - id: toy.token
    name: Toy token
    category: saas
    confidence: high
    pattern: '\\b(?P<secret>toy_[a-z0-9]{8,40})\\b'
    keywords: [toy_]
    entropy: 2.5
    references: ['https://toy.example/docs']
    examples: ['toy_a8f3k2m9q1']
  - id: toy.spread
    name: Toy spread
    category: saas
    confidence: medium
    pattern: 'spread(?P<secret>[0-9]{4})[\\s\\S]{0,3000}?end'
    keywords: [spread]
    references: ['https://toy.example/docs']
    examples: ['spread4821 ... end']
"""
)


def _spans(engine: Engine, data: bytes) -> list[tuple[str, int, int, str]]:
    return [(m.rule_id, m.start, m.end, m.secret) for m in engine.scan(data)]


def test_engines_agree_on_random_text_with_planted_tokens() -> None:
    """Many matches, long variable-width matches and overlapping candidates, in big blobs."""
    rng = random.Random(1234)
    python, hyper = PythonEngine(TOY), HyperscanEngine(TOY)
    for _ in range(30):
        pieces = []
        for _ in range(rng.randint(1, 200)):
            filler = "".join(rng.choice(string.ascii_letters + " \n_") for _ in range(rng.randint(0, 400)))
            token = rng.choice(
                [
                    "toy_"
                    + "".join(
                        rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(6, 44))
                    ),
                    f"spread{rng.randint(1000, 9999)}" + "x" * rng.randint(0, 3100) + "end",
                    "toy_",
                    "spread12",
                ]
            )
            pieces += [filler, token]
        data = "".join(pieces).encode()
        assert _spans(python, data) == _spans(hyper, data)


def test_entropy_floor_rejects_low_entropy_secret() -> None:
    engine = build_engine(TOY, "python")
    assert _spans(engine, b"toy_aaaaaaaaaaab") == []
    assert [m[0] for m in _spans(engine, b"x toy_a8f3k2m9q1 y")] == ["toy.token"]


def test_keyword_must_be_inside_the_match() -> None:
    catalog = _catalog(
        """
provider: ctx
provider_name: Ctx
rules:
  - id: ctx.key
    name: Ctx key
    category: saas
    confidence: high
    pattern: '(?i)(?:ctxkey|://)(?P<secret>[0-9a-f]{16})'
    keywords: [ctxkey]
    references: ['https://ctx.example/docs']
    examples: ['CTXKEY=0f1e2d3c4b5a6978']
"""
    )
    for kind in ("python", "hyperscan"):
        engine = build_engine(catalog, kind)
        assert [m[0] for m in _spans(engine, b"ctxkey0f1e2d3c4b5a6978 and https://1f1e2d3c4b5a6978")] == [
            "ctx.key"
        ]
        # The blob has the keyword, but not the second match: only the first is reported.
        assert len(_spans(engine, b"CTXKEY0f1e2d3c4b5a6978 https://9f1e2d3c4b5a6978")) == 1
