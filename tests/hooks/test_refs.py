"""The pieces of the hooks on their own: reading git's stdin lines into the revisions to scan,
the push options, the pre-commit framework's variables, the script text, the time budget."""

from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from leakwarden.cli.main import main
from leakwarden.errors import InputError
from leakwarden.hooks.budget import run_within
from leakwarden.hooks.refs import (
    parse_pre_push,
    parse_pre_receive,
    pre_commit_framework_plan,
    pre_push_plan,
    pre_receive_plan,
)
from leakwarden.hooks.run import framework_push, push_options, skip_requested
from leakwarden.hooks.script import MARKER, render
from leakwarden.sources.gitcmd import Git
from tests.git_repo import ISOLATED, Repo, scw_env

ZERO = "0" * 40
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ISOLATED.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo(tmp_path / "repo")
    repo.commit("one", {"a.txt": "1\n"})
    repo.commit("two", {"a.txt": "2\n"})
    return repo


def test_pre_push_lines_become_one_range_over_every_ref(repo: Repo) -> None:
    one, two = repo.git("rev-parse", "HEAD~1"), repo.git("rev-parse", "HEAD")
    repo.git("update-ref", "refs/remotes/origin/main", one)
    repo.git("update-ref", "refs/remotes/upstream/main", two)
    text = (
        f"refs/heads/main {two} refs/heads/main {one}\n"
        f"refs/heads/gone {ZERO} refs/heads/gone {one}\n"
        f"refs/heads/topic {two} refs/heads/topic {ZERO}\n"
    )
    plan = pre_push_plan(Git.open(str(repo.path)), "origin", parse_pre_push(text))
    assert plan.positives == [two, two]
    assert plan.rev_range == f"{two} ^{one}"  # origin's tracking ref only, not upstream's
    assert any("deleted" in n for n in plan.notes)
    assert any("new branch" in n for n in plan.notes)


def test_a_remote_sha_missing_here_falls_back_to_tracking_refs(repo: Repo) -> None:
    two = repo.git("rev-parse", "HEAD")
    plan = pre_push_plan(
        Git.open(str(repo.path)), "https://example.com/x.git", parse_pre_push(f"HEAD {two} main {'1' * 40}\n")
    )
    assert plan.positives == [two]
    assert plan.negatives == []
    assert "is not in this clone" in plan.notes[0]


def test_only_deletions_scan_nothing(repo: Repo) -> None:
    one = repo.git("rev-parse", "HEAD~1")
    plan = pre_push_plan(Git.open(str(repo.path)), "origin", parse_pre_push(f"(delete) {ZERO} x {one}\n"))
    assert plan.empty


def test_pre_receive_scans_new_tips_against_every_existing_ref(repo: Repo) -> None:
    two = repo.git("rev-parse", "HEAD")
    updates = parse_pre_receive(f"{ZERO} {two} refs/heads/new\n{two} {ZERO} refs/heads/old\n")
    plan = pre_receive_plan(Git.open(str(repo.path)), updates)
    assert plan.rev_range == f"{two} --not --all"


@pytest.mark.parametrize(
    ("parse", "line", "message"),
    [
        (parse_pre_push, "refs/heads/main abc refs/heads/main def", "pre-push: line 1 of standard input"),
        (parse_pre_push, "only three fields", "<local ref> <local sha> <remote ref> <remote sha>"),
        (parse_pre_receive, f"{ZERO} nothex refs/heads/x", "pre-receive: line 1 of standard input"),
    ],
)
def test_malformed_hook_input_is_an_input_error(parse: object, line: str, message: str) -> None:
    with pytest.raises(InputError, match="line 1") as caught:
        parse(line + "\n")  # type: ignore[operator]
    assert message in str(caught.value)


def test_malformed_stdin_exits_2_with_one_line(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(repo.path)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"garbage\n")))
    code = main(["hook", "run", "pre-push", "--", "origin", "url"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("leakwarden: error: pre-push: line 1 of standard input")
    assert err.count("\n") == 1


def test_push_options_and_the_break_glass_option() -> None:
    env = {
        "GIT_PUSH_OPTION_COUNT": "2",
        "GIT_PUSH_OPTION_0": "ci.skip",
        "GIT_PUSH_OPTION_1": "leakwarden.skip",
    }
    assert push_options(env) == ["ci.skip", "leakwarden.skip"]
    assert skip_requested(push_options(env)) == (True, "")
    assert skip_requested(["leakwarden.skip=key revoked"]) == (True, "key revoked")
    assert skip_requested(["leakwarden.skipper"]) == (False, "")
    assert push_options({"GIT_PUSH_OPTION_COUNT": "x"}) == []


def test_the_pre_commit_framework_range(repo: Repo) -> None:
    one, two = repo.git("rev-parse", "HEAD~1"), repo.git("rev-parse", "HEAD")
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": one}
    env["PRE_COMMIT_TO_REF"] = two
    assert framework_push(env)
    assert not framework_push({"PRE_COMMIT_RUNNING_LEGACY": "1"})
    git = Git.open(str(repo.path))
    assert pre_commit_framework_plan(git, env).rev_range == f"{two} ^{one}"
    first_push = {"PRE_COMMIT_REMOTE_NAME": "origin", "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main"}
    assert pre_commit_framework_plan(git, first_push).rev_range == two
    with pytest.raises(InputError, match="is not a commit"):
        pre_commit_framework_plan(git, {"PRE_COMMIT_TO_REF": "nope"})


@pytest.mark.parametrize("command", [["/opt/it's here/leakwarden"], ["/usr/bin/python3", "-m", "leakwarden"]])
def test_the_script_is_valid_sh_and_quotes_paths(tmp_path: Path, command: list[str]) -> None:
    script = render("pre-push", command, ["--timeout", "5"])
    path = tmp_path / "pre-push"
    path.write_text(script)
    assert subprocess.run(["sh", "-n", str(path)], check=False).returncode == 0
    assert MARKER in script
    assert '--hook-path "$0" pre-push -- "$@"' in script
    assert "git push --no-verify" in script


def test_the_time_budget() -> None:
    assert run_within(lambda: 3, 5.0) == 3
    assert run_within(lambda: 4, 0) == 4  # no limit: runs here
    started = time.monotonic()
    assert run_within(lambda: time.sleep(30) or 0, 0.2) is None
    assert time.monotonic() - started < 10


def test_the_pre_commit_framework_hooks_run_leakwarden_s_hook_per_stage(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    for hook in manifest:
        *command, stage = hook["entry"].split()
        assert command == ["leakwarden", "hook", "run"]
        assert hook["stages"] == [stage]
        assert hook["pass_filenames"] is False

    # the pre-push stage as the framework runs it: no git stdin, the range in PRE_COMMIT_*
    repo.write(".leakwarden.toml", 'enable = ["scaleway"]\n')
    clean = repo.commit("config")
    leaky = repo.commit("keys", {"prod.env": scw_env(31)})
    monkeypatch.chdir(repo.path)
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"")))
    monkeypatch.setenv("PRE_COMMIT", "1")  # what pre-commit 4 sets, with the range
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", clean)
    monkeypatch.setenv("PRE_COMMIT_TO_REF", leaky)
    assert main(["hook", "run", "pre-push"]) == 1
    assert "push blocked: 1 secret in the pushed commits" in capsys.readouterr().err
    monkeypatch.setenv("PRE_COMMIT_TO_REF", clean)
    monkeypatch.setenv("PRE_COMMIT_FROM_REF", repo.git("rev-parse", f"{clean}~1"))
    assert main(["hook", "run", "pre-push"]) == 0
