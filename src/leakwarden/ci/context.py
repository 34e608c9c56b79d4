"""The vocabulary of `scan ci`: the events, what a CI run asks us to scan (`CiContext`), the
error that names a missing variable, and the helpers that read variables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from leakwarden.errors import InputError

# An explicit base for providers that do not say where a push started (CircleCI, Bitbucket
# Pipelines, Azure Pipelines), or to override what a provider says.
BASE_VARIABLE = "LEAKWARDEN_CI_BASE"
_ZERO = re.compile(r"^0+$")

PUSH = "push"  # the commits between the branch's tip before and after a push
NEW_REF = "new-branch"  # a branch or tag created by the push: no "before"
PULL_REQUEST = "pull-request"  # a pull or merge request: base..head
HISTORY = "history"  # a scheduled or manual run: the history of the commit it runs on
DELETE = "delete"  # a push that deleted a branch: nothing to scan


class CiDetectionError(InputError):
    """Detection could not tell what to scan; `variable` is what it needed."""

    def __init__(self, variable: str, message: str) -> None:
        self.variable = variable
        super().__init__(message)


@dataclass(frozen=True)
class CiContext:
    """What a CI run asks us to scan, before any git work.

    `base` and `head` are revisions (commit ids, or branch names when `base_is_branch`): a push
    is `base..head` with base the tip before the push; a pull request is `base..head` with base
    the target. `ref` is the pushed ref when known (its own refs are not "other refs" for a new
    branch or a force-push). `sources` names the variables each value came from."""

    provider: str
    provider_name: str
    event: str
    head: str
    base: str | None = None
    base_is_branch: bool = False
    ref: str | None = None
    default_branch: str | None = None
    forced: bool = False
    sources: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f" ({', '.join(self.sources)})" if self.sources else ""
        if self.event in (PUSH, PULL_REQUEST) and self.base:
            what = f"{short_rev(self.base)}..{short_rev(self.head)}"
        else:
            what = short_rev(self.head)
        return f"{self.provider_name}, {self.event} {what}{where}"


def short_rev(rev: str) -> str:
    return rev[:12] if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", rev) else rev


def is_zero(sha: str | None) -> bool:
    return bool(sha) and bool(_ZERO.match(sha or ""))


def need(env: Mapping[str, str], name: str, why: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise CiDetectionError(name, f"{name} is not set: {why}")
    return value


def opt(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def branch_name(ref: str) -> str:
    return ref.removeprefix("refs/heads/")
