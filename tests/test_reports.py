"""Reports: SARIF against the official OASIS schema and GitHub code scanning's expectations, JSON
and JSONL against docs/report-schema.json, redaction in every format, hostile text, golden files
and fingerprint stability.

Golden files live in tests/golden/; regenerate them after a deliberate format change with
`LEAKWARDEN_UPDATE_GOLDEN=1 pytest tests/test_reports.py` and review the diff (tests/golden/README.md).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker

from leakwarden.model import (
    CommitProvenance,
    Confidence,
    FileProvenance,
    Finding,
    Location,
    Occurrence,
    ScanResult,
    ScanSummary,
    Skipped,
    StagedProvenance,
    StdinProvenance,
    SuppressedItem,
    fingerprint,
)
from leakwarden.reports import FORMATS, render
from leakwarden.reports import json_report as json_module
from leakwarden.reports import sarif as sarif_module
from leakwarden.reports.common import redact, safe
from leakwarden.reports.text import MAX_LISTED_OCCURRENCES, render_text
from leakwarden.rules.catalog import Catalog, RuleFile, build_catalog
from leakwarden.scan import scan_bytes

ROOT = Path(__file__).resolve().parents[1]
SARIF_SCHEMA_PATH = ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json"
REPORT_SCHEMA_PATH = ROOT / "docs" / "report-schema.json"
GOLDEN = ROOT / "tests" / "golden"
UPDATE_GOLDEN = os.environ.get("LEAKWARDEN_UPDATE_GOLDEN") == "1"

# A fake Scaleway key pair: the access key and the secret key the built-in pair rule joins.
ACCESS_KEY = "SCWFSJWESQRAQJXM9X4O"
SECRET_KEY = "eb9bff35-ec2b-4bb4-ba81-d752c751e3de"
SCW = f"SCW_ACCESS_KEY={ACCESS_KEY}\nSCW_SECRET_KEY={SECRET_KEY}\n".encode()
SCW_FINGERPRINT = "f9ce1bf6c9ddbd2b566f0adfb21a776053d34ea4"  # pinned: baselines depend on it

# Characters and sequences a hostile file name or scanned line can carry.
HOSTILE = (
    "evil\x1b[31mred\x1b[0m"  # SGR colour
    "\x1b]8;;https://example.invalid\x07link\x1b]8;;\x07"  # OSC 8 hyperlink
    "\x1b[2J"  # clear screen
    "\r\x00\x08\x7f\x9b"  # carriage return, NUL, backspace, DEL, C1 CSI
    "\n  next    all good, nothing to rotate"  # a forged report line
    "\u202eexe.txt\u2066\u200b\ufeff"  # bidi override, isolate, zero width, BOM
    "\u2028\u2029\x85"  # line and paragraph separators, NEL
    "[bold red]x[/]:smile:"  # rich markup and emoji codes
    "\udcff.env"  # a byte that was not UTF-8, as os.fsdecode gives it
)
RAW_CONTROLS = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))] + [
    "\u061c",
    *(chr(c) for c in range(0x200B, 0x2010)),
    *(chr(c) for c in range(0x2028, 0x202F)),
    *(chr(c) for c in range(0x2060, 0x206A)),
    "\ufeff",
    "\udcff",
]

# A small catalogue the tests own, so that golden files change only when a report format does,
# never when a built-in rule's wording does.
TEST_RULES = b"""\
provider: example
provider_name: Example Cloud
rules:
  - id: example.token
    name: Example Cloud API token
    category: cloud
    confidence: high
    description: An Example Cloud API token.
    pattern: '\\b(?P<secret>exmp_[A-Za-z0-9]{28})\\b'
    keywords: [exmp_]
    references:
      - https://example.invalid/docs/tokens
    examples:
      - 'EXAMPLE_TOKEN=exmp_4fQ9zK2LwR8tYb3NcV7hJ1sDpX6e'
    playbook:
      what: A token that acts as its owner on every Example Cloud API.
      revoke_url: https://example.invalid/settings/tokens
      logs: the Example Cloud audit log
  - id: example.key_id
    name: Example Cloud key id
    category: cloud
    confidence: low
    pattern: '\\b(?P<secret>EXK[A-Z0-9]{13})\\b'
    keywords: [EXK]
    examples:
      - 'EXK7QW2M9RT4ZP3LA'
  - id: example.key_secret
    name: Example Cloud key secret
    category: cloud
    confidence: medium
    pattern: 'example_secret\\s*=\\s*(?P<secret>[a-z0-9]{32})\\b'
    keywords: [example_secret]
    examples:
      - 'example_secret = 0123456789abcdefghijklmnopqrstuv'
  - id: example.key
    name: Example Cloud key pair
    category: cloud
    confidence: high
    pair:
      anchor: example.key_id
      anchor_role: key_id
      partner: example.key_secret
      partner_role: key_secret
      partner_pattern: '(?P<secret>[a-z0-9]{32})'
    examples:
      - "EXK7QW2M9RT4ZP3LA\\nexample_secret = 0123456789abcdefghijklmnopqrstuv"
"""
TOKEN = "exmp_4fQ9zK2LwR8tYb3NcV7hJ1sDpX6e"
KEY_ID = "EXK7QW2M9RT4ZP3LA"
KEY_SECRET = "0123456789abcdefghijklmnopqrstuv"
COMMIT_A = "3f786850e387550fdab836ed7e6dc881de23001b"
COMMIT_B = "89e6c98d92887913cadf06b2adb97f26cde4849b"
BLOB = "ab2f1c39e1c8f1bbb5ae3c4a0c9e0ab6ae7be7ee"


# --------------------------------------------------------------------------- helpers


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def sarif_validator() -> Draft4Validator:
    schema = _load(SARIF_SCHEMA_PATH)
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def report_schema() -> dict[str, Any]:
    schema = _load(REPORT_SCHEMA_PATH)
    Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="module")
def report_validator(report_schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(report_schema, format_checker=FormatChecker())


@pytest.fixture(scope="module")
def finding_validator(report_schema: dict[str, Any]) -> Draft202012Validator:
    sub = {"$schema": report_schema["$schema"], "$defs": report_schema["$defs"], "$ref": "#/$defs/finding"}
    return Draft202012Validator(sub, format_checker=FormatChecker())


def _errors(validator: Any, document: Any) -> list[str]:
    return [f"{e.json_path}: {e.message[:300]}" for e in validator.iter_errors(document)]


@pytest.fixture(scope="module")
def test_catalog() -> Catalog:
    return build_catalog([RuleFile("test:example.yaml", TEST_RULES)])


def _occ(provenance: Any, line: int, column: int, length: int, **kwargs: Any) -> Occurrence:
    return Occurrence(
        provenance, Location(line, column, line, column + length), kwargs.pop("blob_id", None), **kwargs
    )


def _fixed_result() -> ScanResult:
    """A small scan result covering every report feature, with nothing that varies between runs."""
    token_occurrences = [
        _occ(FileProvenance("config/settings.py"), 12, 17, len(TOKEN), captures={"variable": "API_TOKEN"}),
        _occ(
            CommitProvenance(
                "deploy/old settings.py",
                COMMIT_A,
                "Ada Lovelace",
                "ada@example.invalid",
                "2024-03-01T10:20:30+01:00",
                "Add deployment settings",
                other_commits=(COMMIT_B,),
                other_commit_count=1,
            ),
            3,
            9,
            len(TOKEN),
            blob_id=BLOB,
        ),
        _occ(StagedProvenance("src\\windows\\app.ini"), 1, 1, len(TOKEN), blob_id=BLOB),
    ]
    pair_occurrences = [_occ(StdinProvenance("<stdin>"), 2, 16, len(KEY_SECRET))]
    summary = ScanSummary(
        blobs=4,
        bytes=12345,
        duplicates=1,
        skipped=[
            Skipped("assets/logo.png", "binary"),
            Skipped("dump.sql", "too large", "52428800 bytes > 10485760"),
        ],
        duration_s=1.23456,
        engine="python",
        rules=4,
        notes=["git log stopped early; the objects it listed were scanned"],
        suppressed=[
            SuppressedItem(
                "example.token",
                fingerprint("example.token", "exmp_" + "A" * 28),
                "tests/x.py",
                4,
                "inline",
                "fixture",
            ),
            SuppressedItem(
                "example.token", fingerprint("example.token", "exmp_" + "B" * 28), "docs/y.md", 9, "baseline"
            ),
        ],
    )
    return ScanResult(
        findings=[
            Finding("example.token", TOKEN, Confidence.HIGH, {}, token_occurrences),
            Finding(
                "example.key",
                KEY_SECRET,
                Confidence.HIGH,
                {"key_id": KEY_ID, "key_secret": KEY_SECRET},
                pair_occurrences,
            ),
        ],
        summary=summary,
        target="config, deploy",
    )


def _scw(catalog: Catalog, label: str = "config/app.env", data: bytes = SCW) -> ScanResult:
    # The pure-Python engine: these tests are about reports, and it needs no pattern database build.
    return scan_bytes(data, label=label, catalog=catalog, engine="python")


def _sarif(result: ScanResult, catalog: Catalog, show: bool = False) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render("sarif", result, catalog, show))
    return document


def _uri_is_relative_reference(uri: str) -> bool:
    parts = urlsplit(uri)
    return not parts.scheme and not parts.netloc and not uri.startswith("/")


_URI_CHARS = re.compile(r"^[A-Za-z0-9\-._~!$&'()*+,;=@/%]*$")  # RFC 3986, percent-escapes included


# --------------------------------------------------------------------------- SARIF


def test_the_vendored_sarif_schema_is_the_oasis_one() -> None:
    schema = _load(SARIF_SCHEMA_PATH)
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    schema_id = schema.get("$id", schema.get("id"))
    assert (
        schema_id
        == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    Draft4Validator.check_schema(schema)


@pytest.mark.parametrize("show", [False, True])
def test_sarif_is_valid_against_the_official_schema(
    sarif_validator: Draft4Validator, catalog: Catalog, test_catalog: Catalog, show: bool
) -> None:
    assert _errors(sarif_validator, _sarif(_scw(catalog), catalog, show)) == []
    assert _errors(sarif_validator, _sarif(_fixed_result(), test_catalog, show)) == []
    assert _errors(sarif_validator, _sarif(ScanResult([], ScanSummary()), catalog, show)) == []


def test_sarif_is_valid_for_every_rule_of_the_catalogue(
    sarif_validator: Draft4Validator, catalog: Catalog
) -> None:
    """One result per built-in rule: every descriptor the catalogue can produce is valid SARIF."""
    findings = [
        Finding(
            rule.id,
            "s3cr3tValue" + str(i).zfill(12),
            rule.confidence,
            {},
            [_occ(FileProvenance(f"src/f{i}.py"), 1, 1, 23)],
        )
        for i, rule in enumerate(catalog.rules)
    ]
    document = _sarif(ScanResult(findings, ScanSummary()), catalog)
    assert _errors(sarif_validator, document) == []
    rules = document["runs"][0]["tool"]["driver"]["rules"]
    assert sorted(r["id"] for r in rules) == sorted(rule.id for rule in catalog.rules)


def test_sarif_meets_github_code_scanning_expectations(catalog: Catalog, test_catalog: Catalog) -> None:
    for result, cat in ((_scw(catalog), catalog), (_fixed_result(), test_catalog)):
        document = _sarif(result, cat)
        assert document["version"] == "2.1.0"
        run = document["runs"][0]
        driver = run["tool"]["driver"]
        assert driver["name"] == "leakwarden"
        assert driver["version"]
        rules = driver["rules"]
        assert len({r["id"] for r in rules}) == len(rules), "one descriptor per rule"
        for descriptor in rules:
            assert descriptor["help"]["text"].strip()
            assert descriptor["help"]["markdown"].strip()
            assert descriptor["shortDescription"]["text"].strip()
            severity = float(descriptor["properties"]["security-severity"])
            assert 0.0 < severity <= 10.0
            assert descriptor["properties"]["precision"] in {"very-high", "high", "medium", "low"}
        results = run["results"]
        assert len(results) == len(result.findings)
        for sarif_result, finding in zip(results, result.findings, strict=True):
            assert sarif_result["ruleId"] == finding.rule_id
            assert rules[sarif_result["ruleIndex"]]["id"] == sarif_result["ruleId"]
            assert sarif_result["partialFingerprints"] == {"leakwardenFingerprint/v1": finding.fingerprint}
            assert sarif_result["message"]["text"].strip()
            assert sarif_result["level"] in {"error", "warning", "note"}
            locations = sarif_result["locations"] + sarif_result.get("relatedLocations", [])
            assert len(locations) == len(finding.occurrences)
            for location, occ in zip(locations, finding.occurrences, strict=True):
                physical = location["physicalLocation"]
                uri = physical["artifactLocation"]["uri"]
                assert _uri_is_relative_reference(uri), uri
                assert "\\" not in uri
                assert not uri.startswith("./")
                assert _URI_CHARS.match(uri), uri
                assert unquote(uri) == occ.provenance.path.replace("\\", "/").removeprefix("./")
                region = physical["region"]
                assert region["startLine"] == occ.location.line >= 1
                assert region["startColumn"] == occ.location.column >= 1
                assert (region["endLine"], region["endColumn"]) >= (
                    region["startLine"],
                    region["startColumn"],
                )
            related_ids = [loc["id"] for loc in sarif_result.get("relatedLocations", [])]
            assert len(set(related_ids)) == len(related_ids)


def test_sarif_uris_escape_what_a_uri_cannot_hold(test_catalog: Catalog) -> None:
    paths = {
        "dir with space/100% #1?.env": "dir%20with%20space/100%25%20%231%3F.env",
        "./src/app.env": "src/app.env",
        "a:b.env": "a%3Ab.env",  # else it would read as a URI with scheme "a"
        "user@host/x=1&y;z.env": "user@host/x=1&y;z.env",
        "src\\win\\app.env": "src/win/app.env",
        "caf\u00e9/\u5bc6\u94a5.env": "caf%C3%A9/%E5%AF%86%E9%92%A5.env",
        "bad\udcff.env": "bad%FF.env",  # a file name that was not UTF-8: its byte, percent-encoded
        "/srv/app/.env": "file:///srv/app/.env",
        "C:\\work\\app.env": "file:///C:/work/app.env",
    }
    findings = [
        Finding("example.token", TOKEN, Confidence.HIGH, {}, [_occ(FileProvenance(path), 1, 1, len(TOKEN))])
        for path in paths
    ]
    document = _sarif(ScanResult(findings, ScanSummary()), test_catalog)
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in document["runs"][0]["results"]
    ]
    assert uris == list(paths.values())


def test_sarif_gives_a_rule_missing_from_the_catalogue_a_descriptor(
    sarif_validator: Draft4Validator, test_catalog: Catalog
) -> None:
    """ruleIndex must point at the result's own descriptor even when the catalogue lacks the rule."""
    findings = [
        Finding(
            "zzz.last", "s3cr3tValue000000000001", Confidence.LOW, {}, [_occ(FileProvenance("a"), 1, 1, 5)]
        ),
        Finding(
            "aaa.first",
            "s3cr3tValue000000000002",
            Confidence.MEDIUM,
            {},
            [_occ(FileProvenance("b"), 1, 1, 5)],
        ),
        Finding("example.token", TOKEN, Confidence.HIGH, {}, [_occ(FileProvenance("c"), 1, 1, len(TOKEN))]),
    ]
    document = _sarif(ScanResult(findings, ScanSummary()), test_catalog)
    assert _errors(sarif_validator, document) == []
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        descriptor = rules[result["ruleIndex"]]
        assert descriptor["id"] == result["ruleId"]
        assert descriptor["help"]["text"]
    assert rules[run["results"][0]["ruleIndex"]]["properties"]["precision"] == "low"


def test_sarif_tags_are_a_set(sarif_validator: Draft4Validator) -> None:
    """A provider named like its category must not repeat a tag (SARIF tags have uniqueItems)."""
    generic = build_catalog(
        [
            RuleFile(
                "test:generic.yaml",
                b"provider: generic\nprovider_name: Generic\nrules:\n"
                b"  - id: generic.password\n    name: Password\n    category: generic\n"
                b"    confidence: low\n    pattern: 'password=(?P<secret>\\S{12,})'\n"
                b"    keywords: [password]\n    examples: ['password=hunter2hunter2']\n",
            )
        ]
    )
    finding = Finding(
        "generic.password", "hunter2hunter2", Confidence.LOW, {}, [_occ(FileProvenance("a"), 1, 10, 14)]
    )
    document = _sarif(ScanResult([finding], ScanSummary()), generic)
    assert _errors(sarif_validator, document) == []
    tags = document["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"]
    assert tags == ["security", "secret", "generic"]


# --------------------------------------------------------------------------- JSON and JSONL


@pytest.mark.parametrize("show", [False, True])
def test_json_is_valid_against_the_documented_schema(
    report_validator: Draft202012Validator, catalog: Catalog, test_catalog: Catalog, show: bool
) -> None:
    for result, cat in (
        (_scw(catalog), catalog),
        (_fixed_result(), test_catalog),
        (ScanResult([], ScanSummary()), catalog),
    ):
        document = json.loads(render("json", result, cat, show))
        assert _errors(report_validator, document) == []
        assert document["summary"]["findings"] == len(document["findings"]) == len(result.findings)
        assert all(f["redacted"] is (not show) for f in document["findings"])


def test_the_report_schema_is_strict_where_the_code_is_definite(
    report_validator: Draft202012Validator, test_catalog: Catalog
) -> None:
    good = json.loads(render("json", _fixed_result(), test_catalog))
    assert _errors(report_validator, good) == []

    def broken(change: Any) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(json.dumps(good))
        change(document)
        return document

    def finding(d: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = d["findings"][0]
        return result

    def occurrence(d: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = d["findings"][0]["occurrences"][0]
        return result

    bad_changes = [
        lambda d: d.update(schema_version="2.0"),
        lambda d: d.pop("summary"),
        lambda d: d.update(extra=1),
        lambda d: finding(d).update(confidence="critical"),
        lambda d: finding(d).update(fingerprint="F" * 40),
        lambda d: finding(d).update(redacted="yes"),
        lambda d: finding(d).update(occurrences=[]),
        lambda d: finding(d).pop("parts"),
        lambda d: finding(d).update(unexpected=True),
        lambda d: occurrence(d).update(kind="svn"),
        lambda d: occurrence(d).update(line=0),
        lambda d: occurrence(d).pop("blob_id"),
        lambda d: occurrence(d).update(captures={"variable": 1}),
        lambda d: d["findings"][0]["occurrences"][1].pop("commit"),
        lambda d: d["summary"].update(duration_s="fast"),
        lambda d: d["summary"]["suppressed_items"][0].pop("reason"),
        lambda d: finding(d)["remediation"].pop("first_steps"),
        lambda d: finding(d)["remediation"].update(guide="rm -rf /"),
    ]
    for index, change in enumerate(bad_changes):
        assert _errors(report_validator, broken(change)), f"change {index} should be invalid"

    # Occurrences are open: git provenance fields can be added without a schema change.
    extended = broken(lambda d: occurrence(d).update(carried_by=[COMMIT_B], other_commits=[COMMIT_A]))
    assert _errors(report_validator, extended) == []


def test_json_carries_git_provenance(test_catalog: Catalog) -> None:
    document = json.loads(render("json", _fixed_result(), test_catalog))
    first, commit, staged = document["findings"][0]["occurrences"]
    assert first == {
        "path": "config/settings.py",
        "kind": "file",
        "line": 12,
        "column": 17,
        "end_line": 12,
        "end_column": 17 + len(TOKEN),
        "blob_id": None,
        "captures": {"variable": "API_TOKEN"},
    }
    assert commit["kind"] == "commit"
    assert commit["commit"] == COMMIT_A
    assert commit["author_email"] == "ada@example.invalid"
    assert commit["date"] == "2024-03-01T10:20:30+01:00"
    assert commit["other_commits"] == [COMMIT_B]
    assert commit["blob_id"] == BLOB
    assert staged["kind"] == "staged"


@pytest.mark.parametrize("show", [False, True])
def test_jsonl_is_one_valid_finding_per_line(
    finding_validator: Draft202012Validator, catalog: Catalog, test_catalog: Catalog, show: bool
) -> None:
    for result, cat in ((_scw(catalog), catalog), (_fixed_result(), test_catalog)):
        output = render("jsonl", result, cat, show)
        assert output.endswith("\n")
        lines = output.splitlines()  # the strictest splitter: also breaks at U+2028, NEL, \x1c…
        assert len(lines) == len(result.findings)
        expected = json.loads(render("json", result, cat, show))["findings"]
        for line, finding in zip(lines, expected, strict=True):
            parsed = json.loads(line)
            assert _errors(finding_validator, parsed) == []
            assert parsed == finding
    assert render("jsonl", ScanResult([], ScanSummary()), catalog) == ""


def test_every_report_field_is_documented(report_schema: dict[str, Any]) -> None:
    prose = (ROOT / "docs" / "report-format.md").read_text(encoding="utf-8")
    fields = set(report_schema["properties"])
    for name in ("finding", "occurrence", "remediation", "summary"):
        fields |= set(report_schema["$defs"][name]["properties"])
    missing = sorted(f for f in fields if f"`{f}`" not in prose)
    assert missing == []


# --------------------------------------------------------------------------- redaction


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_shows_a_secret_unless_asked(catalog: Catalog, fmt: str) -> None:
    result = _scw(catalog)
    assert [f.rule_id for f in result.findings] == ["scaleway.api_key"]
    hidden = render(fmt, result, catalog, False)
    for secret in (SECRET_KEY, ACCESS_KEY):
        assert secret not in hidden
        # Not even a long piece of it: at most the short prefix redaction keeps.
        pieces = {secret[i : i + 8] for i in range(len(secret) - 7)}
        assert not [p for p in pieces if p in hidden]
    if fmt != "text":
        assert redact(SECRET_KEY) in hidden
    shown = render(fmt, result, catalog, True)
    assert SECRET_KEY in shown
    if fmt != "sarif":  # SARIF's message names the finding's secret; the parts are in JSON and text
        assert ACCESS_KEY in shown


@pytest.mark.parametrize("fmt", FORMATS)
def test_redaction_covers_every_part_and_short_secrets(test_catalog: Catalog, fmt: str) -> None:
    short = Finding("example.token", "abc12345", Confidence.HIGH, {}, [_occ(FileProvenance("s"), 1, 1, 8)])
    result = _fixed_result()
    result.findings.append(short)
    hidden = render(fmt, result, test_catalog, False)
    for secret in (TOKEN, KEY_ID, KEY_SECRET, "abc12345"):
        assert secret not in hidden
    shown = render(fmt, result, test_catalog, True)
    for secret in (TOKEN, KEY_SECRET, "abc12345"):
        assert secret in shown


def test_redact_keeps_at_most_a_short_prefix() -> None:
    assert redact("abc12345") == "********"
    assert redact("") == ""
    for secret in (TOKEN, KEY_ID, KEY_SECRET, SECRET_KEY, "x" * 500):
        shown = redact(secret)
        prefix = shown.rstrip("*")
        assert len(prefix) <= 4
        assert len(prefix) <= len(secret) // 5
        assert secret.startswith(prefix)
        assert len(shown) <= 16


# --------------------------------------------------------------------------- hostile text


def _hostile_result() -> ScanResult:
    occurrences = [
        _occ(FileProvenance(HOSTILE), 1, 1, len(TOKEN), captures={"variable": HOSTILE, HOSTILE: "x"}),
        _occ(
            CommitProvenance(HOSTILE, COMMIT_A, HOSTILE, HOSTILE, HOSTILE, HOSTILE),
            2,
            1,
            len(TOKEN),
            blob_id=BLOB,
        ),
    ]
    summary = ScanSummary(
        skipped=[Skipped(HOSTILE, "unreadable", HOSTILE)],
        notes=[HOSTILE],
        suppressed=[
            SuppressedItem(
                "example.token", fingerprint("example.token", TOKEN), HOSTILE, 1, "inline", HOSTILE
            )
        ],
    )
    return ScanResult([Finding("example.token", TOKEN, Confidence.HIGH, {}, occurrences)], summary, HOSTILE)


@pytest.mark.parametrize("color", [False, True])
def test_hostile_text_is_inert_in_the_text_report(test_catalog: Catalog, color: bool) -> None:
    output = render_text(_hostile_result(), test_catalog, False, color=color)
    output.encode("utf-8")  # always writable, even with bytes that were not UTF-8
    if color:  # the report's own styles are SGR sequences; nothing else may reach the terminal
        output = re.sub(r"\x1b\[[0-9;]*m", "", output)
    for char in RAW_CONTROLS:
        if char != "\n":  # the report's own line breaks
            assert char not in output, f"raw {char!r} in the text report"
    # Every value stays on its own line: the forged line never starts a line.
    assert not [line for line in output.splitlines() if line.startswith("  next    all good")]
    assert output.splitlines()[0].startswith("evil\\x1b[31mred")
    # Markup is shown, not interpreted; the escapes show what was there.
    assert "[bold red]x[/]:smile:" in output
    assert "\\u202e" in output
    assert "\\xff.env" in output
    assert "\\x0a  next    all good" in output


def test_hostile_summary_line_is_inert() -> None:
    from leakwarden.reports.text import summary_line

    line = summary_line(ScanSummary(skipped=[Skipped("a", HOSTILE)], suppressed=[]), 0)
    assert not [c for c in RAW_CONTROLS if c in line]
    assert "\n" not in line


@pytest.mark.parametrize("fmt", ["json", "jsonl", "sarif"])
def test_hostile_text_stays_valid_json(
    fmt: str,
    test_catalog: Catalog,
    report_validator: Draft202012Validator,
    finding_validator: Draft202012Validator,
    sarif_validator: Draft4Validator,
) -> None:
    output = render(fmt, _hostile_result(), test_catalog)
    output.encode("utf-8")  # no lone surrogate: the report can be written as UTF-8
    for char in ("\x1b", "\x00", "\r", "\x85", "\u2028", "\u2029"):
        assert char not in output, f"raw {char!r} in {fmt}"
    lines = output.splitlines()
    if fmt == "jsonl":
        assert len(lines) == 1
        documents = [json.loads(line) for line in lines]
        assert _errors(finding_validator, documents[0]) == []
        path = documents[0]["occurrences"][0]["path"]
    elif fmt == "json":
        document = json.loads(output)
        assert _errors(report_validator, document) == []
        path = document["findings"][0]["occurrences"][0]["path"]
        assert document["summary"]["notes"] == [HOSTILE.replace("\udcff", "\\xff")]
    else:
        document = json.loads(output)
        assert _errors(sarif_validator, document) == []
        uri = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert _URI_CHARS.match(uri)
        assert unquote(uri, errors="surrogateescape") == HOSTILE
        return
    # JSON keeps the value exactly, except the undecodable byte, shown as the text report shows it.
    assert path == HOSTILE.replace("\udcff", "\\xff")


def test_safe_escapes_every_line_break_and_control() -> None:
    assert safe("a\nb\tc\rd") == "a\\x0ab\\x09c\\x0dd"
    assert safe("\u202e\u2028\ufeff\u061c") == "\\u202e\\u2028\\ufeff\\u061c"
    assert safe("bad\udcff") == "bad\\xff"
    assert safe("caf\u00e9 \u5bc6\u94a5 \U0001f511") == "caf\u00e9 \u5bc6\u94a5 \U0001f511"
    assert not [c for c in RAW_CONTROLS if c in safe("".join(RAW_CONTROLS))]


def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path: Path) -> None:
    """End to end: a non-UTF-8 file name used to crash the SARIF reporter and `--output`."""
    from leakwarden.cli.main import main

    folder = tmp_path / "repo"
    folder.mkdir()
    try:
        with open(os.path.join(os.fsencode(folder), b"bad\xff\x1b[31m.env"), "wb") as handle:
            handle.write(SCW)
    except (OSError, ValueError):
        pytest.skip("this file system only takes UTF-8 names")
    for fmt in FORMATS:
        out = tmp_path / f"report.{fmt}"
        code = main(
            ["scan", "path", str(folder), "--format", fmt, "--engine", "python", "-q", "-o", str(out)]
        )
        assert code == 1, fmt
        text = out.read_bytes().decode("utf-8")  # strict: the report is valid UTF-8
        assert "\x1b" not in text
        assert SECRET_KEY not in text
        if fmt == "sarif":
            assert "bad%FF%1B%5B31m.env" in text
        elif fmt in ("text", "csv", "junit"):
            assert "bad\\xff\\x1b[31m.env" in text
        else:
            assert "bad\\\\xff\\u001b[31m.env" in text


# --------------------------------------------------------------------------- golden files


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("json", "report.json"), ("jsonl", "report.jsonl"), ("sarif", "report.sarif"), ("text", "report.txt")],
)
def test_golden_output(monkeypatch: pytest.MonkeyPatch, test_catalog: Catalog, fmt: str, name: str) -> None:
    """The exact output for a fixed result; the tool version is pinned so releases do not churn it."""
    monkeypatch.setattr(json_module, "__version__", "0.0.0")
    monkeypatch.setattr(sarif_module, "__version__", "0.0.0")
    output = render(fmt, _fixed_result(), test_catalog, False)
    golden = GOLDEN / name
    if UPDATE_GOLDEN:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(output.encode("utf-8"))
    assert golden.exists(), f"{golden} is missing: run with LEAKWARDEN_UPDATE_GOLDEN=1 to create it"
    expected = golden.read_bytes().decode("utf-8")
    assert output == expected, (
        f"{name} changed; if the change is deliberate, regenerate with "
        "LEAKWARDEN_UPDATE_GOLDEN=1 pytest tests/test_reports.py and review the diff"
    )


def test_golden_files_are_valid(
    report_validator: Draft202012Validator,
    sarif_validator: Draft4Validator,
    finding_validator: Draft202012Validator,
) -> None:
    assert _errors(report_validator, _load(GOLDEN / "report.json")) == []
    assert _errors(sarif_validator, _load(GOLDEN / "report.sarif")) == []
    for line in (GOLDEN / "report.jsonl").read_text(encoding="utf-8").splitlines():
        assert _errors(finding_validator, json.loads(line)) == []


# --------------------------------------------------------------------------- fingerprints


def test_the_fingerprint_does_not_depend_on_where_the_secret_is(catalog: Catalog) -> None:
    places = [
        _scw(catalog),
        _scw(catalog, label="other/place.env"),
        _scw(catalog, data=b"# moved down\n\n\n" + SCW),
        _scw(catalog, data=b"   " + SCW.replace(b"\n", b"\n   ")),
        _scw(catalog, label="C:\\elsewhere\\x.env", data=b"x = 1\n" * 40 + SCW),
    ]
    fingerprints = {r.findings[0].fingerprint for r in places}
    assert fingerprints == {SCW_FINGERPRINT}
    lines = {r.findings[0].occurrences[0].location.line for r in places}
    assert len(lines) > 1  # the places really differed
    # The reports carry the same value.
    for result in places:
        assert json.loads(render("json", result, catalog))["findings"][0]["fingerprint"] == SCW_FINGERPRINT
        sarif = _sarif(result, catalog)
        assert (
            sarif["runs"][0]["results"][0]["partialFingerprints"]["leakwardenFingerprint/v1"]
            == SCW_FINGERPRINT
        )


def test_the_fingerprint_changes_with_the_secret_or_the_rule(catalog: Catalog) -> None:
    other_secret = _scw(catalog, data=SCW.replace(b"d752c751e3de", b"d752c751e3df"))
    other_access = _scw(catalog, data=SCW.replace(ACCESS_KEY.encode(), b"SCWB78SV8PNAG2XG1HXI"))
    assert other_secret.findings[0].fingerprint != SCW_FINGERPRINT
    assert other_access.findings[0].fingerprint != SCW_FINGERPRINT  # a pair is identified by every part
    assert fingerprint("example.token", TOKEN) != fingerprint("example.other", TOKEN)
    assert fingerprint("example.token", TOKEN) != fingerprint("example.token", TOKEN[:-1] + "f")
    assert fingerprint("example.token", TOKEN) == fingerprint("example.token", TOKEN)
    assert re.fullmatch(r"[0-9a-f]{40}", fingerprint("example.token", TOKEN))


def test_the_fingerprint_ignores_captures_and_provenance() -> None:
    a = Finding(
        "example.token", TOKEN, Confidence.HIGH, {}, [_occ(FileProvenance("a"), 1, 1, 5, captures={"v": "A"})]
    )
    b = Finding(
        "example.token",
        TOKEN,
        Confidence.LOW,
        {},
        [_occ(CommitProvenance("b", COMMIT_A), 9, 4, 5, captures={"v": "B"}, blob_id=BLOB)],
    )
    assert a.fingerprint == b.fingerprint


# --------------------------------------------------------------------------- text specifics


def test_text_lists_a_bounded_number_of_other_places(test_catalog: Catalog) -> None:
    occurrences = [
        _occ(FileProvenance(f"f{i}.py"), i + 1, 1, len(TOKEN)) for i in range(MAX_LISTED_OCCURRENCES + 4)
    ]
    result = ScanResult([Finding("example.token", TOKEN, Confidence.HIGH, {}, occurrences)], ScanSummary())
    output = render("text", result, test_catalog)
    assert output.count("also at") == MAX_LISTED_OCCURRENCES
    assert "… and 3 more places" in output


def test_unknown_format_is_an_error(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render("xml", ScanResult([], ScanSummary()), catalog)


@pytest.mark.parametrize(
    ("blobs", "size", "seconds", "findings", "expected"),
    [
        (1, 312, 0.02, 1, "scanned 1 blob, 312 bytes in 0.02s (15.6 KB/s); 1 finding"),
        (2, 1, 0.5, 0, "scanned 2 blobs, 1 byte in 0.50s (2 bytes/s); 0 findings"),
        (0, 0, 0.0, 0, "scanned 0 blobs, 0 bytes in 0.00s; 0 findings"),
        (3, 45_600, 0.1, 2, "scanned 3 blobs, 45.6 KB in 0.10s (456.0 KB/s); 2 findings"),
        (9, 476_500_000, 1.79, 3, "scanned 9 blobs, 476.5 MB in 1.79s (266.2 MB/s); 3 findings"),
        (9, 2_300_000_000, 10.0, 3, "scanned 9 blobs, 2.3 GB in 10.00s (230.0 MB/s); 3 findings"),
    ],
)
def test_summary_line_counts_and_sizes_read_naturally(
    blobs: int, size: int, seconds: float, findings: int, expected: str
) -> None:
    from leakwarden.reports.text import summary_line

    summary = ScanSummary(blobs=blobs, bytes=size, duration_s=seconds)
    assert summary_line(summary, findings) == expected


def _fake_rsa_pem(seed: int) -> str:
    """An RSA-2048 PKCS#1 key's shape: the DER header of a real one, then random bytes."""
    import base64
    import random

    der = b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00" + random.Random(seed).randbytes(1180)
    body = base64.b64encode(der).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----"


def test_a_private_key_is_redacted_as_its_type_and_a_short_digest(catalog: Catalog) -> None:
    pem = _fake_rsa_pem(1)
    label = redact(pem)
    assert re.fullmatch(r"RSA private key \(PKCS#1\), sha256:[0-9a-f]{8}…", label)
    # the same key wrapped otherwise (escaped in a JSON string) has the same digest; another key not
    assert redact(pem.replace("\n", "\\n")) == label
    assert redact(_fake_rsa_pem(2)) != label
    result = scan_bytes(f"key = '''{pem}'''\n".encode(), label="id_rsa.py", catalog=catalog)
    assert [f.rule_id for f in result.findings] == ["private_key.rsa"]
    text = render_text(result, catalog)
    assert label in text
    assert "----*" not in text
    assert pem.splitlines()[1][:8] not in text
    assert json.loads(render("json", result, catalog, False))["findings"][0]["secret"] == label


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("PRIVATE KEY", "private key (PKCS#8)"),
        ("EC PRIVATE KEY", "EC private key (SEC1)"),
        ("ENCRYPTED PRIVATE KEY", "encrypted private key (PKCS#8)"),
        ("OPENSSH PRIVATE KEY", "OpenSSH private key"),
        ("PGP PRIVATE KEY BLOCK", "PGP private key block"),
    ],
)
def test_every_armoured_key_kind_is_named(header: str, kind: str) -> None:
    body = "MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA"
    pem = f"-----BEGIN {header}-----\n{body}\n-----END {header}-----"
    assert redact(pem).startswith(f"{kind}, sha256:")
