"""The only writer: every change of a plan, each file replaced atomically, nothing written when
any file changed since the plan was made."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from leakwarden.errors import InputError
from leakwarden.fix.model import FileChange, FixPlan


def _current(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def _write(change: FileChange) -> None:
    path = change.path
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o600 if change.private else 0o666 & ~umask
    directory = path.parent
    if change.old is None:
        directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".leakwarden", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(change.new.encode("utf-8"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
