"""Running the user's own hooks before ours: the one `install` kept as `<hook>.local`, and, for
a global install, the repository's own `.git/hooks/<hook>` that a global core.hooksPath hides.
Each gets git's arguments and the same stdin; like git, we skip a hook that is not executable."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from leakwarden.errors import LeakwardenError
from leakwarden.hooks.script import LOCAL_SUFFIX
from leakwarden.sources.gitcmd import Git


def chained_hooks(kind: str, hook_path: str | None, repo_hooks: bool) -> list[Path]:
    """The user's hooks to run first, in order."""
    found: list[Path] = []
    if not hook_path:
        return found
    ours = Path(hook_path)
    local = ours.with_name(ours.name + LOCAL_SUFFIX)
    if _runnable(local):
        found.append(local)
    if repo_hooks:
        own = _repo_hook(kind)
        if own is not None and _runnable(own) and not _same(own, ours):
            found.append(own)
    return found


def _repo_hook(kind: str) -> Path | None:
    git_dir = os.environ.get("GIT_DIR")
    if not git_dir:
        try:
            git_dir = Git.open(".").git_dir
        except LeakwardenError:  # not in a repository: nothing of its own to run
            return None
    return Path(git_dir) / "hooks" / kind


def _runnable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def run_chained(hooks: Sequence[Path], args: Sequence[str], stdin: bytes | None) -> int:
    """Run each hook; the first failure's exit code (and a line saying whose), else 0."""
    for hook in hooks:
        command = [str(hook), *args]
        try:
            done = _run(command, stdin)
        except OSError as exc:
            if exc.errno != errno.ENOEXEC:
                print(f"leakwarden: cannot run your hook {hook}: {exc.strerror}", file=sys.stderr)
                return 1
            # no #! line: git would run it with the shell, so do we
            done = _run(["/bin/sh", *command], stdin)
        if done.returncode != 0:
            print(f"leakwarden: your hook {hook} failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode if 0 < done.returncode < 256 else 1
    return 0


def _run(command: list[str], stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
    if stdin is None:
        return subprocess.run(command, stdin=subprocess.DEVNULL, check=False)
    return subprocess.run(command, input=stdin, check=False)
