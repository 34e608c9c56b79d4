"""The peers' files read into import plans, and plans resolved against findings (no scanning)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence

import pytest

from leakwarden.errors import ConfigError
from leakwarden.ignore.importers import (
    AllowPath,
    AllowSecret,
    PlaceIgnore,
    SecretIgnore,
    Untranslated,
    parse_gitguardian,
    parse_gitleaks_config,
    parse_gitleaksignore,
    parse_secrets_baseline,
)
from leakwarden.ignore.importers.resolve import (
    ALREADY,
    APPROXIMATE,
    IMPORTED,
    NOT_TRANSLATED,
    FileScan,
    resolve,
)
from leakwarden.ignore.policy import IgnoreEntry
from leakwarden.model import Confidence, Finding, Location, Occurrence, StdinProvenance

COMMIT = "3f9a1c0d5e7b2a4c6e8f0a1b3c5d7e9f1a2b3c4d"

GITLEAKSIGNORE = f"""\
# Sample credentials of the payment sandbox, revoked 2026-10.
{COMMIT}:services/billing/settings.py:stripe-access-token:14

config/dev.env:generic-api-key:3
"""

GITLEAKS_TOML = """\
title = "payments gitleaks config"

[extend]
useDefault = true

[allowlist]
description = "global allow list"
paths = [
    '''^docs/''',
    '''(?i)\\.(?:bmp|gif|jpe?g|png|svg)$''',
    '''(?:^|/)testdata(?:/.*)?$''',
    '''^deploy/[a-z]+/values\\.yaml$''',
]
regexes = ['''^sk_test_[0-9a-zA-Z]{24}$''']
stopwords = ["dummy", "changeme"]
commits = ["9c1e0ad7b3f54e2aa1d6c8b0e4f7a9d2c5b8e1f3"]

[[allowlists]]
description = "only for the generic rule"
targetRules = ["generic-api-key"]
regexes = ['''local''']

[[allowlists]]
description = "fixtures of the test suite"
condition = "AND"
paths = ['''^tests/''']
regexes = ['''fake''']

[[allowlists]]
regexTarget = "line"
regexes = ['''EXAMPLE_KEY =''']

[[rules]]
id = "acme-token"
regex = '''acme_[0-9a-f]{32}'''
[rules.allowlist]
regexes = ['''acme_0{32}''']
"""


def test_gitleaksignore_lines_with_and_without_commit_keep_their_comment() -> None:
    plan = parse_gitleaksignore(GITLEAKSIGNORE)
    first, second = plan.items
    assert isinstance(first, PlaceIgnore)
    assert isinstance(second, PlaceIgnore)
    assert (first.commit, first.path, first.their_rule, first.line) == (
        COMMIT,
        "services/billing/settings.py",
        "stripe-access-token",
        14,
    )
    assert first.origin.reason() == (
        "imported from gitleaks .gitleaksignore: Sample credentials of the payment sandbox, revoked 2026-10."
    )
    assert (second.commit, second.path, second.line) == ("", "config/dev.env", 3)
    assert second.origin.note == "config/dev.env:generic-api-key:3"


@pytest.mark.parametrize("line", ["config/dev.env", "config/dev.env:generic-api-key", "a:b:twelve"])
def test_malformed_gitleaksignore_names_the_line(line: str) -> None:
    with pytest.raises(ConfigError, match=r"^\.gitleaksignore: line 2: not a gitleaks fingerprint"):
        parse_gitleaksignore(f"# ok\n{line}\n")


def test_gitleaks_allowlists() -> None:
    items = parse_gitleaks_config(GITLEAKS_TOML).items
    globs = [i.glob for i in items if isinstance(i, AllowPath)]
    assert globs[:2] == ["/docs/", "*.[bB][mM][pP]"]
    assert "testdata" in globs
    secrets = [i.regex for i in items if isinstance(i, AllowSecret)]
    assert secrets == ["^sk_test_[0-9a-zA-Z]{24}$", "(?i)dummy", "(?i)changeme"]
    untranslated = [i for i in items if isinstance(i, Untranslated)]

    def why(fragment: str) -> str:
        return next(i.why for i in untranslated if fragment in i.origin.note)

    assert "no gitignore glob" in why("values")
    assert "not commits" in why("[allowlist] commits (1)")
    assert "generic-api-key" in why("[[allowlists]] #1 targetRules (only for the generic rule)")
    assert "accept more" in why("[[allowlists]] #2 condition = AND over paths, regexes")
    assert "secret only" in why("[[allowlists]] #3 regexes 'EXAMPLE_KEY ='")
    assert "extends" in why("[extend]")
    assert "one gitleaks rule" in why("[[rules]] acme-token allowlist")
    assert "rule file" in why("[[rules]] (1)")
    assert len(untranslated) == 8


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[allowlist\n", "invalid TOML"),
        ("allowlist = 3\n", "key allowlist: must be a table"),
        ("[allowlist]\npaths = '^docs/'\n", "key [allowlist].paths: must be an array of strings"),
        ('[[allowlists]]\ncondition = "XOR"\n', "condition: must be OR or AND"),
    ],
)
def test_malformed_gitleaks_config(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"^\.gitleaks\.toml: .*{re.escape(message)}"):
        parse_gitleaks_config(text)


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


BASELINE = {
    "version": "1.5.0",
    "plugins_used": [{"name": "AWSKeyDetector"}, {"name": "KeywordDetector", "keyword_exclude": ""}],
    "filters_used": [
        {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
        {"path": "detect_secrets.filters.heuristic.is_likely_id_string"},
        {"path": "detect_secrets.filters.regex.should_exclude_file", "pattern": ["^vendor/", "\\.lock$"]},
        {"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": ["noqa: secret"]},
        {"path": "detect_secrets.filters.regex.should_exclude_secret", "pattern": ["^dummy-"]},
        {"path": "file://./scripts/our_filter.py::is_generated"},
    ],
    "results": {
        "settings/local.py": [
            {
                "type": "Secret Keyword",
                "filename": "settings/local.py",
                "hashed_secret": sha1("a-fake-local-password"),
                "is_verified": False,
                "line_number": 12,
                "is_secret": False,
            },
            {
                "type": "AWS Access Key",
                "filename": "settings/local.py",
                "hashed_secret": sha1("AKIAQ7W2ZXM4PLK6RT3N"),
                "is_verified": False,
                "line_number": 20,
                "is_secret": True,
            },
        ],
        "docker/.env": [
            {
                "type": "Basic Auth Credentials",
                "filename": "docker/.env",
                "hashed_secret": sha1("hunter2hunter2"),
                "is_verified": False,
                "line_number": 2,
            }
        ],
    },
    "generated_at": "2026-11-02T09:14:51Z",
}


def test_secrets_baseline() -> None:
    items = parse_secrets_baseline(json.dumps(BASELINE, indent=2)).items
    places = [i for i in items if isinstance(i, PlaceIgnore)]
    assert [(p.path, p.line, p.sha1, p.their_rule) for p in places] == [
        ("settings/local.py", 12, sha1("a-fake-local-password"), "Secret Keyword"),
        ("docker/.env", 2, sha1("hunter2hunter2"), "Basic Auth Credentials"),
    ]
    assert places[0].origin.note == "Secret Keyword at settings/local.py:12, audited: not a secret"
    assert places[1].origin.note.endswith("unaudited baseline entry")
    assert [i.glob for i in items if isinstance(i, AllowPath)] == ["/vendor/", "*.lock"]
    assert [i.regex for i in items if isinstance(i, AllowSecret)] == ["^dummy-"]
    why = [i.why for i in items if isinstance(i, Untranslated)]
    assert len(why) == 3
    assert "real secret" in why[0]
    assert "no line allowlist" in why[1]
    assert "custom filter" in why[2]


def test_old_baseline_exclude_section() -> None:
    old = {"exclude": {"files": "^tests/fixtures/", "lines": "pragma: whitelist"}, "results": {}}
    items = parse_secrets_baseline(json.dumps(old)).items
    assert [type(i).__name__ for i in items] == ["AllowPath", "Untranslated"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{", "invalid JSON"),
        ("[]", "key results: missing"),
        ('{"results": []}', "key results: must be an object"),
        ('{"results": {"a.py": [{"hashed_secret": "zz", "line_number": 1}]}}', "hashed_secret"),
        ('{"results": {"a.py": [{"hashed_secret": "' + "a" * 40 + '", "line_number": 0}]}}', "line_number"),
    ],
)
def test_malformed_secrets_baseline(document: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"^\.secrets\.baseline: .*{message}"):
        parse_secrets_baseline(document)


PLAIN_SECRET = "glpat-Qm4r7Tz2Lw9Xc1Vb6Nk8"
GG_V2 = f"""\
version: 2
exit_zero: false
secret:
  show_secrets: false
  ignored_matches:
    - name: sandbox stripe key in docs
      match: {"e" * 64}
    - name: gitlab token of the demo
      match: {PLAIN_SECRET}
  ignored_paths:
    - "docs/"
    - "**/fixtures/*.json"
  ignored_detectors:
    - Generic Password
"""


def test_gitguardian_v2_hashes_a_plain_secret_at_once() -> None:
    plan = parse_gitguardian(GG_V2)
    matches = [i for i in plan.items if isinstance(i, SecretIgnore)]
    assert [(m.sha256, m.given_as_hash) for m in matches] == [
        ("e" * 64, True),
        (hashlib.sha256(PLAIN_SECRET.encode()).hexdigest(), False),
    ]
    assert PLAIN_SECRET not in repr(plan)
    assert [i.glob for i in plan.items if isinstance(i, AllowPath)] == ["docs/", "**/fixtures/*.json"]
    assert [i.origin.note for i in plan.items if isinstance(i, Untranslated)] == [
        "secret.ignored_detectors 'Generic Password'"
    ]


def test_gitguardian_v1() -> None:
    text = "paths-ignore:\n  - tests/\nmatches-ignore:\n  - " + "a" * 64 + "\nbanlisted-detectors: [x]\n"
    kinds = [type(i).__name__ for i in parse_gitguardian(text).items]
    assert kinds == ["SecretIgnore", "AllowPath", "Untranslated"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("secret: [\n", "invalid YAML at line 2"),
        ("- a\n", "must be a mapping"),
        ("version: 3\n", "key version: must be 1 or 2"),
        ("secret:\n  ignored_matches:\n    - name: x\n", r"ignored_matches\[0\].match"),
        ("secret:\n  ignored_paths: ['a**']\n", r"ignored_paths\[0\]: 'a\*\*' is not a valid"),
    ],
)
def test_malformed_gitguardian(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=rf"^\.gitguardian\.yaml: .*{message}"):
        parse_gitguardian(text)


# --- resolving against findings ------------------------------------------------------------------


def finding(rule: str, secret: str, *lines: int, parts: dict[str, str] | None = None) -> Finding:
    occurrences = [Occurrence(StdinProvenance("f"), Location(n, 5, n, 40), None) for n in lines]
    return Finding(rule, secret, Confidence.HIGH, parts or {}, occurrences)


class FakeLookup:
    def __init__(self, files: dict[str, list[Finding]], everywhere: Sequence[Finding] = ()) -> None:
        self.files, self.all = files, list(everywhere)

    def file(self, path: str, commit: str) -> FileScan:
        if path not in self.files:
            return FileScan(None, f"{path} does not exist (any more)")
        return FileScan(self.files[path], "older version read" if commit == "gone" else "")

    def everywhere(self) -> Sequence[Finding]:
        return self.all


def test_place_ignores_take_the_finding_on_that_line() -> None:
    token, other = finding("github.pat", "ghp_one", 3), finding("github.pat", "ghp_two", 9)
    plans = [parse_gitleaksignore("app.py:github-pat:3\napp.py:github-pat:10\nold.py:github-pat:1\n")]
    result = resolve(plans, FakeLookup({"app.py": [token, other]}), added_on="2026-12-01")
    assert [(o.status, o.what) for o in result.outcomes] == [
        (IMPORTED, f"ignore {token.fingerprint[:12]} (github.pat) in app.py"),
        (APPROXIMATE, f"ignore {other.fingerprint[:12]} (github.pat) in app.py"),
        (NOT_TRANSLATED, "old.py:1"),
    ]
    assert "line next to it" in result.outcomes[1].why
    assert [(e.fingerprint, e.paths) for e in result.ignores] == [
        (token.fingerprint, ("/app.py",)),
        (other.fingerprint, ("/app.py",)),
    ]
    assert result.ignores[0].reason == "imported from gitleaks .gitleaksignore: app.py:github-pat:3"


def test_detect_secrets_hash_picks_the_secret_and_falls_back_to_the_line() -> None:
    keyword = finding("generic.password", "a-fake-local-password", 12)
    neighbour = finding("generic.password", "another-fake-password", 12)
    key = finding("private_key.rsa", "-----BEGIN RSA PRIVATE KEY-----\nMIIB...", 2, 30)
    files = {"settings/local.py": [keyword, neighbour], "docker/.env": [key]}
    plan = parse_secrets_baseline(json.dumps(BASELINE))
    result = resolve([plan], FakeLookup(files))
    statuses = [(o.status, o.what.split(" (")[0]) for o in result.outcomes if o.what.startswith("ignore")]
    assert statuses == [
        (IMPORTED, f"ignore {keyword.fingerprint[:12]}"),
        (APPROXIMATE, f"ignore {key.fingerprint[:12]}"),
    ]
    assert neighbour.fingerprint not in {e.fingerprint for e in result.ignores}


def test_ggshield_hash_of_secret_and_match_type_and_of_a_pair_half() -> None:
    single = finding("gitlab.pat", PLAIN_SECRET, 1)
    pair = finding(
        "aws.pair", "s3cr3t", 4, parts={"access_key_id": "AKIAQ7W2ZXM4PLK6RT3N", "secret": "s3cr3t"}
    )
    hashed = hashlib.sha256(b"AKIAQ7W2ZXM4PLK6RT3N,client_id").hexdigest()
    text = f"version: 2\nsecret:\n  ignored_matches:\n    - match: {PLAIN_SECRET}\n    - match: {hashed}\n"
    text += f"    - name: unknown\n      match: {'c' * 64}\n"
    result = resolve([parse_gitguardian(text)], FakeLookup({}, [single, pair]))
    assert [(e.fingerprint, e.paths) for e in result.ignores] == [
        (single.fingerprint, ()),
        (pair.fingerprint, ()),
    ]
    assert result.outcomes[-1].status == NOT_TRANSLATED
    assert "match type" in result.outcomes[-1].why


def test_existing_entries_and_allowlists_are_not_repeated() -> None:
    token = finding("github.pat", "ghp_one", 3)
    elsewhere = IgnoreEntry(token.fingerprint, "reviewed", paths=("/other.py",))
    plans = [parse_gitleaksignore("app.py:github-pat:3\n"), parse_gitguardian("paths-ignore: [docs/]\n")]
    result = resolve(
        plans, FakeLookup({"app.py": [token]}), existing_ignores=[elsewhere], existing_allow_paths=["docs/"]
    )
    assert [o.status for o in result.outcomes] == [NOT_TRANSLATED, ALREADY]
    assert "add /app.py by hand" in result.outcomes[0].why
    assert result.ignores == []
    assert result.allow_paths == []


def test_one_finding_named_by_two_peers_gets_one_entry_with_both_reasons() -> None:
    token = finding("github.pat", "ghp_one", 3)
    plans = [
        parse_gitleaksignore("app.py:github-pat:3\n"),
        parse_gitleaksignore(f"{COMMIT}:app.py:github-pat:3\n", "other-ignore"),
    ]
    result = resolve(plans, FakeLookup({"app.py": [token]}))
    (entry,) = result.ignores
    assert entry.reason.count("imported from gitleaks") == 2
    assert entry.paths == ("/app.py",)


def test_places_outside_the_project_are_never_read() -> None:
    plans = [
        parse_gitleaksignore("../other/app.py:github-pat:3\n/etc/app.env:github-pat:1\n./a/../app.py:x:1\n")
    ]
    token = finding("github.pat", "ghp_one", 1)
    result = resolve(plans, FakeLookup({"app.py": [token]}))
    assert [(o.status, o.what, o.why) for o in result.outcomes[:2]] == [
        (NOT_TRANSLATED, "../other/app.py:3", "the path is outside the project"),
        (NOT_TRANSLATED, "/etc/app.env:1", "the path is outside the project"),
    ]
    assert result.ignores[0].paths == ("/app.py",)


def test_detect_secrets_never_takes_a_neighbouring_line() -> None:
    neighbour = finding("generic.password", "a-different-password", 13)
    text = json.dumps(
        {"results": {"a.py": [{"hashed_secret": sha1("x"), "line_number": 12, "type": "Secret Keyword"}]}}
    )
    result = resolve([parse_secrets_baseline(text)], FakeLookup({"a.py": [neighbour]}))
    assert [(o.status, o.why) for o in result.outcomes] == [
        (NOT_TRANSLATED, "leakwarden finds nothing there: nothing to accept")
    ]
    assert result.ignores == []
