"""Every rule of the built-in catalogue proves itself: each example found as that rule and each
negative not, in both engines; and the catalogue lints clean."""

from __future__ import annotations

import pytest

from leakwarden.lint import check_catalog
from leakwarden.rules.catalog import load_catalog
from tests.conftest import ENGINE_KINDS, engine_for

_CATALOG = load_catalog()
_EXAMPLES = [
    pytest.param(rule.id, i, text, id=f"{rule.id}[{i}]")
    for rule in _CATALOG.rules
    for i, text in enumerate(rule.examples)
]
_NEGATIVES = [
    pytest.param(rule.id, i, text, id=f"{rule.id}[{i}]")
    for rule in _CATALOG.rules
    for i, text in enumerate(rule.negative_examples)
]


@pytest.mark.parametrize("kind", ENGINE_KINDS)
@pytest.mark.parametrize(("rule_id", "index", "text"), _EXAMPLES)
def test_example_is_found(kind: str, rule_id: str, index: int, text: str) -> None:
    matches = engine_for(kind, _CATALOG).scan(text.encode())
    found = [m for m in matches if m.rule_id == rule_id]
    assert found, f"example {index} of {rule_id} not found by {kind}: got {[m.rule_id for m in matches]}"
    for match in found:
        assert match.secret in text or all(p in text for p in match.parts.values())


@pytest.mark.parametrize("kind", ENGINE_KINDS)
@pytest.mark.parametrize(("rule_id", "index", "text"), _NEGATIVES)
def test_negative_is_not_found(kind: str, rule_id: str, index: int, text: str) -> None:
    matches = engine_for(kind, _CATALOG).scan(text.encode())
    assert not [m for m in matches if m.rule_id == rule_id], f"negative {index} of {rule_id} found by {kind}"


def test_engines_agree_on_every_example() -> None:
    """The same matches, span for span, from both engines over every example at once."""
    corpus = "\n\n".join(t for r in _CATALOG.rules for t in (*r.examples, *r.negative_examples)).encode()
    python = engine_for("python", _CATALOG).scan(corpus)
    hyper = engine_for("hyperscan", _CATALOG).scan(corpus)
    assert [(m.rule_id, m.start, m.end, m.secret) for m in python] == [
        (m.rule_id, m.start, m.end, m.secret) for m in hyper
    ]
    assert python


def test_catalogue_lints_clean() -> None:
    assert [str(p) for p in check_catalog(_CATALOG)] == []


def test_founding_types_are_precise_rules() -> None:
    ids = {r.id for r in _CATALOG.rules}
    for rule_id in (
        "scalr.api_token",
        "scaleway.access_key",
        "scaleway.secret_key",
        "scaleway.api_key",
        "alibaba.access_key_id",
        "alibaba.access_key_secret",
        "alibaba.access_key",
        "packagecloud.api_token",
    ):
        assert rule_id in ids
        assert _CATALOG[rule_id].provider != "generic"
