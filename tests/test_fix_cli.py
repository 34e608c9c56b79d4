"""`leakwarden fix` on the command line: dry run by default, redacted diff, the rotation
reminder, exit codes 0/1/2; and the plan/apply contract underneath."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from leakwarden.cli.main import main
from leakwarden.errors import InputError
from leakwarden.fix import apply, plan_fixes, render_diff
from tests.conftest import write
from tests.fix_support import Fakes, snapshot


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    key_id, secret = Fakes(60).alibaba()
    write(tmp_path / "app.py", f'import oss2\n\nauth = oss2.Auth("{key_id}", "{secret}")\n')
    write(tmp_path / "README.md", "nothing here\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path, key_id, secret


def test_dry_run_shows_a_redacted_diff_changes_nothing_and_exits_1(
    project: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, key_id, secret = project
    before = snapshot(root)
    code, out, err = run(capsys, "fix", ".")
    assert code == 1
    assert snapshot(root) == before
    assert "--- a/app.py\n+++ b/app.py\n" in out
    assert '+auth = oss2.Auth(os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"]' in out
    assert "+ALIBABA_CLOUD_ACCESS_KEY_SECRET=" in out
    assert secret not in out + err
    assert key_id not in out + err
    assert "Dry run: nothing was changed" in err
    assert "already leaked" in err
    assert "does not un-leak" in err
    assert "https://ram.console.aliyun.com/manage/ak" in err


def test_show_secrets_prints_them_in_the_diff(
    project: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, _, secret = project
    code, out, _ = run(capsys, "fix", ".", "--show-secrets")
    assert code == 1
    assert f"+ALIBABA_CLOUD_ACCESS_KEY_SECRET={secret}" in out


def test_apply_writes_and_a_second_run_has_nothing_to_fix(
    project: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, key_id, secret = project
    code, _, err = run(capsys, "fix", ".", "--apply")
    assert code == 1
    assert "Applied: 4 files written." in err
    assert "already leaked" in err
    assert (root / "app.py").read_text() == (
        "import os\nimport oss2\n\nauth = oss2.Auth("
        'os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"], os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"])\n'
    )
    env = (root / ".env").read_text()
    assert f"ALIBABA_CLOUD_ACCESS_KEY_ID={key_id}\nALIBABA_CLOUD_ACCESS_KEY_SECRET={secret}\n" in env
    assert stat.S_IMODE((root / ".env").stat().st_mode) == 0o600
    assert (
        root / ".env.example"
    ).read_text() == "ALIBABA_CLOUD_ACCESS_KEY_ID=\nALIBABA_CLOUD_ACCESS_KEY_SECRET=\n"
    assert (root / ".gitignore").read_text() == ".env\n"

    code, out, err = run(capsys, "fix", ".")
    assert code == 0
    assert out == ""
    assert "in place" in err
    assert "already leaked" in err  # .env still holds them: they still must be rotated


def test_env_file_option(project: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]) -> None:
    root, key_id, _ = project
    code, _, _ = run(capsys, "fix", "app.py", "--apply", "--env-file", "config/app.env")
    assert code == 1
    assert f"ALIBABA_CLOUD_ACCESS_KEY_ID={key_id}" in (root / "config" / "app.env").read_text()
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID=" in (root / "config" / "app.env.example").read_text()
    assert (root / "config" / ".gitignore").read_text() == "app.env\n"


def test_exclude_option_and_ignore_file_are_honoured(
    project: tuple[Path, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    root, _, _ = project
    before = snapshot(root)
    code, out, err = run(capsys, "fix", ".", "--exclude", "app.py")
    assert (code, out) == (0, "")
    assert "no hardcoded credentials found" in err
    assert snapshot(root) == before


def test_clean_tree_exits_0_without_reminder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a.py", "print('hello')\n")
    code, out, err = run(capsys, "fix", str(tmp_path), "--env-file", str(tmp_path / ".env"))
    assert (code, out) == (0, "")
    assert "rotate" not in err.lower()


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "fix", str(tmp_path / "nope"))
    assert code == 2
    assert "does not exist" in err


def test_unfixable_file_is_reported_with_exit_1_and_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, secret = Fakes(61).scaleway()
    write(tmp_path / "application.properties", f"scw.secret-key={secret}\n")
    before = snapshot(tmp_path)
    code, out, err = run(capsys, "fix", str(tmp_path), "--apply", "--env-file", str(tmp_path / ".env"))
    assert code == 1
    assert out == ""
    assert "unsupported" in err
    assert "application.properties" in err
    assert snapshot(tmp_path) == before


def test_apply_refuses_when_a_file_changed_since_the_plan(tmp_path: Path) -> None:
    key_id, secret = Fakes(62).alibaba()
    app = write(tmp_path / "app.py", f'auth = oss2.Auth("{key_id}", "{secret}")\n')
    plan = plan_fixes([str(tmp_path)], env_file=tmp_path / ".env")
    app.write_text(app.read_text() + "# edited meanwhile\n")
    with pytest.raises(InputError, match="changed since"):
        apply(plan)
    assert not (tmp_path / ".env").exists()
    assert "edited meanwhile" in app.read_text()


def test_diff_redacts_every_secret_unless_asked(tmp_path: Path) -> None:
    key_id, secret = Fakes(63).alibaba()
    write(tmp_path / "app.py", f'auth = oss2.Auth("{key_id}", "{secret}")\n')
    plan = plan_fixes([str(tmp_path)], env_file=tmp_path / ".env")
    redacted, shown = render_diff(plan), render_diff(plan, show_secrets=True)
    assert key_id not in redacted
    assert secret not in redacted
    assert key_id in shown
    assert secret in shown


def test_existing_file_mode_is_kept(tmp_path: Path) -> None:
    key_id, secret = Fakes(64).alibaba()
    script = write(tmp_path / "run.py", f'#!/usr/bin/env python3\nauth = oss2.Auth("{key_id}", "{secret}")\n')
    os.chmod(script, 0o755)
    apply(plan_fixes([str(tmp_path)], env_file=tmp_path / ".env"))
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert script.read_text().startswith("#!/usr/bin/env python3\nimport os\n")
