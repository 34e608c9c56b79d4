"""Every hook test runs git without the machine's configuration: HOME, the global config and the
XDG directories live in the test's tmp_path, and the working directory is tmp_path (no project
configuration leaks in from the developer's checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.git_repo import ISOLATED


@pytest.fixture(autouse=True)
def hermetic_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    for name, value in ISOLATED.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.chdir(tmp_path)
    return home
