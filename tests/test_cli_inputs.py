"""Bad input is exit 2 with one line on stderr, never a traceback or a clean result that is not
clean (issue 11): unknown rule ids, unwritable outputs, fingerprint prefixes, scans that read
nothing, and the baseline `baseline create` writes being used by the next scan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakwarden.cli.main import main
from leakwarden.errors import ConfigError, InputError
from leakwarden.model import Blob, FileProvenance
from leakwarden.rules.catalog import Catalog
from leakwarden.scan import scan_blobs
from tests.conftest import write
from tests.git_repo import scw_env, scw_pair


@pytest.fixture(autouse=True)
def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is its own project: tmp_path is the working directory and the project root."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("leakwarden: error: ")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def fingerprints(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    code, out, _ = run(capsys, "scan", "path", ".", "--format", "json", "--no-baseline", *argv)
    assert code in (0, 1)
    return [f["fingerprint"] for f in json.loads(out)["findings"]]


# --- item 1: enable / disable name real rules ----------------------------------------------------


@pytest.mark.parametrize("engine", ["hyperscan", "python"])
@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ('enable = ["scalewy"]', "key enable: no rule or provider 'scalewy' (nearest: scaleway"),
        ('enable = ["nosuchprovider"]', "key enable: no rule or provider 'nosuchprovider'"),
        ('disable = ["scaleway.api_ky"]', "key disable: no rule or provider 'scaleway.api_ky' (nearest: "),
        ('enable = ["scaleway"]\ndisable = ["scaleway"]', "keys enable and disable: leaves no rule"),
        ("enable = []", "key enable: leaves no rule to scan with"),
    ],
)
def test_unknown_or_empty_rule_selection_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str, setting: str, expected: str
) -> None:
    write(tmp_path / ".env", scw_env(1))
    write(tmp_path / ".leakwarden.toml", setting + "\n")
    code, out, err = run(capsys, "scan", "path", ".", "--engine", engine)
    assert code == 2
    assert out == ""  # nothing scanned, so no "No leaked credentials found"
    line = one_error_line(err)
    assert f"{tmp_path / '.leakwarden.toml'}: {expected}" in line


def test_selection_names_the_nearest_ids_and_where_the_key_was_set(catalog: Catalog) -> None:
    with pytest.raises(ConfigError, match=r"^cli: key disable: no rule or provider 'aws.acess_key_id' "):
        catalog.select(disable=["aws.acess_key_id"], origins={"disable": "cli"})
    narrowed = catalog.select(enable=["scaleway"], disable=["scaleway.secret_key"])
    assert {r.provider for r in narrowed.rules} == {"scaleway"}
    assert "scaleway.secret_key" not in {r.id for r in narrowed.rules}


def test_a_catalogue_without_rules_scans_without_crashing_either_engine() -> None:
    empty = Catalog((), "empty")
    for engine in ("hyperscan", "python"):
        result = scan_blobs([Blob(b"x", (FileProvenance("a"),))], catalog=empty, engine=engine)
        assert result.findings == []


# --- item 2: outputs are checked before the work -------------------------------------------------


def test_output_into_a_missing_directory_is_exit_2_before_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / ".env", scw_env(2))
    code, out, err = run(capsys, "scan", "path", ".", "-o", str(tmp_path / "nope" / "report.txt"))
    assert code == 2
    assert out == ""
    assert "scanned" not in err  # refused before the scan, not after it
    assert f"--output {tmp_path / 'nope' / 'report.txt'}: cannot write there:" in one_error_line(err)
    code, _, err = run(capsys, "scan", "path", ".", "-o", str(tmp_path))
    assert code == 2
    assert "is a directory" in one_error_line(err)


def test_every_output_option_is_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".env", scw_env(3))
    missing = str(tmp_path / "nope" / "out")
    report = tmp_path / "r.json"
    assert run(capsys, "scan", "path", ".", "--format", "json", "-o", str(report))[0] == 1
    fingerprint = json.loads(report.read_text())["findings"][0]["fingerprint"]
    for argv in (
        ("guide", "scaleway", "-o", missing),
        ("remediate", "--report", str(report), "-o", missing),
        ("baseline", "create", "-o", missing),
        ("baseline", "update", "-o", missing),
        ("ignore", fingerprint, "--reason", "fixture", "--file", missing),
    ):
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert "cannot write there" in one_error_line(err), argv
    assert not (tmp_path / "nope").exists()


# --- item 3: one rule for fingerprints -----------------------------------------------------------


def test_ignore_resolves_the_prefix_the_text_report_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "config" / ".env", scw_env(4))
    code, out, _ = run(capsys, "scan", "path", ".")
    assert code == 1
    shown = out.split("fingerprint ", 1)[1].split()[0]
    assert len(shown) == 16
    [full] = fingerprints(capsys)
    assert full.startswith(shown)
    assert len(full) == 40

    code, _, err = run(capsys, "ignore", shown, "--reason", "fake key in a fixture")
    assert code == 0, err
    text = (tmp_path / ".leakwarden-ignore.toml").read_text()
    assert f'fingerprint = "{full}"' in text
    assert 'rule_id = "scaleway.api_key"' in text
    assert run(capsys, "scan", "path", ".")[0] == 0  # the entry matches
    code, _, err = run(capsys, "ignore", full[:8].upper(), "--reason", "again")
    assert code == 2
    assert "already ignored" in one_error_line(err)


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("abc1234", "too short: give at least 8 hex digits"),
        ("not-a-fingerprint", "is not a fingerprint"),
        ("0123456789", "no finding has fingerprint 0123456789 in a scan of"),
    ],
)
def test_ignore_refuses_a_bad_or_unknown_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prefix: str, expected: str
) -> None:
    write(tmp_path / ".env", scw_env(5))
    code, _, err = run(capsys, "ignore", prefix, "--reason", "x")
    assert code == 2
    assert expected in one_error_line(err)
    assert not (tmp_path / ".leakwarden-ignore.toml").exists()


def test_an_ambiguous_prefix_lists_the_candidates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first, second = "abcdef01" + "1" * 32, "abcdef01" + "2" * 32
    report = {
        "findings": [
            {"fingerprint": fp, "rule_id": rule, "occurrences": [{"path": "a", "line": 1}]}
            for fp, rule in ((first, "aws.access_key"), (second, "github.pat"))
        ]
    }
    write(tmp_path / "report.json", json.dumps(report))
    code, _, err = run(capsys, "ignore", "abcdef01", "--reason", "x", "--from-report", "report.json")
    assert code == 2
    line = one_error_line(err)
    assert "is ambiguous" in line
    assert "(aws.access_key)" in line
    assert "(github.pat)" in line
    code, _, _ = run(capsys, "ignore", "abcdef012", "--reason", "fixture", "--from-report", "report.json")
    assert code == 0
    assert f'fingerprint = "{second}"' in (tmp_path / ".leakwarden-ignore.toml").read_text()


def test_resolve_prefix_is_the_one_rule() -> None:
    from leakwarden.ignore.fingerprints import resolve_prefix

    known = {"ab" * 20: "x.one", "ab" * 4 + "cd" * 16: "x.two"}
    assert resolve_prefix("ABABABABAB", known, "FP", "here") == "ab" * 20
    with pytest.raises(InputError, match="ambiguous"):
        resolve_prefix("abababab", known, "FP", "here")


def test_a_prefix_in_the_ignore_file_is_an_error_not_a_silent_no_op(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / ".env", scw_env(6))
    [full] = fingerprints(capsys)
    write(tmp_path / ".leakwarden-ignore.toml", f'[[ignore]]\nfingerprint = "{full[:16]}"\nreason = "x"\n')
    code, _, err = run(capsys, "scan", "path", ".")
    assert code == 2
    assert "ignore[0].fingerprint: must be a full fingerprint, 40 hex digits" in one_error_line(err)


def test_remediate_takes_the_same_prefixes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".env", scw_env(7))
    report = tmp_path / "r.json"
    run(capsys, "scan", "path", ".", "--format", "json", "-o", str(report))
    full = json.loads(report.read_text())["findings"][0]["fingerprint"]
    assert run(capsys, "remediate", "--report", str(report), full[:8], "--format", "json")[0] == 0
    code, _, err = run(capsys, "remediate", "--report", str(report), full[:6])
    assert code == 2
    assert "at least 8" in one_error_line(err)


# --- item 5: a scan that read nothing is not clean -----------------------------------------------


def test_a_scan_where_everything_was_skipped_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "big.env", scw_env(8) + "#" * 5000)
    code, out, err = run(capsys, "scan", "path", "big.env", "--max-file-size", "1KB")
    assert code == 2
    assert "No leaked credentials found" not in out
    assert "Nothing was scanned: every input was skipped (1 too large)." in out
    assert "nothing was scanned" in one_error_line(err)
    code, out, _ = run(capsys, "scan", "path", "big.env", "--max-file-size", "1KB", "--format", "json", "-q")
    assert code == 2
    summary = json.loads(out)["summary"]
    assert summary["nothing_scanned"] is True
    assert summary["skipped"] == {"too large": 1}

    (tmp_path / "link").symlink_to(tmp_path / "big.env")
    assert run(capsys, "scan", "path", "link")[0] == 2


def test_something_scanned_and_something_skipped_stays_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "big.env", scw_env(9) + "#" * 5000)
    write(tmp_path / "README.md", "hello\n")
    code, out, err = run(capsys, "scan", "path", ".", "--max-file-size", "1KB")
    assert code == 0
    assert "No leaked credentials found" in out
    assert "skipped 1 too large" in err
    write(tmp_path / "empty" / ".keep", "")
    assert run(capsys, "scan", "path", "empty")[0] == 0  # an empty input is clean, not "nothing scanned"


# --- item 6: the baseline `baseline create` writes is the next scan's ------------------------------


def test_the_next_scan_uses_the_baseline_just_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "app" / ".env", scw_env(10))
    write(tmp_path / ".leakwarden.toml", 'min_confidence = "medium"\n')
    (tmp_path / "app" / "deep").mkdir()
    assert run(capsys, "baseline", "create")[0] == 0
    assert (tmp_path / ".leakwarden-baseline.json").is_file()

    code, out, err = run(capsys, "scan", "path", ".")
    assert code == 0
    assert "the baseline hid 1 finding" in err
    assert f"the baseline {tmp_path / '.leakwarden-baseline.json'} hid 1 finding" in out
    assert run(capsys, "scan", "path", ".", "--no-baseline", "-q")[0] == 1

    # From a subdirectory of the project, the same file is found.
    import os

    os.chdir(tmp_path / "app" / "deep")
    assert run(capsys, "scan", "path", str(tmp_path), "-q")[0] == 0
    os.chdir(tmp_path)

    # A new secret is still reported.
    write(tmp_path / "app" / "new.env", scw_env(11))
    code, out, _ = run(capsys, "scan", "path", ".", "--format", "json", "-q")
    assert code == 1
    assert [f["parts"]["access_key"][:4] for f in json.loads(out)["findings"]] == [scw_pair(11)[0][:4]]


def test_baseline_precedence_config_then_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".env", scw_env(12))
    write(tmp_path / ".leakwarden.toml", 'baseline = "ci/accepted.json"\n')
    (tmp_path / "ci").mkdir()
    assert run(capsys, "baseline", "create")[0] == 0
    assert (tmp_path / "ci" / "accepted.json").is_file()
    assert not (tmp_path / ".leakwarden-baseline.json").exists()
    assert run(capsys, "scan", "path", ".", "-q")[0] == 0
    (tmp_path / "ci" / "accepted.json").unlink()
    code, _, err = run(capsys, "scan", "path", ".", "-q")  # configured, so it must exist
    assert code == 2
    assert "accepted.json: cannot read baseline" in one_error_line(err)
    assert run(capsys, "baseline", "create", "-o", "other.json")[0] == 0
    assert run(capsys, "scan", "path", ".", "-q", "--baseline", "other.json")[0] == 0
    code, _, err = run(capsys, "scan", "path", ".", "--baseline", "other.json", "--no-baseline")
    assert code == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{", "invalid JSON"),
        ('{"version": 1, "findings": [{"fingerprint": 3}]}', "findings[0].fingerprint: must be a full"),
        ('{"version": 1, "findings": [{"fingerprint": "abc"}]}', "findings[0].fingerprint: must be a full"),
        ('{"version": 7, "findings": []}', "not a leakwarden baseline"),
    ],
)
def test_a_corrupt_default_baseline_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    write(tmp_path / "README.md", "hello\n")
    write(tmp_path / ".leakwarden-baseline.json", text)
    code, _, err = run(capsys, "scan", "path", ".")
    assert code == 2
    assert expected in one_error_line(err)
    assert run(capsys, "scan", "path", ".", "--no-baseline")[0] == 0
    assert run(capsys, "baseline", "create")[0] == 0  # create replaces a corrupt one


# --- the same class elsewhere ---------------------------------------------------------------------


def test_unknown_ids_name_the_nearest(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ("guide", "scalewa"),
        ("guide", "--list", "scalewa"),
        ("rules", "show", "scaleway.api_ky"),
        ("rules", "list", "--provider", "scalewa"),
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert "(nearest: scaleway" in one_error_line(err), argv
        assert out == ""


def test_malformed_project_files_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "README.md", "hello\n")
    write(tmp_path / "bad.yaml", "rules: [\n")
    code, _, err = run(capsys, "scan", "path", ".", "--rules", "bad.yaml")
    assert code == 2
    assert "bad.yaml: invalid YAML: " in one_error_line(err)
    assert len(err.splitlines()) == 1
    write(tmp_path / ".leakwarden.toml", b"\xff\xfemin_confidence = 'low'\n")
    code, _, err = run(capsys, "scan", "path", ".")
    assert code == 2
    assert ".leakwarden.toml: invalid TOML: not UTF-8" in one_error_line(err)


def test_fix_import_and_baseline_share_the_checked_selection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / ".env", scw_env(13))
    write(tmp_path / ".gitleaksignore", ".env:scaleway.api_key:2\n")
    write(tmp_path / ".leakwarden.toml", 'enable = ["scalewy"]\n')
    for argv in (("fix", "."), ("import",), ("baseline", "create")):
        code, _, err = run(capsys, *argv)
        assert code == 2, argv
        assert "key enable: no rule or provider 'scalewy' (nearest: scaleway" in one_error_line(err), argv


def test_import_checks_where_it_writes_before_scanning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / ".env", scw_env(14))
    write(tmp_path / ".gitleaksignore", ".env:scaleway.api_key:2\n")
    write(tmp_path / ".leakwarden.toml", 'ignore_file = "nope/ignore.toml"\n')
    code, out, err = run(capsys, "import")
    assert code == 2
    assert out == ""  # refused before the re-scan and its summary
    assert "nope/ignore.toml: cannot write there:" in one_error_line(err)
    assert run(capsys, "import", "--dry-run")[0] == 0  # a dry run writes nothing
