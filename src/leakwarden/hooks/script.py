"""The text of an installed hook: a few lines of POSIX sh that exec leakwarden (no pipeline, so a
commit waits on leakwarden alone), and fail closed, saying what to do, when leakwarden is gone."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from leakwarden.hooks import PRE_COMMIT, PRE_RECEIVE

# Marks a hook as ours: install updates it, uninstall removes it; anything else is the user's.
MARKER = "# leakwarden-hook:"
LOCAL_SUFFIX = ".local"


def leakwarden_command() -> list[str]:
    """How the hook starts leakwarden: the `leakwarden` script beside the interpreter running
    now (a virtualenv's bin), else the one on PATH, else this interpreter with `-m`."""
    beside = Path(sys.executable).parent / ("leakwarden.exe" if os.name == "nt" else "leakwarden")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside.absolute())]
    found = shutil.which("leakwarden")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "leakwarden"]


def _advice(kind: str) -> str:
    if kind == PRE_RECEIVE:
        return "The server's administrator must reinstall it, or remove this hook."
    verb = "commit" if kind == PRE_COMMIT else "push"
    return (
        "Reinstall it (pip install leakwarden, then leakwarden hook install), or remove this hook\n"
        f"(leakwarden hook uninstall). To {verb} once without the check, on purpose: git {verb} --no-verify"
    )


def render(kind: str, command: Sequence[str], run_options: Sequence[str] = ()) -> str:
    """The hook script for `kind`: `command` (from `leakwarden_command`) first, then
    `leakwarden` on PATH; git's arguments follow `--`, its stdin is inherited."""
    program, *prefix = command
    run = " ".join(shlex.quote(a) for a in ["hook", "run", *run_options, "--hook-path"])
    run += f' "$0" {kind} -- "$@"'
    first = " ".join([*(shlex.quote(a) for a in prefix), run])
    return f"""#!/bin/sh
{MARKER} {kind}
# Written by `leakwarden hook install`; `leakwarden hook uninstall` removes it and puts back
# the hook that was here before (kept as {kind}{LOCAL_SUFFIX}, which this one runs first).
leakwarden={shlex.quote(program)}
if [ -x "$leakwarden" ]; then
    exec "$leakwarden" {first}
fi
if command -v leakwarden >/dev/null 2>&1; then
    exec leakwarden {run}
fi
cat >&2 <<'LEAKWARDEN_MESSAGE'
leakwarden: this {kind} hook needs leakwarden, which is no longer installed (not at
{program}, nor on PATH), so it stops here rather than let a secret through.
{_advice(kind)}
LEAKWARDEN_MESSAGE
exit 1
"""


def is_ours(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return MARKER.encode() in head
