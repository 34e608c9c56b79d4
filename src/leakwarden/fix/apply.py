"""The only writer: every change of a plan, each file replaced atomically, nothing written when
any file changed since the plan was made."""

from __future__ import annotations

from pathlib import Path

from leakwarden.errors import InputError
from leakwarden.fileio import replace_file
from leakwarden.fix.model import FileChange, FixPlan


def _current(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def _write(change: FileChange) -> None:
    if change.old is None:
        change.path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600 if change.private and not change.path.exists() else None
    replace_file(change.path, change.new.encode("utf-8"), mode)


def apply(plan: FixPlan) -> list[Path]:
    """Write every change of `plan` (the environment file first) and return the paths written.
    InputError, with nothing written, when a file no longer holds what the plan read."""
    for change in plan.changes:
        if _current(change.path) != change.old:
            raise InputError(f"{change.path}: changed since the fix was planned; run leakwarden fix again")
    written: list[Path] = []
    for change in plan.changes:
        try:
            _write(change)
        except OSError as exc:
            done = ", ".join(str(p) for p in written) or "nothing"
            raise InputError(
                f"{change.path}: cannot write: {exc.strerror or exc} (written: {done})"
            ) from None
        written.append(change.path)
    return written
