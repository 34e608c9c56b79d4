"""The CLI contract: commands, formats, redaction, exit codes 0/1/2/128."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from leakwarden.cli.main import main
from leakwarden.matching.engine import hyperscan_available
from tests.conftest import write

SCW_SECRET = "eb9bff35-ec2b-4bb4-ba81-d752c751e3de"
PAIR = f"SCW_ACCESS_KEY=SCWFSJWESQRAQJXM9X4O\nSCW_SECRET_KEY={SCW_SECRET}\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_directory_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "readme.md", "nothing to see")
    code, out, err = run(capsys, "scan", "path", str(tmp_path))
    assert code == 0
    assert "No leaked credentials" in out
    assert "scanned 1 blob, 14 bytes in " in err


def test_findings_exit_1_and_text_is_redacted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".env", PAIR)
    code, out, _ = run(capsys, "scan", "path", str(tmp_path))
    assert code == 1
    assert f"{tmp_path}/.env:2:16" in out
    assert "Scaleway API key" in out
    assert SCW_SECRET not in out
    assert "\x1b[" not in out  # no colour when piped


def test_show_secrets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".env", PAIR)
    for fmt in ("text", "json", "jsonl", "sarif"):
        code, out, _ = run(capsys, "scan", "path", str(tmp_path), "--format", fmt, "--show-secrets")
        assert code == 1
        assert SCW_SECRET in out, fmt
        code, out, _ = run(capsys, "scan", "path", str(tmp_path), "--format", fmt)
        assert SCW_SECRET not in out, fmt


def test_json_report_and_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "src" / ".env", PAIR)
    report = tmp_path / "report.json"
    code, out, _ = run(capsys, "scan", "path", str(tmp_path / "src"), "--format", "json", "-o", str(report))
    assert code == 1
    assert out == ""
    document = json.loads(report.read_text())
    (finding,) = document["findings"]
    assert finding["rule_id"] == "scaleway.api_key"
    assert set(finding["parts"]) == {"access_key", "secret_key"}
    assert finding["occurrences"][0]["line"] == 2
    assert document["summary"]["blobs"] == 1


def test_fingerprint_stable_across_line_moves(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a" / ".env", PAIR)
    write(tmp_path / "b" / "other.env", "# moved\n\n\n" + PAIR)
    fps = []
    for sub in ("a", "b"):
        _, out, _ = run(capsys, "scan", "path", str(tmp_path / sub), "--format", "json")
        fps.append(json.loads(out)["findings"][0]["fingerprint"])
    assert fps[0] == fps[1]


def test_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(("log line\n" + PAIR).encode())))
    code, out, _ = run(capsys, "scan", "stdin", "--format", "jsonl", "--label", "app.log")
    assert code == 1
    (line,) = out.splitlines()
    finding = json.loads(line)
    assert finding["occurrences"][0]["path"] == "app.log"
    assert finding["occurrences"][0]["line"] == 3


def test_min_confidence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".env", "SCW_ACCESS_KEY=SCWFSJWESQRAQJXM9X4O\n")  # a half alone: medium
    assert run(capsys, "scan", "path", str(tmp_path))[0] == 1
    assert run(capsys, "scan", "path", str(tmp_path), "--min-confidence", "high")[0] == 0


def test_exclude_and_max_file_size(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "vendor" / ".env", PAIR)
    write(tmp_path / "big.env", PAIR + "#" * 5000)
    write(tmp_path / "readme.md", "scanned: the scan is not empty\n")
    code, _, err = run(
        capsys, "scan", "path", str(tmp_path), "--exclude", "vendor/", "--max-file-size", "1KB"
    )
    assert code == 0
    assert "1 too large" in err


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "scan", "path", str(tmp_path / "missing"))
    assert code == 2
    assert "no such file or directory" in err
    assert run(capsys, "scan", "path", str(tmp_path), "--format", "xml")[0] == 2
    assert run(capsys, "scan", "path", str(tmp_path), "--max-file-size", "lots")[0] == 2
    assert run(capsys, "scan", "nothing")[0] == 2
    assert run(capsys, "rules", "show", "no.such_rule")[0] == 2


def test_malformed_rule_file_exits_2_naming_file_rule_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(
        tmp_path / "mine.yaml",
        "provider: acme\nprovider_name: Acme\nrules:\n  - id: acme.token\n    name: Acme token\n"
        "    category: saas\n    confidence: extreme\n    pattern: 'acme_(?P<secret>[a-z]{10})'\n"
        "    keywords: [acme_]\n    examples: ['acme_abcdefghij']\n",
    )
    code, _, err = run(capsys, "scan", "path", str(tmp_path), "--rules", str(bad))
    assert code == 2
    assert f"{bad}: rule acme.token: field confidence" in err
    write(tmp_path / "broken.yaml", "provider: [unclosed\n")
    code, _, err = run(capsys, "rules", "check", str(tmp_path / "broken.yaml"))
    assert code == 2
    assert "invalid YAML" in err


def test_user_rules_are_used_and_linted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(
        tmp_path / "rules" / "acme.yaml",
        "provider: acme\nprovider_name: Acme\nrules:\n  - id: acme.token\n    name: Acme token\n"
        "    category: saas\n    confidence: high\n    pattern: '\\b(?P<secret>acme_[a-z0-9]{24})\\b'\n"
        "    keywords: [acme_]\n    references: ['https://acme.example/docs/tokens']\n"
        "    examples: ['ACME_TOKEN=acme_k3j5h7g9f1d3s5a7p9o1i3u5']\n"
        "    negative_examples: ['ACME_TOKEN=acme_xxxxxxxxxxxxxxxxxxxxxxxx']\n",
    )
    write(tmp_path / "src" / "app.py", 'token = "acme_q8w7e6r5t4y3u2i1o9p8a7s6"\n')
    code, out, _ = run(
        capsys, "scan", "path", str(tmp_path / "src"), "--rules", str(rules), "--format", "json"
    )
    assert code == 1
    assert json.loads(out)["findings"][0]["rule_id"] == "acme.token"
    assert run(capsys, "rules", "check", str(rules))[0] == 0
    failing = write(tmp_path / "rules" / "bad.yaml", rules.read_text().replace("k3j5h7", "K3J5H7"))
    failing.write_text(
        failing.read_text()
        .replace("acme:", "acme2:")
        .replace("acme.token", "acme2.token")
        .replace("provider: acme", "provider: acme2")
    )
    code, out, _ = run(capsys, "rules", "check", str(failing))
    assert code == 1
    assert "examples[0]: not found" in out


@pytest.mark.skipif(not hyperscan_available(), reason="needs the Hyperscan engine to reject a pattern")
def test_rules_check_names_a_pattern_hyperscan_rejects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole catalogue is compiled once; when that fails, the linter names the culprit."""
    rules = write(
        tmp_path / "acme.yaml",
        "provider: acme\nprovider_name: Acme\nrules:\n  - id: acme.token\n    name: Acme token\n"
        "    category: saas\n    confidence: high\n"
        "    pattern: '(?P<q>[\"\\x27])acme_(?P<secret>[a-z0-9]{24})(?P=q)'\n"
        "    keywords: [acme_]\n    references: ['https://acme.example/docs/tokens']\n"
        "    examples: ['token = \"acme_k3j5h7g9f1d3s5a7p9o1i3u5\"']\n",
    )
    code, out, _ = run(capsys, "rules", "check", str(rules))
    assert code == 1
    assert "rule acme.token: pattern: Hyperscan rejects it" in out


def test_rules_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list", "--format", "json")
    assert code == 0
    ids = {row["id"] for row in json.loads(out)}
    assert {"scaleway.api_key", "alibaba.access_key", "scalr.api_token", "packagecloud.api_token"} <= ids
    code, out, _ = run(capsys, "rules", "list", "--provider", "scaleway")
    assert code == 0
    assert len(out.splitlines()) == 3
    code, out, _ = run(capsys, "rules", "show", "alibaba.access_key")
    assert code == 0
    assert "alibaba.access_key_id (access_key_id)" in out
    assert "examples:" in out


def test_rules_show_a_provider_shows_each_of_its_rules(capsys: pytest.CaptureFixture[str]) -> None:
    from leakwarden.rules.catalog import load_catalog

    ids = [r.id for r in load_catalog().rules if r.provider == "github"]
    assert len(ids) > 1
    code, out, err = run(capsys, "rules", "show", "github")
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines() if line and not line.startswith(" ")] == ids
    assert f"{len(ids)} rules of provider github" in err


def test_rules_list_filters(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules", "list", "--format", "json", "--category", "payment")
    assert code == 0
    rows = json.loads(out)
    assert rows
    assert {row["category"] for row in rows} == {"payment"}
    code, out, _ = run(capsys, "rules", "list", "--format", "json", "--min-confidence", "high")
    assert {row["confidence"] for row in json.loads(out)} == {"high"}
    code, out, _ = run(
        capsys, "rules", "list", "--format", "json", "--provider", "scaleway", "--provider", "scalr"
    )
    assert {row["provider"] for row in json.loads(out)} == {"scaleway", "scalr"}
    code, _, err = run(capsys, "rules", "list", "--provider", "scalewy")
    assert code == 2
    assert "(nearest: scaleway" in err
    code, out, _ = run(capsys, "rules", "list", "--format", "markdown", "--provider", "scalr")
    assert code == 0
    assert "**1 rule** across **1 provider**" in out
    assert "| Scalr | `scalr.api_token` |" in out


def test_hostile_file_name_is_defanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "evil\x1b[31m\u202e.env", PAIR)
    code, out, _ = run(capsys, "scan", "path", str(tmp_path))
    assert code == 1
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert "\\x1b[31m" in out


def test_bug_exits_128(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import leakwarden.scan as scan_module

    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(scan_module, "scan_paths", explode)
    code, _, err = run(capsys, "scan", "path", str(tmp_path))
    assert code == 128
    assert "internal error" in err


def test_module_entry_point_and_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "leakwarden", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.startswith("leakwarden, version ")


def test_config_ignore_file_and_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path / "src" / ".env", PAIR)
    write(tmp_path / "tests" / "fixture.env", "SCW_ACCESS_KEY=SCWB78SV8PNAG2XG1HXI\n")
    code, out, _ = run(capsys, "scan", "path", ".", "--format", "json")
    assert code == 1
    by_rule = {f["rule_id"]: f for f in json.loads(out)["findings"]}
    fixture_fp = by_rule["scaleway.access_key"]["fingerprint"]
    write(
        tmp_path / ".leakwarden-ignore.toml",
        f'[[ignore]]\nfingerprint = "{fixture_fp}"\nreason = "fake key for the parser tests"\n',
    )
    code, out, err = run(capsys, "scan", "path", ".", "--format", "json")
    document = json.loads(out)
    assert [f["rule_id"] for f in document["findings"]] == ["scaleway.api_key"]
    assert document["summary"]["suppressed"] == {"ignore file": 1}
    assert document["summary"]["suppressed_items"][0]["reason"] == "fake key for the parser tests"
    assert "set aside 1 by ignore file" in err
    baseline = write(
        tmp_path / "baseline.json",
        json.dumps({"version": 1, "findings": [{"fingerprint": by_rule["scaleway.api_key"]["fingerprint"]}]}),
    )
    code, out, _ = run(capsys, "scan", "path", ".", "--baseline", str(baseline))
    assert code == 0
    write(tmp_path / ".leakwarden.toml", 'min_confidence = "high"\nexclude = ["src/"]\n')
    assert run(capsys, "scan", "path", ".")[0] == 0
    assert run(capsys, "scan", "path", ".", "--min-confidence", "medium")[0] == 0  # src/ still excluded
    write(tmp_path / ".leakwarden.toml", 'min_confidence = "extreme"\n')
    code, _, err = run(capsys, "scan", "path", ".")
    assert code == 2
    assert ".leakwarden.toml: key min_confidence" in err


def test_disable_by_provider_in_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / ".leakwarden.toml", 'disable = ["scaleway"]\n')
    write(tmp_path / "a.env", PAIR)
    assert run(capsys, "scan", "path", ".")[0] == 0


def test_config_show_baseline_and_ignore_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".leakwarden.toml", 'min_confidence = "medium"\n')
    code, out, _ = run(capsys, "config", "show", "--format", "json")
    assert code == 0
    rows = {row["key"]: row for row in json.loads(out)}
    assert rows["min_confidence"]["value"] == "medium"
    assert rows["min_confidence"]["origin"].endswith(".leakwarden.toml")
    assert rows["exclude"]["origin"] == "default"
    assert "min_confidence" in run(capsys, "config", "show")[1]

    write(tmp_path / "a.env", PAIR)
    assert run(capsys, "baseline", "create")[0] == 0
    baseline = json.loads((tmp_path / ".leakwarden-baseline.json").read_text())
    assert len(baseline["findings"]) == 1
    assert SCW_SECRET not in (tmp_path / ".leakwarden-baseline.json").read_text()
    assert run(capsys, "scan", "path", ".", "--baseline", ".leakwarden-baseline.json")[0] == 0
    write(tmp_path / "b.env", "SCW_ACCESS_KEY=SCWB78SV8PNAG2XG1HXI\n")
    assert run(capsys, "scan", "path", ".", "--baseline", ".leakwarden-baseline.json")[0] == 1
    assert run(capsys, "baseline", "update")[0] == 0
    assert len(json.loads((tmp_path / ".leakwarden-baseline.json").read_text())["findings"]) == 2

    report = tmp_path / "r.json"
    run(capsys, "scan", "path", ".", "--format", "json", "-o", str(report), "--no-baseline")
    fingerprint = json.loads(report.read_text())["findings"][0]["fingerprint"]
    assert run(capsys, "baseline", "create", "--from-report", str(report), "-o", "from-report.json")[0] == 0
    assert len(json.loads((tmp_path / "from-report.json").read_text())["findings"]) == 2

    code, _, _ = run(
        capsys, "ignore", fingerprint, "--reason", "rotated 2026-11-24; fixture", "--path", "a.env"
    )
    assert code == 0
    assert run(capsys, "ignore", fingerprint, "--reason", "again")[0] == 2  # already there
    assert "rotated 2026-11-24; fixture" in (tmp_path / ".leakwarden-ignore.toml").read_text()
    code, out, _ = run(capsys, "scan", "path", ".", "--format", "json", "--no-baseline")
    assert fingerprint not in {f["fingerprint"] for f in json.loads(out)["findings"]}
    assert run(capsys, "baseline", "update", "-o", "missing.json")[0] == 2


def test_scan_path_without_a_path_scans_the_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / ".env", PAIR)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "scan", "path", "--no-baseline")
    assert code == 1
    assert "Scaleway API key" in out


def test_scan_stdin_offers_only_the_options_that_apply(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "scan", "stdin", "--help")
    assert code == 0
    for absent in ("--exclude", "--max-file-size", "--jobs", "--binary"):
        assert absent not in out
    for present in ("--label", "--format", "--min-confidence", "--color"):
        assert present in out
    assert run(capsys, "scan", "stdin", "--jobs", "2")[0] == 2
