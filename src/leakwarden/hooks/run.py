"""What an installed hook does when git runs it: the user's chained hooks first, then the scan
of what is being committed or pushed, under the repository's configuration, ignore file and
baseline; exit 1 (with what to do) to block, 0 to let it through."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO

from leakwarden.config import Config
from leakwarden.errors import InputError, LeakwardenError
from leakwarden.hooks import PRE_COMMIT, PRE_PUSH, PRE_RECEIVE
from leakwarden.hooks.budget import run_within
from leakwarden.hooks.chain import chained_hooks, run_chained
from leakwarden.hooks.message import SKIP_OPTION, blocked
from leakwarden.hooks.refs import (
    PushPlan,
    parse_pre_push,
    parse_pre_receive,
    pre_commit_framework_plan,
    pre_push_plan,
    pre_receive_plan,
)
from leakwarden.ignore.policy import Policy, apply_policy
from leakwarden.model import ScanResult
from leakwarden.reports.common import count_of
from leakwarden.rules.catalog import Catalog
from leakwarden.sources.gitcmd import Git

EXIT_CLEAN, EXIT_BLOCK, EXIT_USAGE = 0, 1, 2
ON_TIMEOUT = ("reject", "accept")
DEFAULT_TIMEOUT_S = 60.0


@dataclass
class HookScan:
    """How to scan: the team's configuration and policy, and the catalogue (loaded only when
    there is something to scan), built by the CLI."""

    load_catalog: Callable[[], Catalog]
    config: Config
    policy: Policy
    engine: str = "auto"
    color: bool = False

    @cached_property
    def catalog(self) -> Catalog:
        return self.load_catalog()


@dataclass
class ServerLimits:
    """pre-receive only: the time budget and whether `git push -o leakwarden.skip` is honoured."""

    timeout: float = DEFAULT_TIMEOUT_S
    on_timeout: str = "reject"
    allow_skip: bool = True


@dataclass
class HookCall:
    """One run of a hook as git made it."""

    kind: str
    args: Sequence[str] = ()
    hook_path: str | None = None  # the installed script ($0), to find the chained hook beside it
    repo_hooks: bool = False
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


def framework_push(env: Mapping[str, str]) -> bool:
    """Run by the pre-commit framework (it sets PRE_COMMIT=1 for its hooks, not for a legacy
    hook it chains): git's stdin went to the framework, the refs come in PRE_COMMIT_*."""
    return env.get("PRE_COMMIT") == "1"


def run_hook(call: HookCall, scan: HookScan, limits: ServerLimits, stdin: IO[bytes]) -> int:
    framework = call.kind == PRE_PUSH and framework_push(call.env)
    data = stdin.read() if call.kind in (PRE_PUSH, PRE_RECEIVE) and not framework else None
    code = run_chained(chained_hooks(call.kind, call.hook_path, call.repo_hooks), call.args, data)
    if code:
        return code
    text = (data or b"").decode("utf-8", "surrogateescape")
    if call.kind == PRE_COMMIT:
        return _pre_commit(scan)
    if call.kind == PRE_PUSH:
        git = Git.open(".")
        if framework:
            plan = pre_commit_framework_plan(git, call.env)
        else:
            remote = call.args[0] if call.args else "origin"
            plan = pre_push_plan(git, remote, parse_pre_push(text))
        return _push(PRE_PUSH, plan, scan, allow_skip=False)
    if call.kind == PRE_RECEIVE:
        return _pre_receive(text, scan, limits, call.env)
    raise InputError(f"unknown hook {call.kind!r}: expected one of pre-commit, pre-push, pre-receive")


def _pre_commit(scan: HookScan) -> int:
    from leakwarden.scan import scan_staged

    config = scan.config
    result = scan_staged(
        ".",
        exclude=config.exclude,
        max_file_size=config.max_file_size,
        catalog=scan.catalog,
        engine=scan.engine,
        min_confidence=config.min_confidence,
        decode_depth=config.decode_depth,
    )
    return _verdict(PRE_COMMIT, result, scan, [], allow_skip=False)


def _push(kind: str, plan: PushPlan, scan: HookScan, *, allow_skip: bool) -> int:
    if plan.empty:
        return EXIT_CLEAN
    from leakwarden.scan import scan_git

    config = scan.config
    result = scan_git(
        ".",
        rev_range=plan.rev_range,
        exclude=config.exclude,
        max_file_size=config.max_file_size,
        catalog=scan.catalog,
        engine=scan.engine,
        min_confidence=config.min_confidence,
        decode_depth=config.decode_depth,
    )
    return _verdict(kind, result, scan, plan.notes, allow_skip=allow_skip)


def _verdict(kind: str, result: ScanResult, scan: HookScan, notes: list[str], *, allow_skip: bool) -> int:
    result.findings, _ = apply_policy(result.findings, scan.policy)
    # Binaries and symlinks alone are nothing to scan; what could not be read (a corrupt
    # object, a file over the size limit) is not a pass.
    problem = result.summary.untrusted(chosen_skips_count=False)
    if not result.findings and problem:
        what = "the staged changes" if kind == PRE_COMMIT else "the pushed commits"
        bypass = "git commit --no-verify" if kind == PRE_COMMIT else "git push --no-verify"
        if kind == PRE_RECEIVE:
            bypass = f"git push -o {SKIP_OPTION}" if allow_skip else "ask the administrators"
        print(
            f"leakwarden: error: {problem}, so {what} could not be checked for secrets "
            f"(to go ahead on purpose: {bypass})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not result.findings:
        if kind != PRE_COMMIT:
            print(
                "leakwarden: no secrets in the pushed commits "
                f"({count_of(result.summary.blobs, 'new blob')} scanned)",
                file=sys.stderr,
            )
        return EXIT_CLEAN
    result.summary.notes[:0] = notes
    sys.stderr.write(blocked(kind, result, scan.catalog, color=scan.color, allow_skip=allow_skip))
    sys.stderr.flush()
    return EXIT_BLOCK


def push_options(env: Mapping[str, str]) -> list[str]:
    """The push options (`git push -o …`) git hands the pre-receive hook."""
    try:
        count = int(env.get("GIT_PUSH_OPTION_COUNT", "0"))
    except ValueError:
        return []
    return [env.get(f"GIT_PUSH_OPTION_{i}", "") for i in range(count)]


def skip_requested(options: Sequence[str]) -> tuple[bool, str]:
    """Whether the break-glass option was given (`leakwarden.skip` or `leakwarden.skip=<reason>`)."""
    for option in options:
        name, _, reason = option.partition("=")
        if name.strip() == SKIP_OPTION:
            return True, reason.strip()
    return False, ""


def _pre_receive(text: str, scan: HookScan, limits: ServerLimits, env: Mapping[str, str]) -> int:
    updates = parse_pre_receive(text)
    skip, reason = skip_requested(push_options(env))
    if skip and limits.allow_skip:
        refs = ", ".join(f"{u.ref} {u.old[:12]}..{u.new[:12]}" for u in updates) or "no refs"
        who = env.get("REMOTE_USER") or env.get("GL_USERNAME") or env.get("USER") or "unknown user"
        print(
            f"leakwarden: WARNING: secret scan skipped on request (push option {SKIP_OPTION}"
            f"{', reason: ' + reason if reason else ''}) by {who}; accepted unscanned: {refs}",
            file=sys.stderr,
        )
        return EXIT_CLEAN
    if skip:
        print(
            f"leakwarden: push option {SKIP_OPTION} is not honoured on this server; scanning", file=sys.stderr
        )
    plan = pre_receive_plan(Git.open("."), updates)
    if plan.empty:
        return EXIT_CLEAN

    def work() -> int:
        try:
            return _push(PRE_RECEIVE, plan, scan, allow_skip=limits.allow_skip)
        except LeakwardenError as exc:
            print(f"leakwarden: error: {exc}", file=sys.stderr)
            return EXIT_USAGE

    code = run_within(work, limits.timeout)
    if code is not None:
        return code
    accept = limits.on_timeout == "accept"
    outcome = "accepted UNSCANNED" if accept else "rejected"
    message = (
        f"leakwarden: the secret scan did not finish within {limits.timeout:g} s; the push is {outcome} "
        f"(--on-timeout {limits.on_timeout})."
    )
    if not accept:
        message += " Push fewer commits at a time, or ask the administrators to raise --timeout"
        message += f" (or, on purpose: git push -o {SKIP_OPTION})." if limits.allow_skip else "."
    print(message, file=sys.stderr)
    return EXIT_CLEAN if accept else EXIT_BLOCK
