"""Installing and removing hooks. A hook already there that is not ours is never overwritten:
it is kept as `<hook>.local`, and ours runs it first (same arguments, same stdin; its failure
fails the hook). Installing again only refreshes our script; uninstalling puts the user's back."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from leakwarden.errors import InputError
from leakwarden.fileio import replace_file
from leakwarden.hooks import PRE_COMMIT, PRE_PUSH, PRE_RECEIVE
from leakwarden.hooks.script import LOCAL_SUFFIX, is_ours, leakwarden_command, render
from leakwarden.sources.gitcmd import Git, GitFailed, find_git

# With --global, runs also call each repository's own .git/hooks/<hook>: a global
# core.hooksPath makes git skip them, and installing leakwarden must not switch them off.
REPO_HOOKS_OPTION = "--repo-hooks"


@dataclass(frozen=True)
class Action:
    """What install or uninstall did to one hook, in words for the user."""

    hook: Path
    message: str


def repo_hooks_dir(repo: str) -> tuple[Path, bool]:
    """The repository's effective hooks directory (core.hooksPath respected) and whether the
    repository is bare."""
    git = Git.open(repo)
    try:
        out = git.run("rev-parse", "--git-path", "hooks").decode("utf-8", "surrogateescape").strip()
    except GitFailed as exc:
        raise InputError(f"{repo}: cannot find the hooks directory ({exc.reason})") from None
    hooks = Path(out).expanduser()
    return (hooks if hooks.is_absolute() else Path(repo) / hooks), git.bare


def default_kinds(bare: bool) -> tuple[str, ...]:
    return (PRE_RECEIVE,) if bare else (PRE_COMMIT, PRE_PUSH)


def install(
    hooks_dir: Path,
    kinds: Sequence[str],
    run_options: Sequence[str] = (),
    command: Sequence[str] | None = None,
) -> list[Action]:
    command = list(command) if command is not None else leakwarden_command()
    try:
        hooks_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{hooks_dir}: cannot create the hooks directory: {exc.strerror}") from None
    actions = []
    for kind in kinds:
        hook, local = hooks_dir / kind, hooks_dir / (kind + LOCAL_SUFFIX)
        text = render(kind, command, run_options)
        exists = hook.exists() or hook.is_symlink()
        if exists and is_ours(hook):
            if hook.read_text(encoding="utf-8", errors="replace") == text:
                actions.append(Action(hook, "already installed"))
                continue
            _write(hook, text)
            actions.append(Action(hook, "updated"))
            continue
        if exists:
            if local.exists() or local.is_symlink():
                raise InputError(
                    f"{hook}: a hook of yours is there and {local.name} exists too; move one of them "
                    "away, then install again"
                )
            _rename(hook, local)
            _write(hook, text)
            actions.append(
                Action(
                    hook,
                    f"installed; your existing hook is kept as {local.name} and runs first "
                    "(uninstall puts it back)",
                )
            )
            continue
        _write(hook, text)
        actions.append(Action(hook, "installed"))
    return actions


def uninstall(hooks_dir: Path, kinds: Sequence[str]) -> list[Action]:
    actions = []
    for kind in kinds:
        hook, local = hooks_dir / kind, hooks_dir / (kind + LOCAL_SUFFIX)
        if not (hook.exists() or hook.is_symlink()):
            if local.exists() or local.is_symlink():
                _rename(local, hook)
                actions.append(Action(hook, f"restored your hook from {local.name}"))
            continue
        if not is_ours(hook):
            actions.append(Action(hook, "not installed by leakwarden: left alone"))
            continue
        try:
            hook.unlink()
        except OSError as exc:
            raise InputError(f"{hook}: cannot remove: {exc.strerror}") from None
        if local.exists() or local.is_symlink():
            _rename(local, hook)
            actions.append(Action(hook, f"removed; your hook is back (from {local.name})"))
        else:
            actions.append(Action(hook, "removed"))
    return actions


def _write(path: Path, text: str) -> None:
    """Replace `path` atomically, so git never runs half a script."""
    try:
        replace_file(path, text.encode("utf-8"), 0o755)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the hook: {exc.strerror}") from None


def _rename(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        raise InputError(f"{source}: cannot rename to {target.name}: {exc.strerror}") from None


# --- global installs ---------------------------------------------------------------------------


def _global_config(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [find_git(), "config", "--global", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )


def default_global_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("leakwarden")) / "git-hooks"


def global_hooks_dir() -> tuple[Path, bool]:
    """Where global hooks go: the global core.hooksPath if set (the user's own directory, where
    ours chain with theirs), else leakwarden's own; and whether core.hooksPath must be set."""
    done = _global_config("--get", "core.hooksPath")
    current = done.stdout.strip()
    if done.returncode == 0 and current:
        return Path(current).expanduser(), False
    return default_global_dir(), True


def set_global_hooks_path(hooks_dir: Path) -> None:
    done = _global_config("core.hooksPath", str(hooks_dir))
    if done.returncode != 0:
        reason = done.stderr.strip().splitlines()[-1:] or ["git config failed"]
        raise InputError(f"cannot set core.hooksPath in the global git configuration: {reason[0]}")


def unset_global_hooks_path_if_ours(hooks_dir: Path) -> bool:
    """Unset the global core.hooksPath if it is leakwarden's own directory and no hook is left
    in it; True if it was unset."""
    if hooks_dir != default_global_dir():
        return False
    if hooks_dir.is_dir() and any(p.is_file() and not p.name.startswith(".") for p in hooks_dir.iterdir()):
        return False
    return _global_config("--unset", "core.hooksPath").returncode == 0
