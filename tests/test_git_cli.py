"""`leakwarden scan git` and `scan staged`: formats, provenance in the JSON report, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leakwarden.cli.main import main
from tests.git_repo import ISOLATED, Repo, scw_env, scw_pair


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ISOLATED.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.chdir(tmp_path)  # no project configuration from the developer's checkout
    return Repo(tmp_path / "repo")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_scan_git_json_carries_provenance(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("init", {"README.md": "hi\n"})
    added = repo.commit("add keys", {"ops/.env": scw_env(1)})
    repo.git("checkout", "-q", "-b", "copy", "HEAD~1")
    again = repo.commit("same keys on a branch", {"ops/.env": scw_env(1)})
    repo.git("mv", "ops/.env", "ops/prod.env")
    moved = repo.commit("move")
    repo.git("rm", "-q", "ops/prod.env")
    repo.commit("remove")

    code, out, err = run(capsys, "scan", "git", str(repo.path), "--format", "json")
    assert code == 1
    document = json.loads(out)
    [finding] = document["findings"]
    assert finding["rule_id"] == "scaleway.api_key"
    first, second = finding["occurrences"]
    assert first["kind"] == "commit"
    assert (first["path"], first["line"], first["column"]) == ("ops/.env", 2, 16)
    assert first["commit"] == added
    assert first["author_name"] == "Ada Lovelace"
    assert first["author_email"] == "ada@example.com"
    assert first["date"] == "2024-01-02T12:00:00+00:00"
    assert first["subject"] == "add keys"
    assert first["other_commits"] == [again]
    assert first["other_commit_count"] == 1
    assert (second["path"], second["commit"]) == ("ops/prod.env", moved)
    assert first["blob_id"] == second["blob_id"]
    assert document["summary"]["blobs"] == 2
    assert "scanned 2 blobs" in err
    assert scw_pair(1)[1] not in out  # redacted by default


def test_scan_git_text_names_the_commit(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    commit = repo.commit("keys", {"k.env": scw_env(2)})
    code, out, _ = run(capsys, "scan", "git", str(repo.path))
    assert code == 1
    assert "k.env:2:16" in out
    assert f"commit  {commit[:12]} Ada Lovelace 2024-01-01" in out


def test_clean_history_exits_0(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("init", {"a.txt": "nothing here\n"})
    code, _, err = run(capsys, "scan", "git", str(repo.path), "--range", "HEAD")
    assert code == 0
    assert "0 findings" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--range", "nope..HEAD"], "invalid range 'nope..HEAD': bad revision 'nope..HEAD'"),
        (["--branch", "nope"], "no such branch or ref: nope"),
        (["--all-objects", "--branch", "main"], "cannot be combined"),
    ],
)
def test_bad_revisions_exit_2(
    repo: Repo, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    repo.commit("init", {"a.txt": "a\n"})
    code, out, err = run(capsys, "scan", "git", str(repo.path), *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) <= 2


def test_not_a_repository_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("git", "staged"):
        code, _, err = run(capsys, "scan", command, str(tmp_path))
        assert code == 2
        assert "not a git repository" in err


def test_git_not_installed_exits_2(
    repo: Repo, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    code, _, err = run(capsys, "scan", "git", str(repo.path))
    assert code == 2
    assert "git is not installed" in err


def test_scan_staged_exit_codes(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("old secret", {"app.env": scw_env(3)})
    repo.write("app.env", "# edited\n" + scw_env(3))
    repo.git("add", "app.env")
    code, out, err = run(capsys, "scan", "staged", str(repo.path), "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["findings"] == []
    assert document["summary"]["suppressed"] == {"already in HEAD": 1}
    assert "set aside 1 by already in HEAD" in err

    code, out, _ = run(capsys, "scan", "staged", str(repo.path), "--all", "--format", "json")
    assert code == 1
    [finding] = json.loads(out)["findings"]
    assert finding["occurrences"][0]["kind"] == "staged"
    assert finding["occurrences"][0]["path"] == "app.env"
    assert finding["occurrences"][0]["line"] == 3

    repo.write("new.env", scw_env(4))
    repo.git("add", "new.env")
    code, out, _ = run(capsys, "scan", "staged", str(repo.path))
    assert code == 1
    assert "new.env:2:16" in out


def test_python_dash_m_in_the_repository(repo: Repo) -> None:
    """The way a pre-commit hook runs it: in the work tree, no argument."""
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("b.env", scw_env(5))
    repo.git("add", "b.env")
    env = {**os.environ, **ISOLATED}
    done = subprocess.run(
        [sys.executable, "-m", "leakwarden", "scan", "staged", "-q", "--format", "jsonl"],
        cwd=repo.path,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["occurrences"][0]["path"] == "b.env"
    assert done.stderr == ""


def _overwrite(repo: Repo, oid: str) -> None:
    path = repo.path / ".git" / "objects" / oid[:2] / oid[2:]
    path.chmod(0o644)
    path.write_bytes(b"not an object\n")


def test_a_history_that_could_not_be_read_is_never_clean(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("init", {"a.txt": "nothing here\n"})
    repo.commit("more", {"b.txt": "nothing either\n"})
    _overwrite(repo, repo.git("rev-parse", "HEAD^{tree}"))
    code, out, err = run(capsys, "scan", "git", str(repo.path))
    assert code == 2
    assert "No leaked credentials found in what could be read, but part of the history could not" in out
    assert "leakwarden: error: part of the history could not be read (1 corrupt object)" in err
    code, out, _ = run(capsys, "scan", "git", str(repo.path), "--format", "json", "-q")
    assert code == 2
    summary = json.loads(out)["summary"]
    assert summary["incomplete"] is True
    assert summary["skipped"] == {"corrupt object": 1}

    keys = Repo(repo.path.parent / "keys")
    keys.commit("a key", {"k.env": scw_env(40)})
    keys.commit("removed", {"k.env": "rotated\n"})
    _overwrite(keys, keys.git("rev-parse", "HEAD^{tree}"))
    code, out, err = run(capsys, "scan", "git", str(keys.path), "--format", "json")
    assert code == 1  # findings: exit 1 as usual, the gap still reported
    document = json.loads(out)
    assert [f["parts"]["access_key"][:4] for f in document["findings"]] == [scw_pair(40)[0][:4]]
    assert document["summary"]["incomplete"] is True
    assert "part of the history could not be read" in err


def test_scan_staged_nothing_to_scan_versus_could_not_scan(
    repo: Repo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.commit("init", {"a.txt": "a\n", "b.txt": "b\n"})
    repo.git("rm", "-q", "a.txt")
    code, _, _ = run(capsys, "scan", "staged", str(repo.path))
    assert code == 0  # only a deletion: nothing to scan
    repo.write("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    repo.git("add", "logo.png")
    code, out, _ = run(capsys, "scan", "staged", str(repo.path), "--format", "json")
    assert code == 0  # only a binary: nothing to scan either
    assert json.loads(out)["summary"]["nothing_scanned"] is True
    repo.write("dump.sql", "x" * 5000)
    repo.git("add", "dump.sql")
    code, _, err = run(capsys, "scan", "staged", str(repo.path), "--max-file-size", "1KB")
    assert code == 2  # what was asked could not be scanned
    assert "nothing was scanned: every input was skipped (1 binary, 1 too large)" in err


def test_since_that_is_not_a_date_is_exit_2(repo: Repo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.commit("one", {"a.env": scw_env(1)})
    code = main(["scan", "git", str(repo.path), "--since", "yesterday-ish"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--since 'yesterday-ish': not a date" in err
