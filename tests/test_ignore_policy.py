from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakwarden.errors import ConfigError
from leakwarden.ignore.policy import (
    IgnoreEntry,
    Policy,
    apply_policy,
    baseline_entries,
    parse_baseline,
    parse_ignore_file,
    render_baseline,
    render_ignore_entry,
)
from leakwarden.model import Confidence, FileProvenance, Finding, Location, Occurrence


def finding(secret: str, *paths: str, rule: str = "scaleway.api_key") -> Finding:
    occurrences = [Occurrence(FileProvenance(p), Location(3, 1, 3, 20), None) for p in paths]
    return Finding(rule, secret, Confidence.HIGH, {}, occurrences)


def test_ignore_entries_round_trip_and_apply(tmp_path: Path) -> None:
    fixture, real = finding("s3cr3t-a", "tests/fixtures/a.env"), finding("s3cr3t-b", "src/app.py")
    text = render_ignore_entry(
        IgnoreEntry(
            fixture.fingerprint,
            'fake key in "fixtures"',
            "scaleway.api_key",
            ("tests/**",),
            "dev",
            "2026-11-24",
        )
    )
    (entry,) = parse_ignore_file(text, "x.toml")
    assert entry.reason == 'fake key in "fixtures"'
    kept, suppressed = apply_policy([fixture, real], Policy(tmp_path, ignores=[entry]))
    assert kept == [real]
    assert [s.reason for s in suppressed] == ['ignore file: fake key in "fixtures"']


def test_path_restricted_ignore_keeps_other_places(tmp_path: Path) -> None:
    spread = finding("s3cr3t-c", "tests/a.env", "deploy/prod.env")
    entry = IgnoreEntry(spread.fingerprint, "test copy", paths=("tests/**",))
    (kept,), _ = apply_policy([spread], Policy(tmp_path, ignores=[entry]))
    assert [o.provenance.path for o in kept.occurrences] == ["deploy/prod.env"]


def test_baseline_round_trip(tmp_path: Path) -> None:
    old, new = finding("s3cr3t-old", "a.env"), finding("s3cr3t-new", "b.env")
    text = render_baseline(baseline_entries([old]), "2026-11-24T00:00:00Z")
    assert "s3cr3t" not in text
    baseline = parse_baseline(text, "baseline.json")
    kept, suppressed = apply_policy([old, new], Policy(tmp_path, baseline=baseline))
    assert kept == [new]
    assert [s.reason for s in suppressed] == ["baseline"]


def test_allow_paths_and_secrets(tmp_path: Path) -> None:
    docs = finding("s3cr3t-d", str(tmp_path / "docs" / "guide.md"))
    dummy = finding("test-token-123", "src/a.py")
    kept, suppressed = apply_policy(
        [docs, dummy], Policy(tmp_path, allow_paths=["docs/"], allow_secrets=["^test-token-"])
    )
    assert kept == []
    assert sorted(s.reason for s in suppressed) == ["allow_paths", "allow_secrets"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[ignore]]\nfingerprint = "nothex"\nreason = "x"\n', "ignore[0].fingerprint"),
        (
            '[[ignore]]\nfingerprint = "0123456789abcdef"\nreason = "x"\n',
            "ignore[0].fingerprint: must be a full",
        ),
        ('[[ignore]]\nfingerprint = "' + "ab" * 20 + '"\n', "ignore[0].reason: every ignore needs a reason"),
        (
            '[[ignore]]\nfingerprint = "' + "ab" * 20 + '"\nreason = "x"\nwho = "me"\n',
            "ignore[0].who: unknown key",
        ),
        ("ignore = 3\n", "key ignore: must be an array of tables"),
    ],
)
def test_bad_ignore_file(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_ignore_file(text, "x.toml")


def test_bad_baseline() -> None:
    with pytest.raises(ConfigError, match="not a leakwarden baseline"):
        parse_baseline(json.dumps({"version": 9}), "b.json")
    with pytest.raises(ConfigError, match="invalid JSON"):
        parse_baseline("{", "b.json")
