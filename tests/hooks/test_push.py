"""The pre-push hook with real `git push`es from a clone to a bare "server" repository: every
pushed ref is scanned (not just the first), a new branch only for what no remote has, a deleted
branch for nothing, a force-push for what the remote lacks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from leakwarden.cli.main import main
from tests.git_repo import scw_env, scw_pair
from tests.hooks.gitutil import CONFIG, git


def commit(repo: Path, files: dict[str, str | None], message: str = "change") -> str:
    """Write (or, for None, delete) files and commit them, bypassing hooks; the new commit id."""
    for name, text in files.items():
        if text is None:
            (repo / name).unlink()
        else:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def remote_refs(server: Path) -> dict[str, str]:
    out = git(server, "for-each-ref", "--format=%(refname) %(objectname)").stdout
    return {ref: sha for ref, _, sha in (line.partition(" ") for line in out.splitlines())}


def push(clone: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return git(clone, "push", "-q", "origin", *args, check=False)


@pytest.fixture
def server(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "--bare", "-b", "main", "server.git")
    return tmp_path / "server.git"


@pytest.fixture
def clone(tmp_path: Path, server: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    git(tmp_path, "clone", "-q", str(server), "clone")
    path = tmp_path / "clone"
    commit(path, {"README.md": "hello\n", ".leakwarden.toml": CONFIG}, "init")
    git(path, "push", "-q", "origin", "main")
    assert main(["hook", "install", str(path), "--pre-push"]) == 0
    capsys.readouterr()
    return path


def test_every_pushed_ref_is_scanned_not_only_the_first(clone: Path, server: Path) -> None:
    git(clone, "checkout", "-q", "-b", "a", "main")
    commit(clone, {"a.txt": "clean\n"})
    git(clone, "checkout", "-q", "-b", "b", "main")
    leaky = commit(clone, {"deploy/prod.env": scw_env(11)}, "add keys")

    blocked = push(clone, "a", "b")  # a's line comes first; the secret is on b
    assert blocked.returncode != 0
    err = blocked.stderr
    assert "push blocked: 1 secret in the pushed commits" in err
    assert "deploy/prod.env:2:" in err
    assert leaky[:12] in err
    assert scw_pair(11)[1] not in err
    assert "git push --no-verify" in err
    assert "git rebase -i" in err
    assert "refs/heads/a" not in remote_refs(server)
    assert "refs/heads/b" not in remote_refs(server)

    passed = push(clone, "a")
    assert passed.returncode == 0, passed.stderr
    assert "no secrets in the pushed commits" in passed.stderr


def test_a_new_branch_is_scanned_for_what_no_remote_has(clone: Path, server: Path) -> None:
    commit(clone, {"old.env": scw_env(12)}, "an old, already pushed secret")
    git(clone, "push", "-q", "--no-verify", "origin", "main")
    git(clone, "checkout", "-q", "-b", "feature")
    commit(clone, {"feature.txt": "new work\n"})
    passed = push(clone, "feature")
    assert passed.returncode == 0, passed.stderr  # main's secret is on the remote already
    assert "(1 new blob scanned)" in passed.stderr
    assert "refs/heads/feature" in remote_refs(server)


def test_deleting_a_branch_scans_nothing(clone: Path, server: Path) -> None:
    git(clone, "checkout", "-q", "-b", "leaky")
    commit(clone, {"k.env": scw_env(13)})
    git(clone, "push", "-q", "--no-verify", "origin", "leaky")
    deleted = push(clone, "--delete", "leaky")
    assert deleted.returncode == 0, deleted.stderr
    assert "refs/heads/leaky" not in remote_refs(server)


def test_a_force_push_is_scanned_for_what_the_remote_lacks(clone: Path) -> None:
    commit(clone, {"app.txt": "v1\n"})
    git(clone, "push", "-q", "origin", "main")
    (clone / "app.env").write_text(scw_env(14))
    git(clone, "add", "-A")
    git(clone, "commit", "-q", "--no-verify", "--amend", "-m", "v1 with keys")
    blocked = push(clone, "--force", "main")
    assert blocked.returncode != 0
    assert "push blocked" in blocked.stderr

    git(clone, "rm", "-q", "app.env")
    git(clone, "commit", "-q", "--no-verify", "--amend", "-m", "v1 again")
    passed = push(clone, "--force", "main")
    assert passed.returncode == 0, passed.stderr


def test_a_force_push_over_commits_this_clone_never_saw(clone: Path, server: Path, tmp_path: Path) -> None:
    git(tmp_path, "clone", "-q", str(server), "other")
    theirs = commit(tmp_path / "other", {"theirs.txt": "someone else's work\n"})
    git(tmp_path / "other", "push", "-q", "origin", "main")

    commit(clone, {"mine.env": scw_env(15)})  # on the old main, without fetching theirs
    blocked = push(clone, "--force", "main")
    assert blocked.returncode != 0
    assert "push blocked" in blocked.stderr
    assert "is not in this clone" in blocked.stderr
    assert remote_refs(server)["refs/heads/main"] == theirs

    git(clone, "reset", "-q", "--hard", "HEAD~1")
    commit(clone, {"mine.txt": "clean work\n"})
    passed = push(clone, "--force", "main")
    assert passed.returncode == 0, passed.stderr


def test_a_secret_added_then_removed_within_the_push_is_still_found(clone: Path) -> None:
    added = commit(clone, {"config/keys.env": scw_env(16)}, "add keys")
    commit(clone, {"config/keys.env": None}, "remove keys")
    blocked = push(clone, "main")
    assert blocked.returncode != 0
    assert "config/keys.env:2:" in blocked.stderr
    assert added[:12] in blocked.stderr
