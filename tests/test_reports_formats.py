"""The GitLab secret-detection, JUnit XML and CSV reports: GitLab's own schema (vendored),
well-formed XML parsed back, RFC 4180 rows parsed back, redaction, hostile text and formula
injection."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator

from leakwarden.cli.main import main
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
)
from leakwarden.reports import FORMATS, render
from leakwarden.reports import gitlab as gitlab_module
from leakwarden.reports.common import redact
from leakwarden.reports.csv_report import HEADER
from leakwarden.rules.catalog import Catalog, load_catalog
from leakwarden.scan import scan_bytes

ROOT = Path(__file__).resolve().parents[1]
GITLAB_SCHEMA = ROOT / "tests" / "schemas" / "secret-detection-report-format.json"
# Fake credentials, generated for these tests: a Scaleway access key and secret key (a pair).
ACCESS_KEY = "SCW7QZK3M9XW2PLR5TVD"
SECRET_KEY = "3f6c2a91-58d4-4e0b-9c7a-2b1e8d5f4a63"
SCW = f"SCW_ACCESS_KEY={ACCESS_KEY}\nSCW_SECRET_KEY={SECRET_KEY}\n".encode()
COMMIT = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
# What a file name or commit subject written by an attacker can hold: line breaks, escapes,
# NUL, characters XML 1.0 cannot carry, bidi overrides, a byte that is not UTF-8, a formula.
HOSTILE = '=HYPERLINK("http://x.invalid")\n\r\x00\x1b[2J\ufffe\uffff\u202e<a>&"\'\udcff.env'
FORMULAS = ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def gitlab_validator() -> Draft7Validator:
    schema = json.loads(GITLAB_SCHEMA.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def scw_result(catalog: Catalog, label: str = "config/app.env") -> ScanResult:
    return scan_bytes(SCW, label=label, catalog=catalog, engine="python")


def _occ(provenance: Any, line: int) -> Occurrence:
    return Occurrence(provenance, Location(line, 5, line, 41), None)


def git_result(
    catalog: Catalog, path: str = "deploy/prod.env", subject: str = "add deployment"
) -> ScanResult:
    """The Scaleway pair found in a commit, in the index and in a file: three occurrences."""
    found = scw_result(catalog).findings[0]
    occurrences = [
        _occ(
            CommitProvenance(
                path, COMMIT, "Ada Lovelace", "ada@example.invalid", "2024-01-02T03:04:05+00:00", subject
            ),
            2,
        ),
        _occ(StagedProvenance("staged.env"), 1),
        _occ(FileProvenance("plain.env"), 7),
    ]
    finding = Finding(found.rule_id, found.secret, found.confidence, found.parts, occurrences)
    summary = ScanSummary(blobs=3, duration_s=2.4, notes=["shallow clone: not everything was seen"])
    summary.skipped.append(Skipped("logo.png", "binary"))
    return ScanResult([finding], summary, "repo")


def hostile_result() -> ScanResult:
    token = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    occurrences = [
        _occ(FileProvenance(HOSTILE), 1),
        _occ(CommitProvenance(HOSTILE, COMMIT, HOSTILE, HOSTILE, HOSTILE, HOSTILE), 2),
    ]
    summary = ScanSummary(notes=[HOSTILE])
    return ScanResult([Finding("no.such.rule", token, Confidence.LOW, {}, occurrences)], summary, HOSTILE)


def _errors(validator: Draft7Validator, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


# --------------------------------------------------------------------------- the formats exist


def test_the_new_formats_are_offered() -> None:
    assert {"gitlab", "junit", "csv"} <= set(FORMATS)


# --------------------------------------------------------------------------- GitLab


def test_the_vendored_schema_is_gitlabs_secret_detection_schema() -> None:
    schema = json.loads(GITLAB_SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Report format for GitLab Secret Detection"
    assert schema["$id"].endswith(
        "/security-report-schemas/-/raw/master/dist/secret-detection-report-format.json"
    )
    assert schema["self"]["version"] == gitlab_module.SCHEMA_VERSION
    assert schema["properties"]["scan"]["properties"]["type"]["enum"] == ["secret_detection"]


@pytest.mark.parametrize("show", [False, True])
def test_gitlab_report_is_valid_against_gitlabs_schema(
    catalog: Catalog, gitlab_validator: Draft7Validator, show: bool
) -> None:
    for result in (scw_result(catalog), git_result(catalog), hostile_result(), ScanResult([], ScanSummary())):
        document = json.loads(gitlab_module.render_gitlab(result, catalog, show, now=NOW))
        assert _errors(gitlab_validator, document) == []


def test_gitlab_report_has_one_vulnerability_per_place(catalog: Catalog) -> None:
    document = json.loads(gitlab_module.render_gitlab(git_result(catalog), catalog, now=NOW))
    assert document["version"] == "15.2.1"
    assert document["scan"]["type"] == "secret_detection"
    assert document["scan"]["start_time"] == "2026-03-04T05:06:05"
    assert document["scan"]["end_time"] == "2026-03-04T05:06:07"
    assert {"level": "info", "value": "shallow clone: not everything was seen"} in document["scan"][
        "messages"
    ]
    assert {"level": "warn", "value": "not scanned: 1 binary"} in document["scan"]["messages"]
    vulns = document["vulnerabilities"]
    assert [v["location"]["file"] for v in vulns] == ["deploy/prod.env", "staged.env", "plain.env"]
    assert [v["location"]["commit"]["sha"] for v in vulns] == [COMMIT, "0000000", "0000000"]
    assert vulns[0]["location"]["commit"]["author"] == "Ada Lovelace <ada@example.invalid>"
    assert vulns[0]["location"]["start_line"] == 2
    assert vulns[0]["identifiers"][0]["value"] == "scaleway.api_key"
    assert vulns[0]["severity"] == "Critical"
    assert len({v["id"] for v in vulns}) == 3
    again = json.loads(gitlab_module.render_gitlab(git_result(catalog), catalog, now=NOW))
    assert [v["id"] for v in again["vulnerabilities"]] == [v["id"] for v in vulns]  # stable ids


@pytest.mark.parametrize("fmt", ["gitlab", "junit", "csv"])
def test_secrets_are_redacted_unless_asked(catalog: Catalog, fmt: str) -> None:
    result = git_result(catalog)
    hidden = render(fmt, result, catalog, False)
    for secret in (SECRET_KEY, ACCESS_KEY):
        assert not [secret[i : i + 8] for i in range(len(secret) - 7) if secret[i : i + 8] in hidden]
    assert redact(SECRET_KEY) in hidden
    shown = render(fmt, result, catalog, True)
    assert SECRET_KEY in shown
    assert ACCESS_KEY in shown


# --------------------------------------------------------------------------- JUnit


def test_junit_is_one_failing_case_per_finding(catalog: Catalog) -> None:
    result = git_result(catalog)
    result.findings.append(scw_result(catalog, "other.env").findings[0])
    root = ET.fromstring(render("junit", result, catalog))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "2", "0")
    cases = suite.findall("testcase")
    assert len(cases) == 2
    assert all(case.find("failure") is not None for case in cases)
    first = cases[0]
    assert first.get("classname") == "leakwarden.scaleway.api_key"
    assert first.get("file") == "deploy/prod.env"
    assert first.get("line") == "2"
    failure = first.find("failure")
    assert failure is not None
    assert failure.text is not None
    assert f"found at deploy/prod.env:2:5 (commit {COMMIT})" in failure.text
    assert "found at plain.env:7:5" in failure.text
    out = suite.find("system-out")
    assert out is not None
    assert out.text == "note: shallow clone: not everything was seen"


def test_junit_clean_scan_is_one_passing_case(catalog: Catalog) -> None:
    root = ET.fromstring(render("junit", ScanResult([], ScanSummary(), "src"), catalog))
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == ["no leaked credentials in src"]
    assert cases[0].find("failure") is None
    assert root.get("failures") == "0"


def test_junit_hostile_text_is_well_formed_and_inert(catalog: Catalog) -> None:
    output = render("junit", hostile_result(), catalog)
    output.encode("utf-8")  # no lone surrogate
    for char in ("\x00", "\x1b", "\r", "\ufffe", "\uffff", "\u202e"):
        assert char not in output
    root = ET.fromstring(output)  # parses: nothing XML cannot carry, markup escaped
    case = root.find("./testsuite/testcase")
    assert case is not None
    assert (
        case.get("file")
        == '=HYPERLINK("http://x.invalid")\\x0a\\x0d\\x00\\x1b[2J\\ufffe\\uffff\\u202e<a>&"\'\\xff.env'
    )
    failure = case.find("failure")
    assert failure is not None
    assert failure.text is not None
    # Every line of the failure is one the report wrote: a file name cannot add one.
    assert all(
        line.startswith(("no.such.rule", "fingerprint", "found at", "Revoke"))
        for line in failure.text.splitlines()
    )


# --------------------------------------------------------------------------- CSV


def _rows(output: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output, newline="")))


def test_csv_has_a_header_and_one_row_per_occurrence(catalog: Catalog) -> None:
    output = render("csv", git_result(catalog, path="deploy/a, b.env", subject='say "hi"'), catalog)
    assert output.endswith("\r\n")
    assert "\n" not in output.replace("\r\n", "")
    rows = _rows(output)
    assert rows[0] == list(HEADER)
    assert len(rows) == 4
    records = [dict(zip(HEADER, row, strict=True)) for row in rows[1:]]
    assert [r["path"] for r in records] == ["deploy/a, b.env", "staged.env", "plain.env"]
    assert '"deploy/a, b.env"' in output  # quoted because of the comma
    assert records[0]["subject"] == 'say "hi"'
    assert '"say ""hi"""' in output
    assert [r["kind"] for r in records] == ["commit", "staged", "file"]
    assert records[0]["commit"] == COMMIT
    assert records[1]["commit"] == ""
    assert records[0]["line"] == "2"
    assert records[2]["line"] == "7"
    assert records[0]["parts"].startswith("access_key=") or "=" in records[0]["parts"]
    assert len({r["fingerprint"] for r in records}) == 1


@pytest.mark.parametrize("formula", FORMULAS)
def test_csv_defuses_formulas(catalog: Catalog, formula: str) -> None:
    result = git_result(catalog, path=formula + ".env", subject=formula)
    rows = _rows(render("csv", result, catalog))
    record = dict(zip(HEADER, rows[1], strict=True))
    for field in ("path", "subject"):
        value = record[field]
        # = + - @ get an apostrophe; a tab or CR is already shown as an escape by `safe`
        assert value.startswith("'" if formula[0] in "=+-@" else "\\x"), (field, value)
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_hostile_text_stays_one_row(catalog: Catalog) -> None:
    output = render("csv", hostile_result(), catalog)
    output.encode("utf-8")
    rows = _rows(output)
    assert len(rows) == 3  # the header and two occurrences, whatever the file name holds
    record = dict(zip(HEADER, rows[1], strict=True))
    assert record["path"].startswith("'=HYPERLINK(")
    assert "\n" not in record["path"]
    assert "\x1b" not in record["path"]
    assert record["path"].endswith("\\xff.env")


# --------------------------------------------------------------------------- end to end


@pytest.mark.parametrize("fmt", ["gitlab", "junit", "csv"])
def test_scan_path_writes_each_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, gitlab_validator: Draft7Validator, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.env").write_bytes(SCW)
    out = tmp_path / f"report.{fmt}"
    assert main(["scan", "path", "app.env", "--engine", "python", "-q", "--format", fmt, "-o", str(out)]) == 1
    text = out.read_text(encoding="utf-8")
    assert SECRET_KEY not in text
    if fmt == "gitlab":
        assert _errors(gitlab_validator, json.loads(text)) == []
    elif fmt == "junit":
        assert ET.fromstring(text).get("failures") == "1"
    else:
        assert _rows(text)[1][HEADER.index("path")] == "app.env"
