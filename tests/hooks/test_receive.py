"""The pre-receive hook in a bare "server" repository, with real `git push`es: it finds a
secret among the objects git holds in quarantine, takes the break-glass push option (logged),
and keeps to its time budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakwarden.cli.main import main
from tests.git_repo import scw_env, scw_pair
from tests.hooks.gitutil import CONFIG, git

RECORD_QUARANTINE = """#!/bin/sh
cat > /dev/null
echo "$GIT_QUARANTINE_PATH" > "{record}"
"""


def commit(repo: Path, files: dict[str, str]) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def head_of(server: Path, branch: str = "main") -> str:
    return git(server, "rev-parse", "--verify", "-q", f"refs/heads/{branch}", check=False).stdout.strip()


def install(server: Path, *options: str) -> None:
    assert main(["hook", "install", str(server), "--pre-receive", *options]) == 0


@pytest.fixture
def server(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "--bare", "-b", "main", "server.git")
    path = tmp_path / "server.git"
    git(path, "config", "receive.advertisePushOptions", "true")
    (path / ".leakwarden.toml").write_text(CONFIG)  # the server's own configuration
    return path


@pytest.fixture
def client(tmp_path: Path, server: Path) -> Path:
    git(tmp_path, "clone", "-q", str(server), "client")
    path = tmp_path / "client"
    commit(path, {"README.md": "hello\n"})
    git(path, "push", "-q", "origin", "main")
    return path


def test_a_secret_in_quarantined_objects_is_rejected(
    client: Path, server: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "quarantine.txt"
    own = server / "hooks" / "pre-receive"
    own.write_text(RECORD_QUARANTINE.format(record=record))
    own.chmod(0o755)
    install(server)
    assert "kept as pre-receive.local" in capsys.readouterr().out

    before = head_of(server)
    leaky = commit(client, {"ops/prod.env": scw_env(21)})
    rejected = git(client, "push", "origin", "main", check=False)
    assert rejected.returncode != 0
    err = rejected.stderr
    assert "remote: leakwarden: push rejected by the server: 1 secret in the pushed commits" in err
    assert "ops/prod.env:2:" in err
    assert leaky[:12] in err
    assert scw_pair(21)[1] not in err
    assert "git push -o leakwarden.skip" in err
    assert head_of(server) == before
    # the objects existed only in git's quarantine, which the user's chained hook saw too
    assert record.read_text().strip()
    assert git(server, "cat-file", "-e", leaky, check=False).returncode != 0


def test_a_clean_push_and_a_new_branch_are_accepted(client: Path, server: Path) -> None:
    install(server)
    clean = commit(client, {"app.py": "import os\nKEY = os.environ['SCW_SECRET_KEY']\n"})
    accepted = git(client, "push", "origin", "main", "main:refs/heads/feature", check=False)
    assert accepted.returncode == 0, accepted.stderr
    assert "remote: leakwarden: no secrets in the pushed commits" in accepted.stderr
    assert head_of(server) == clean == head_of(server, "feature")
    deleted = git(client, "push", "origin", "--delete", "feature", check=False)
    assert deleted.returncode == 0, deleted.stderr


def test_the_break_glass_push_option_is_accepted_and_logged(client: Path, server: Path) -> None:
    install(server)
    leaky = commit(client, {"ops/prod.env": scw_env(22)})
    pushed = git(client, "push", "-o", "leakwarden.skip=revoked already", "origin", "main", check=False)
    assert pushed.returncode == 0, pushed.stderr
    assert "remote: leakwarden: WARNING: secret scan skipped on request" in pushed.stderr
    assert "reason: revoked already" in pushed.stderr
    assert "refs/heads/main" in pushed.stderr
    assert head_of(server) == leaky


def test_the_break_glass_option_can_be_refused(client: Path, server: Path) -> None:
    install(server, "--no-allow-skip")
    before = head_of(server)
    commit(client, {"ops/prod.env": scw_env(23)})
    pushed = git(client, "push", "-o", "leakwarden.skip", "origin", "main", check=False)
    assert pushed.returncode != 0
    assert "not honoured on this server" in pushed.stderr
    assert "does not allow skipping the scan" in pushed.stderr
    assert head_of(server) == before


def test_a_scan_over_its_time_budget_rejects_or_accepts_as_configured(
    client: Path, server: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    install(server, "--timeout", "0.001")
    before = head_of(server)
    clean = commit(client, {"notes.txt": "nothing secret\n"})
    rejected = git(client, "push", "origin", "main", check=False)
    assert rejected.returncode != 0
    assert "did not finish within 0.001 s; the push is rejected (--on-timeout reject)" in rejected.stderr
    assert head_of(server) == before

    install(server, "--timeout", "0.001", "--on-timeout", "accept")
    assert "pre-receive: updated" in capsys.readouterr().out
    accepted = git(client, "push", "origin", "main", check=False)
    assert accepted.returncode == 0, accepted.stderr
    assert "accepted UNSCANNED" in accepted.stderr
    assert head_of(server) == clean
