"""The one atomic file writer: content replaced whole, mode kept or chosen, nothing left behind
when the write fails."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from leakwarden.fileio import replace_file


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_replacing_keeps_the_file_s_mode(tmp_path: Path) -> None:
    target = tmp_path / "settings.py"
    target.write_text("old\n")
    target.chmod(0o640)
    replace_file(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert _mode(target) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.py"]


def test_a_new_file_gets_the_mode_asked_for_or_the_umask_s(tmp_path: Path) -> None:
    replace_file(tmp_path / "hook", b"#!/bin/sh\n", 0o755)
    assert _mode(tmp_path / "hook") == 0o755
    umask = os.umask(0o022)
    try:
        replace_file(tmp_path / "plain", b"x")
    finally:
        os.umask(umask)
    assert _mode(tmp_path / "plain") == 0o644


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / ".env"
    target.write_text("KEEP=1\n")

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        replace_file(target, b"LOST=1\n")
    assert target.read_text() == "KEEP=1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".env"]
