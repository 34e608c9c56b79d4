"""`leakwarden hook install|uninstall` and the pre-commit hook, with real `git commit`s in
temporary repositories: blocking, chaining the user's own hook, core.hooksPath, --global."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from leakwarden.cli.main import main
from leakwarden.hooks.install import install
from leakwarden.hooks.script import leakwarden_command
from tests.git_repo import scw_env, scw_pair
from tests.hooks.gitutil import CONFIG, git

USER_HOOK = """#!/bin/sh
echo "user hook ran with $# args" >> "{log}"
exit {code}
"""


def new_repo(path: Path) -> Path:
    git(path.parent, "init", "-q", "-b", "main", path.name)
    (path / "README.md").write_text("hello\n")
    (path / ".leakwarden.toml").write_text(CONFIG)
    git(path, "add", "-A")
    git(path, "commit", "-q", "--no-verify", "-m", "init")
    return path


def commit(repo: Path, files: dict[str, str], message: str = "change") -> subprocess.CompletedProcess[str]:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    return git(repo, "commit", "-q", "-m", message, check=False)


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def commits(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").stdout)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return new_repo(tmp_path / "repo")


def test_install_blocks_a_commit_with_a_secret_and_lets_a_clean_one_through(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "hook", "install", str(repo))
    assert code == 0
    for kind in ("pre-commit", "pre-push"):
        hook = repo / ".git" / "hooks" / kind
        assert f"{hook}: installed" in out
        assert hook.stat().st_mode & stat.S_IXUSR
        text = hook.read_text()
        assert text.startswith("#!/bin/sh\n")
        assert "# leakwarden-hook:" in text
        program = leakwarden_command()[0]
        assert Path(program).is_absolute()
        assert program in text

    access, secret = scw_pair(1)
    blocked = commit(repo, {"deploy/.env": scw_env(1)}, "add keys")
    assert blocked.returncode != 0
    assert commits(repo) == 1
    err = blocked.stderr
    assert "commit blocked: 1 secret in the staged changes" in err
    assert "deploy/.env:2:" in err  # path:line
    assert "scaleway.api_key" in err
    assert secret not in err
    assert access not in err
    assert secret[:4] + "*" in err
    assert "Rotate" in err
    assert "git rm --cached deploy/.env" in err
    assert "git commit --no-verify" in err
    assert "leakwarden:allow <reason>" in err

    git(repo, "rm", "-q", "--cached", "deploy/.env")
    (repo / "deploy/.env").unlink()
    clean = commit(repo, {"app.py": "import os\nKEY = os.environ['SCW_SECRET_KEY']\n"})
    assert clean.returncode == 0, clean.stderr
    assert commits(repo) == 2


def test_fix_is_suggested_for_files_it_rewrites_and_inline_allow_lets_a_commit_through(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "hook", "install", str(repo), "--pre-commit")[0] == 0
    access, secret = scw_pair(2)
    source = f'ACCESS = "{access}"\nSECRET = "{secret}"\n'
    blocked = commit(repo, {"settings.py": source})
    assert blocked.returncode != 0
    assert "leakwarden fix settings.py" in blocked.stderr
    allowed = source.replace('"\n', '"  # leakwarden:allow revoked test key\n')
    passed = commit(repo, {"settings.py": allowed})
    assert passed.returncode == 0, passed.stderr


def test_the_repository_ignore_configuration_applies(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "hook", "install", str(repo), "--pre-commit")[0] == 0
    (repo / ".leakwarden.toml").write_text(CONFIG + 'allow_paths = ["fixtures/"]\n')
    passed = commit(repo, {"fixtures/sample.env": scw_env(3)})
    assert passed.returncode == 0, passed.stderr


def test_an_existing_hook_is_chained_kept_and_restored(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "user-hook.log"
    hook = repo / ".git" / "hooks" / "pre-commit"
    original = USER_HOOK.format(log=log, code=0)
    hook.write_text(original)
    hook.chmod(0o755)

    code, out, _ = cli(capsys, "hook", "install", str(repo), "--pre-commit")
    assert code == 0
    assert "kept as pre-commit.local and runs first" in out
    assert (repo / ".git/hooks/pre-commit.local").read_text() == original

    assert commit(repo, {"a.txt": "one\n"}).returncode == 0
    assert log.read_text() == "user hook ran with 0 args\n"
    blocked = commit(repo, {"b.env": scw_env(4)})
    assert blocked.returncode != 0
    assert "commit blocked" in blocked.stderr
    assert log.read_text().count("user hook ran") == 2  # the user's hook ran first, then ours

    # installing again changes nothing and does not chain our own hook
    code, out, _ = cli(capsys, "hook", "install", str(repo), "--pre-commit")
    assert code == 0
    assert "already installed" in out
    assert (repo / ".git/hooks/pre-commit.local").read_text() == original

    code, out, _ = cli(capsys, "hook", "uninstall", str(repo))
    assert code == 0
    assert "your hook is back" in out
    assert hook.read_text() == original
    assert not (repo / ".git/hooks/pre-commit.local").exists()
    assert hook.stat().st_mode & stat.S_IXUSR


def test_a_failing_user_hook_fails_the_commit(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(USER_HOOK.format(log=tmp_path / "log", code=3))
    hook.chmod(0o755)
    assert cli(capsys, "hook", "install", str(repo), "--pre-commit")[0] == 0
    failed = commit(repo, {"clean.txt": "nothing secret\n"})
    assert failed.returncode != 0
    assert "your hook" in failed.stderr
    assert "pre-commit.local failed (exit 3)" in failed.stderr
    assert commits(repo) == 1


def test_core_hooks_path_is_respected(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "config", "core.hooksPath", ".githooks")
    code, _out, _ = cli(capsys, "hook", "install", str(repo), "--pre-commit")
    assert code == 0
    assert (repo / ".githooks" / "pre-commit").is_file()
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()
    assert commit(repo, {"k.env": scw_env(5)}).returncode != 0


def test_a_missing_leakwarden_fails_closed_and_says_how_to_bypass(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(repo / ".git" / "hooks", ["pre-commit"], command=[str(repo / "gone" / "leakwarden")])
    bare_path = os.pathsep.join([str(Path(shutil.which("git") or "/usr/bin/git").parent), "/usr/bin", "/bin"])
    assert shutil.which("leakwarden", path=bare_path) is None
    monkeypatch.setenv("PATH", bare_path)
    failed = commit(repo, {"clean.txt": "nothing secret\n"})
    assert failed.returncode == 1
    assert "needs leakwarden, which is no longer installed" in failed.stderr
    assert "git commit --no-verify" in failed.stderr
    assert "leakwarden hook install" in failed.stderr
    assert commits(repo) == 1
    forced = git(repo, "commit", "-q", "--no-verify", "-m", "on purpose")
    assert forced.returncode == 0


def test_global_install_sets_hooks_path_and_keeps_each_repository_s_own_hooks(
    tmp_path: Path, hermetic_git: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli(capsys, "hook", "install", "--global")
    assert code == 0
    hooks_dir = Path(git(tmp_path, "config", "--global", "core.hooksPath").stdout.strip())
    assert hooks_dir.is_relative_to(hermetic_git)
    assert (hooks_dir / "pre-commit").is_file()
    assert f"core.hooksPath set to {hooks_dir}" in out

    repo = new_repo(tmp_path / "other")  # never installed into: the global hooks apply
    log = tmp_path / "own.log"
    own = repo / ".git" / "hooks" / "pre-commit"
    own.write_text(USER_HOOK.format(log=log, code=0))
    own.chmod(0o755)
    code, out, _ = cli(capsys, "hook", "install", str(repo), "--pre-commit")  # the same scripts
    assert code == 0
    assert "is the global core.hooksPath" in out
    assert f"{hooks_dir / 'pre-commit'}: already installed" in out
    blocked = commit(repo, {"ops.env": scw_env(6)})
    assert blocked.returncode != 0
    assert "commit blocked" in blocked.stderr
    assert log.read_text() == "user hook ran with 0 args\n"  # core.hooksPath did not switch it off

    code, out, _ = cli(capsys, "hook", "uninstall", "--global")
    assert code == 0
    assert "core.hooksPath removed" in out
    assert git(tmp_path, "config", "--global", "core.hooksPath", check=False).returncode == 1
    assert commit(repo, {"ops.env": scw_env(6)}).returncode == 0


def test_global_install_into_an_existing_hooks_path_leaves_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "my-hooks"
    git(tmp_path, "config", "--global", "core.hooksPath", str(mine))
    code, out, _ = cli(capsys, "hook", "install", "--global", "--pre-commit")
    assert code == 0
    assert "core.hooksPath set" not in out
    assert (mine / "pre-commit").is_file()
    assert cli(capsys, "hook", "uninstall", "--global")[0] == 0
    assert git(tmp_path, "config", "--global", "core.hooksPath").stdout.strip() == str(mine)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--pre-commit", "--timeout", "5"], "--timeout applies to the pre-receive hook only"),
        (["--global", "REPO"], "give either REPO or --global"),
    ],
)
def test_bad_install_options_are_usage_errors(
    repo: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [str(repo) if a == "REPO" else a for a in argv]
    code, _, err = cli(capsys, "hook", "install", *argv)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) <= 2  # the error, and where to find help


def test_pre_commit_cannot_go_into_a_bare_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(tmp_path, "init", "-q", "--bare", "server.git")
    code, _, err = cli(capsys, "hook", "install", str(tmp_path / "server.git"), "--pre-commit")
    assert code == 2
    assert "bare repository" in err
    code, out, _ = cli(capsys, "hook", "install", str(tmp_path / "server.git"))
    assert code == 0
    assert "pre-receive: installed" in out


def test_a_user_hook_and_a_stale_local_copy_are_not_overwritten(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-push").write_text("#!/bin/sh\nexit 0\n")
    (hooks / "pre-push.local").write_text("#!/bin/sh\nexit 0\n")
    code, _, err = cli(capsys, "hook", "install", str(repo), "--pre-push")
    assert code == 2
    assert "pre-push.local exists too" in err
    assert (hooks / "pre-push").read_text() == "#!/bin/sh\nexit 0\n"


def test_uninstall_leaves_hooks_it_did_not_write(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 0\n")
    code, out, _ = cli(capsys, "hook", "uninstall", str(repo))
    assert code == 0
    assert "not installed by leakwarden: left alone" in out
    assert hook.read_text() == "#!/bin/sh\nexit 0\n"


@pytest.mark.parametrize("how", [["-a"], ["--", "app.env"]])
def test_commit_a_and_commit_of_paths_are_scanned_through_git_s_temporary_index(
    repo: Path, how: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`git commit -a` and `git commit PATH` give the hook another index (GIT_INDEX_FILE)."""
    assert cli(capsys, "hook", "install", str(repo), "--pre-commit")[0] == 0
    (repo / "app.env").write_text("MODE=dev\n")
    git(repo, "add", "app.env")
    git(repo, "commit", "-q", "--no-verify", "-m", "tracked")
    (repo / "app.env").write_text("MODE=dev\n" + scw_env(7))  # changed in the work tree only
    blocked = git(repo, "commit", "-q", "-m", "keys", *how, check=False)
    assert blocked.returncode != 0
    assert "app.env:3:" in blocked.stderr
    assert commits(repo) == 2


def test_nothing_to_scan_lets_a_commit_through_and_what_cannot_be_read_blocks_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(capsys, "hook", "install", str(repo), "--pre-commit")[0] == 0
    git(repo, "rm", "-q", "README.md")
    deleted = git(repo, "commit", "-q", "-m", "only a deletion", check=False)
    assert deleted.returncode == 0, deleted.stderr
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    git(repo, "add", "logo.png")
    binary = git(repo, "commit", "-q", "-m", "only a binary", check=False)
    assert binary.returncode == 0, binary.stderr
    assert commits(repo) == 3

    (repo / ".leakwarden.toml").write_text('enable = ["scaleway"]\nmax_file_size = "1KB"\n')
    git(repo, "commit", "-q", "--no-verify", "-am", "smaller limit")
    blocked = commit(repo, {"dump.sql": "insert into t values (1);\n" * 100})
    assert blocked.returncode != 0
    assert "nothing was scanned: every input was skipped (1 too large)" in blocked.stderr
    assert "git commit --no-verify" in blocked.stderr
    assert commits(repo) == 4
