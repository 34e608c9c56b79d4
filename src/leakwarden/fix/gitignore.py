"""Whether git ignores a file, read from the `.gitignore` files between it and its work tree's
root (deepest decides, as git does) and `.git/info/exclude`; and the line that makes it so."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from leakwarden.globs import gitignore_spec


def _decision(lines: list[str], relative: str) -> bool | None:
    result = gitignore_spec(lines).check_file(relative)
    return result.include


def _read_lines(path: Path) -> list[str] | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None


def is_ignored(path: Path) -> bool:
    path = path.absolute()
    directory = path.parent
    while True:
        lines = _read_lines(directory / ".gitignore")
        if lines is not None:
            decided = _decision(lines, path.relative_to(directory).as_posix())
            if decided is not None:
                return decided
        if (directory / ".git").exists():
            exclude = _read_lines(directory / ".git" / "info" / "exclude")
            if exclude is not None:
                return bool(_decision(exclude, path.relative_to(directory).as_posix()))
            return False
        if directory.parent == directory:
            return False
        directory = directory.parent


def gitignore_for(path: Path) -> Path:
    return path.parent / ".gitignore"


def adding(pattern: str) -> Callable[[str | None], str]:
    return lambda old: with_pattern(old, pattern)


def with_pattern(old: str | None, pattern: str) -> str:
    """The `.gitignore` text with `pattern` appended (unless it holds that very line)."""
    text = old or ""
    if pattern in (line.strip() for line in text.splitlines()):
        return text
    if text and not text.endswith("\n"):
        text += "\n"
    return text + f"{pattern}\n"
