"""`leakwarden scan ci` on real repositories: push ranges, a new branch, a force-push, a pull
request, a deleted branch and a shallow clone, with each provider's variables in the environment."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from leakwarden.ci.detect import MARKERS
from leakwarden.cli.main import main
from tests.git_repo import ISOLATED, Repo, scw_env, scw_pair

ZERO = "0" * 40
PROVIDER_VARIABLES = (
    *MARKERS,
    "LEAKWARDEN_CI_BASE",
    "GITHUB_EVENT_PATH",
    "GITHUB_EVENT_NAME",
    "CI_PIPELINE_SOURCE",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA",
)


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in ISOLATED.items():
        monkeypatch.setenv(name, value)
    for name in PROVIDER_VARIABLES:  # whatever CI runs these tests must not be detected
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def gitlab_push(monkeypatch: pytest.MonkeyPatch, before: str, after: str, branch: str = "main") -> None:
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_PIPELINE_SOURCE", "push")
    monkeypatch.setenv("CI_COMMIT_BEFORE_SHA", before)
    monkeypatch.setenv("CI_COMMIT_SHA", after)
    monkeypatch.setenv("CI_COMMIT_BRANCH", branch)


def github_event(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, payload: dict[str, object]
) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_EVENT_NAME", name)
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(path))
    monkeypatch.setenv("GITHUB_SHA", str(payload.get("after") or "f" * 40))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = main(["scan", "ci", *argv, "--format", "json"])
    out, err = capsys.readouterr()
    secrets = [f["secret"] for f in json.loads(out)["findings"]] if out else []
    return code, secrets, err


def secret_of(seed: int) -> str:
    return scw_pair(seed)[1][:4]  # the redacted secret keeps a prefix of at most 4 characters


def test_push_scans_only_the_pushed_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    before = repo.commit("old key", {"old.env": scw_env(1)})
    repo.commit("clean", {"README": "hello\n"})
    after = repo.commit("new key", {"new.env": scw_env(2)})
    gitlab_push(monkeypatch, before, after)
    code, secrets, err = run(capsys, str(repo.path))
    assert code == 1
    assert [s[:4] for s in secrets] == [secret_of(2)]
    assert f"GitLab CI/CD, push {before[:12]}..{after[:12]}" in err
    assert f"scanning {before[:12]}..{after[:12]}" in err


def test_push_of_clean_commits_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    before = repo.commit("old key", {"old.env": scw_env(1)})
    after = repo.commit("clean", {"README": "hello\n"})
    gitlab_push(monkeypatch, before, after)
    code, secrets, _ = run(capsys, str(repo.path))
    assert (code, secrets) == (0, [])


def test_a_push_of_binaries_only_is_nothing_to_scan_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    before = repo.commit("init", {"README": "hello\n"})
    middle = repo.commit("a logo", {"logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"})
    gitlab_push(monkeypatch, before, middle)
    code, secrets, _ = run(capsys, str(repo.path))
    assert (code, secrets) == (0, [])
    after = repo.commit("a dump", {"dump.sql": "insert into t values (1);\n" * 100})
    gitlab_push(monkeypatch, middle, after)
    code, _, err = run(capsys, str(repo.path), "--max-file-size", "1KB")
    assert code == 2  # what the push brought could not be scanned
    assert "nothing was scanned: every input was skipped (1 too large)" in err


def test_new_branch_scans_what_no_other_branch_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("key on main", {"main.env": scw_env(1)})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("clean", {"a.txt": "a\n"})
    after = repo.commit("key on feature", {"feature.env": scw_env(3)})
    payload = {
        "ref": "refs/heads/feature",
        "before": ZERO,
        "after": after,
        "created": True,
        "forced": False,
        "deleted": False,
        "repository": {"default_branch": "main"},
    }
    github_event(monkeypatch, tmp_path, "push", payload)
    code, secrets, err = run(capsys, str(repo.path))
    assert code == 1
    assert [s[:4] for s in secrets] == [secret_of(3)]
    assert "GitHub Actions, new-branch" in err
    assert "minus 1 other ref (new ref)" in err


def test_new_branch_without_other_refs_scans_its_history_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("first key", {"a.env": scw_env(1)})
    after = repo.commit("second key", {"b.env": scw_env(2)})
    gitlab_push(monkeypatch, ZERO, after)
    monkeypatch.setenv("CI_DEFAULT_BRANCH", "main")
    code, secrets, err = run(capsys, str(repo.path))
    assert code == 1
    assert sorted(s[:4] for s in secrets) == sorted([secret_of(1), secret_of(2)])
    assert "no other branch or tag in the clone" in err


def test_force_push_scans_the_rewritten_commits_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    base = repo.commit("key released", {"base.env": scw_env(1)})
    repo.git("branch", "release")
    before = repo.commit("first attempt", {"attempt.env": scw_env(2)})
    repo.git("reset", "-q", "--hard", base)
    after = repo.commit("second attempt", {"attempt.env": scw_env(3)})
    github_event(
        monkeypatch,
        tmp_path,
        "push",
        {"ref": "refs/heads/main", "before": before, "after": after, "forced": True, "created": False},
    )
    code, secrets, err = run(capsys, str(repo.path), "--format", "json")
    assert code == 1
    assert [s[:4] for s in secrets] == [secret_of(3)]
    assert f"force-push: {before[:12]} is not an ancestor of {after[:12]}" in err


def test_pull_request_scans_base_to_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    base = repo.commit("key on main", {"main.env": scw_env(1)})
    repo.git("checkout", "-q", "-b", "topic")
    head = repo.commit("key in the merge request", {"topic.env": scw_env(4)})
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_PIPELINE_SOURCE", "merge_request_event")
    monkeypatch.setenv("CI_MERGE_REQUEST_DIFF_BASE_SHA", base)
    monkeypatch.setenv("CI_COMMIT_SHA", head)
    code, secrets, err = run(capsys, str(repo.path))
    assert code == 1
    assert [s[:4] for s in secrets] == [secret_of(4)]
    assert "GitLab CI/CD, pull-request" in err


def test_deleted_branch_scans_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    before = repo.commit("key", {"a.env": scw_env(1)})
    github_event(
        monkeypatch,
        tmp_path,
        "push",
        {"ref": "refs/heads/gone", "before": before, "after": ZERO, "deleted": True},
    )
    code, secrets, err = run(capsys, str(repo.path))
    assert (code, secrets) == (0, [])
    assert "was deleted: nothing to scan" in err


def test_a_missing_variable_exits_2_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("key", {"a.env": scw_env(1)})
    monkeypatch.setenv("GITLAB_CI", "true")
    monkeypatch.setenv("CI_PIPELINE_SOURCE", "push")
    monkeypatch.setenv("CI_COMMIT_SHA", repo.git("rev-parse", "HEAD"))
    code = main(["scan", "ci", str(repo.path)])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "CI_COMMIT_BEFORE_SHA is not set" in err
    assert "Traceback" not in err


def test_no_provider_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = Repo(tmp_path / "repo")
    repo.commit("clean", {"a.txt": "a\n"})
    assert main(["scan", "ci", str(repo.path)]) == 2
    assert "no CI provider detected" in capsys.readouterr().err


def test_base_given_on_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bitbucket Pipelines names no commit before a push: --base supplies it."""
    repo = Repo(tmp_path / "repo")
    repo.commit("key on main", {"main.env": scw_env(1)})
    repo.git("checkout", "-q", "-b", "topic")
    head = repo.commit("key on topic", {"topic.env": scw_env(5)})
    monkeypatch.setenv("BITBUCKET_BUILD_NUMBER", "7")
    monkeypatch.setenv("BITBUCKET_COMMIT", head)
    assert main(["scan", "ci", str(repo.path)]) == 2
    assert "LEAKWARDEN_CI_BASE is not set" in capsys.readouterr().err
    code, secrets, err = run(capsys, str(repo.path), "--base", "main")
    assert code == 1
    assert [s[:4] for s in secrets] == [secret_of(5)]
    assert "Bitbucket Pipelines, push main.." in err


def _shallow_clone(tmp_path: Path) -> tuple[Repo, list[str]]:
    origin = Repo(tmp_path / "origin")
    commits = [
        origin.commit("old key", {"old.env": scw_env(1)}),
        origin.commit("clean", {"README": "hello\n"}),
        origin.commit("clean again", {"README": "hello again\n"}),
        origin.commit("new key", {"new.env": scw_env(2)}),
    ]
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{origin.path}", str(clone)],
        check=True,
        env=origin.env(),
    )
    return Repo(clone, init=False), commits


def test_shallow_clone_scans_what_is_there_and_says_what_it_could_not_see(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clone, commits = _shallow_clone(tmp_path)
    gitlab_push(monkeypatch, commits[2], commits[3])
    code, secrets, err = run(capsys, str(clone.path))
    assert code == 1
    # The boundary commit is all the clone has: its whole tree is scanned, old key included.
    assert sorted(s[:4] for s in secrets) == sorted([secret_of(1), secret_of(2)])
    assert f"{commits[2]} (the tip before the push) is not in the clone" in err
    assert "shallow clone: history behind 1 boundary commit is not in the clone" in err
    assert "--deepen N" in err


def test_shallow_clone_deepened_on_request_scans_the_exact_range(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clone, commits = _shallow_clone(tmp_path)
    gitlab_push(monkeypatch, commits[2], commits[3])
    code, secrets, err = run(capsys, str(clone.path), "--deepen", "1")
    assert code == 1
    assert [s[:4] for s in secrets] == [secret_of(2)]
    assert "fetched more history: git fetch --deepen=1 origin" in err
    assert f"scanning {commits[2][:12]}..{commits[3][:12]}" in err
    assert clone.git("rev-parse", "--is-shallow-repository") == "true"


def test_shallow_clone_unshallowed_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clone, commits = _shallow_clone(tmp_path)
    gitlab_push(monkeypatch, commits[0], commits[3])
    code, secrets, err = run(capsys, str(clone.path), "--unshallow")
    assert code == 1
    assert [s[:4] for s in secrets] == [secret_of(2)]
    assert "git fetch --unshallow origin" in err
    assert clone.git("rev-parse", "--is-shallow-repository") == "false"


def test_a_head_missing_from_the_clone_falls_back_to_head(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """GitHub checks out a pull request's merge commit; at depth 1 the PR's own head is absent."""
    repo = Repo(tmp_path / "repo")
    base = repo.commit("clean", {"a.txt": "a\n"})
    repo.commit("key", {"b.env": scw_env(6)})
    event = {"pull_request": {"base": {"sha": base}, "head": {"sha": "e" * 40}}}
    github_event(monkeypatch, tmp_path, "pull_request", event)
    code, secrets, err = run(capsys, str(repo.path))
    assert code == 1
    assert [s[:4] for s in secrets] == [secret_of(6)]
    assert f"{'e' * 40} is not in the clone: scanned from HEAD" in err
