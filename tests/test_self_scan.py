"""leakwarden scans its own repository clean with its own configuration, every rule enabled,
and it is that configuration (not a blind scanner) that keeps the scan quiet."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from leakwarden.cli.main import main
from leakwarden.config import load_config

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".leakwarden.toml"


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    paths = [p for p in listed.split("\0") if p]
    # A file deleted in the work tree but still in the index has nothing left to scan.
    return [p for p in paths if (ROOT / p).is_file() and not (ROOT / p).is_symlink()]


def scan(capsys: pytest.CaptureFixture[str], config: Path, files: list[str]) -> tuple[int, dict[str, object]]:
    code = main(["scan", "path", *files, "--config", str(config), "--format", "json", "-q", "-j", "1"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


@pytest.fixture
def files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(ROOT)
    found = tracked_files()
    assert "README.md" in found
    return found


def test_the_repository_scans_clean_with_every_rule_enabled(
    capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    config = load_config(explicit=CONFIG)
    assert config.enable is None
    assert config.disable == ()
    code, report = scan(capsys, CONFIG, files)
    assert report["findings"] == []
    assert code == 0


def test_without_the_configuration_the_fixtures_are_reported(
    capsys: pytest.CaptureFixture[str], files: list[str], tmp_path: Path
) -> None:
    empty = tmp_path / ".leakwarden.toml"
    empty.write_text("# no allowlists, no ignore file\n")
    code, report = scan(capsys, empty, files)
    assert code == 1
    findings = report["findings"]
    assert isinstance(findings, list)
    places = {o["path"] for f in findings for o in f["occurrences"]}
    assert any(p.startswith("tests/") for p in places)
    assert any(p.startswith("src/leakwarden/rules/catalog/") for p in places)
