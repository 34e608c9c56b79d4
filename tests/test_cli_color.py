"""Colour is decided in one place: --color, then NO_COLOR, then FORCE_COLOR, then a terminal."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from leakwarden.cli.color import use_color
from leakwarden.cli.main import main
from tests.conftest import write

ESC = "\x1b["
KEY = "SCW_ACCESS_KEY=SCWFSJWESQRAQJXM9X4O\n"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "environ", "tty", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # empty means unset (no-color.org)
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"FORCE_COLOR": ""}, False, False),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
        ("auto", {"TERM": "dumb"}, True, False),
        ("always", {"NO_COLOR": "1"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_the_decision(choice: str, environ: dict[str, str], tty: bool, expected: bool) -> None:
    stream = _Tty() if tty else io.StringIO()
    assert use_color(choice, stream, environ=environ) is expected


def test_never_into_a_file() -> None:
    assert use_color("always", _Tty(), to_file=True, environ={"FORCE_COLOR": "1"}) is False


def _scan_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *extra: str
) -> str:
    write(tmp_path / "a.env", KEY)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["scan", "path", str(tmp_path), "--quiet", *extra]) == 1
    return capsys.readouterr().out


def test_scan_on_a_terminal_is_coloured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("TERM", raising=False)
    assert ESC in _scan_stdout(tmp_path, capsys, monkeypatch)


def test_scan_honours_no_color_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    out = _scan_stdout(tmp_path, capsys, monkeypatch)
    assert ESC not in out
    assert "Scaleway" in out


def test_scan_color_never_and_always(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert ESC not in _scan_stdout(tmp_path, capsys, monkeypatch, "--color", "never")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False)
    write(tmp_path / "a.env", KEY)
    assert main(["scan", "path", str(tmp_path), "--quiet", "--color", "always"]) == 1
    assert ESC in capsys.readouterr().out


def test_scan_stdin_takes_color(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(KEY.encode())))
    assert main(["scan", "stdin", "--quiet", "--color", "always"]) == 1
    assert ESC in capsys.readouterr().out


@pytest.mark.parametrize("command", [["guide", "scaleway.access_key"]])
def test_guide_honours_no_color_and_the_option(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert main(command) == 0
    assert ESC in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(command) == 0
    assert ESC not in capsys.readouterr().out
    assert main([*command, "--color", "always"]) == 0
    assert ESC in capsys.readouterr().out
