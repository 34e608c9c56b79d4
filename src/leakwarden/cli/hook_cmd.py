"""`leakwarden hook install|uninstall|run`: git hooks that block commits and pushes carrying
secrets. The logic lives in `leakwarden.hooks`; this module parses, builds objects and prints."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from leakwarden.cli.color import color_option
from leakwarden.cli.main import FullHelpGroup
from leakwarden.hooks import KINDS, PRE_COMMIT, PRE_PUSH, PRE_RECEIVE

F = TypeVar("F", bound=Callable[..., Any])
ON_TIMEOUT = ("reject", "accept")


@click.group("hook", cls=FullHelpGroup)
def hook_group() -> None:
    """Git hooks that block commits and pushes carrying secrets."""


def _kind_options(func: F) -> F:
    for kind, help_text in reversed(
        [
            (PRE_COMMIT, "The pre-commit hook: scan the staged changes."),
            (PRE_PUSH, "The pre-push hook: scan the commits being pushed."),
            (PRE_RECEIVE, "The pre-receive hook, for a server (bare) repository: scan what a push brings."),
        ]
    ):
        func = click.option(f"--{kind}", kind.replace("-", "_"), is_flag=True, help=help_text)(func)
    return func


def _chosen(flags: dict[str, bool]) -> list[str]:
    return [kind for kind in KINDS if flags.get(kind.replace("-", "_"))]


def _echo_actions(actions: Any) -> None:
    for action in actions:
        click.echo(f"{action.hook}: {action.message}")


@hook_group.command("install")
@click.argument("repo", required=False, type=click.Path(file_okay=False))
@_kind_options
@click.option(
    "--global",
    "global_",
    is_flag=True,
    help="Install for every repository of this user: into the global core.hooksPath (set to "
    "leakwarden's own directory if unset); each repository's own hooks still run.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="pre-receive: seconds the scan may take (0: no limit) [default: 60].",
)
@click.option(
    "--on-timeout",
    type=click.Choice(ON_TIMEOUT),
    help="pre-receive: what happens to a push whose scan runs out of time [default: reject].",
)
@click.option(
    "--allow-skip/--no-allow-skip",
    default=None,
    help="pre-receive: honour the break-glass `git push -o leakwarden.skip` [default: allow].",
)
def install_cmd(
    *,
    repo: str | None,
    global_: bool,
    timeout: float | None,
    on_timeout: str | None,
    allow_skip: bool | None,
    **flags: bool,
) -> int:
    """Install hooks into REPO (default: the current repository's effective hooks directory,
    core.hooksPath respected). Without a hook option: pre-commit and pre-push, or pre-receive in
    a bare repository. A hook already there is kept, renamed to HOOK.local, and run first."""
    from leakwarden.hooks.install import (
        REPO_HOOKS_OPTION,
        default_kinds,
        global_hooks_dir,
        install,
        repo_hooks_dir,
        set_global_hooks_path,
    )

    if global_ and repo:
        raise click.UsageError("give either REPO or --global, not both")
    given = {"--timeout": timeout, "--on-timeout": on_timeout, "--allow-skip": allow_skip}
    server = [name for name, value in given.items() if value is not None]
    kinds = _chosen(flags)
    if server and kinds and PRE_RECEIVE not in kinds:  # before touching the repository
        raise click.UsageError(f"{server[0]} applies to the pre-receive hook only (add --pre-receive)")
    if global_:
        hooks_dir, set_path = global_hooks_dir()
        kinds = kinds or [PRE_COMMIT, PRE_PUSH]
    else:
        hooks_dir, bare = repo_hooks_dir(repo or ".")
        kinds = kinds or list(default_kinds(bare))
        if bare and PRE_COMMIT in kinds:
            raise click.UsageError(
                f"{repo or '.'} is a bare repository: nobody commits in it (try --pre-receive)"
            )
        set_path = False
        global_dir, must_set = global_hooks_dir()
        if not must_set and hooks_dir.resolve() == global_dir.resolve():
            global_ = True  # the user's global core.hooksPath: keep running each repository's hooks
            click.echo(f"{hooks_dir} is the global core.hooksPath: the hooks apply to every repository")
    if server and PRE_RECEIVE not in kinds:
        raise click.UsageError(f"{server[0]} applies to the pre-receive hook only (add --pre-receive)")
    run_options = [REPO_HOOKS_OPTION] if global_ else []
    receive_options = [*run_options]
    if timeout is not None:
        receive_options += ["--timeout", f"{timeout:g}"]
    if on_timeout is not None:
        receive_options += ["--on-timeout", on_timeout]
    if allow_skip is False:
        receive_options.append("--no-allow-skip")
    actions = []
    for kind in kinds:
        actions += install(hooks_dir, [kind], receive_options if kind == PRE_RECEIVE else run_options)
    _echo_actions(actions)
    if set_path:
        set_global_hooks_path(hooks_dir)
        click.echo(f"core.hooksPath set to {hooks_dir} in your global git configuration")
    return 0


@hook_group.command("uninstall")
@click.argument("repo", required=False, type=click.Path(file_okay=False))
@_kind_options
@click.option("--global", "global_", is_flag=True, help="Remove the hooks `install --global` wrote.")
def uninstall_cmd(repo: str | None, global_: bool, **flags: bool) -> int:
    """Remove leakwarden's hooks from REPO (default: every kind) and put back the hooks they
    chained. Hooks leakwarden did not write are left alone."""
    from leakwarden.hooks.install import (
        global_hooks_dir,
        repo_hooks_dir,
        uninstall,
        unset_global_hooks_path_if_ours,
    )

    if global_ and repo:
        raise click.UsageError("give either REPO or --global, not both")
    kinds = _chosen(flags) or list(KINDS)
    hooks_dir = global_hooks_dir()[0] if global_ else repo_hooks_dir(repo or ".")[0]
    actions = uninstall(hooks_dir, kinds)
    _echo_actions(actions)
    if not actions:
        click.echo(f"{hooks_dir}: no leakwarden hook installed")
    if global_ and unset_global_hooks_path_if_ours(hooks_dir):
        click.echo("core.hooksPath removed from your global git configuration")
    return 0


@hook_group.command("run")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("hook_args", nargs=-1)
@click.option(
    "--hook-path",
    metavar="PATH",
    help="The installed hook script (its $0): the user's hook it chained, PATH.local, runs first.",
)
@click.option(
    "--repo-hooks",
    is_flag=True,
    help="Also run the repository's own .git/hooks/KIND first (set by global installs).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    default=60.0,
    show_default=True,
    help="pre-receive: seconds the scan may take (0: no limit).",
)
@click.option(
    "--on-timeout",
    type=click.Choice(ON_TIMEOUT),
    default="reject",
    show_default=True,
    help="pre-receive: reject or accept a push whose scan ran out of time.",
)
@click.option(
    "--allow-skip/--no-allow-skip",
    default=True,
    show_default=True,
    help="pre-receive: honour `git push -o leakwarden.skip` (accepted unscanned, logged on stderr).",
)
@color_option
def run_cmd(
    *,
    kind: str,
    hook_args: tuple[str, ...],
    hook_path: str | None,
    repo_hooks: bool,
    timeout: float,
    on_timeout: str,
    allow_skip: bool,
    color: str,
) -> int:
    """What the installed hooks run: git's ARGS and stdin are passed through. Exit 1 blocks."""
    from leakwarden.cli.options import load_catalog_for, scan_args
    from leakwarden.hooks.run import HookCall, HookScan, ServerLimits, run_hook

    defaults: dict[str, Any] = {
        "fmt": "text",
        "output": None,
        "show_secrets": False,
        "rules": (),
        "min_confidence": None,
        "exclude": (),
        "max_file_size": None,
        "config_file": None,
        "baseline": None,
        "jobs": 0,
        "engine": "auto",
        "include_binary": False,
        "quiet": True,
    }
    args = scan_args(defaults)
    from leakwarden.cli.color import use_color

    scan = HookScan(
        lambda: load_catalog_for(args), args.config, args.policy, color=use_color(color, sys.stderr)
    )
    call = HookCall(kind, hook_args, hook_path, repo_hooks)
    return run_hook(call, scan, ServerLimits(timeout, on_timeout, allow_skip), sys.stdin.buffer)
