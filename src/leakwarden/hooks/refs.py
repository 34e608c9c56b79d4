"""What a push brings, from the lines git gives a pre-push or pre-receive hook on stdin, as one
revision range: every pushed tip, minus everything the other side already has. One scan over
the union of the ref updates reads each new blob once, however many branches carry it.

pre-push (`<local ref> <local sha> <remote ref> <remote sha>` per ref):
- deleted ref (local sha all zeros): nothing to scan;
- new branch (remote sha all zeros): the commits no remote-tracking ref of that remote has;
- update: remote sha..local sha;
- force-push or a remote sha this clone lacks: again what the remote-tracking refs lack.
Negatives are shared by every line, which is right: whatever the remote has, through any ref,
is no longer ours to stop.

pre-receive (`<old> <new> <ref>` per ref, on the server): the new tips, minus every ref the
server has before the push (`--not --all`). The new objects sit in git's quarantine directory;
git's environment (GIT_QUARANTINE_PATH, GIT_OBJECT_DIRECTORY, GIT_ALTERNATE_OBJECT_DIRECTORIES)
is inherited by every git command leakwarden runs, so they are found there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from leakwarden.errors import InputError
from leakwarden.sources.gitcmd import Git

_ZERO = re.compile(r"^0+$")
_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


@dataclass(frozen=True)
class RefUpdate:
    ref: str  # the ref being written (pre-push: on the remote)
    old: str  # what it pointed to (zeros: it did not exist)
    new: str  # what it will point to (zeros: it is deleted)
    local_ref: str = ""

    @property
    def deleted(self) -> bool:
        return bool(_ZERO.match(self.new))

    @property
    def created(self) -> bool:
        return bool(_ZERO.match(self.old))


@dataclass
class PushPlan:
    """The revisions to scan (`rev_range` for `scan_git`), with a word on each ref."""

    positives: list[str] = field(default_factory=list)
    negatives: list[str] = field(default_factory=list)
    tail: tuple[str, ...] = ()  # pseudo-options after the ids, e.g. ("--not", "--all")
    notes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.positives

    @property
    def rev_range(self) -> str:
        ids = list(dict.fromkeys(self.positives)) + [f"^{n}" for n in dict.fromkeys(self.negatives)]
        return " ".join([*ids, *self.tail])


def parse_pre_push(text: str) -> list[RefUpdate]:
    updates = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4 or not (_SHA.match(parts[1]) and _SHA.match(parts[3])):
            raise InputError(
                f"pre-push: line {number} of standard input: expected "
                f"'<local ref> <local sha> <remote ref> <remote sha>', got {line[:200]!r}"
            )
        local_ref, local_sha, remote_ref, remote_sha = parts
        updates.append(RefUpdate(remote_ref, remote_sha, local_sha, local_ref))
    return updates


def parse_pre_receive(text: str) -> list[RefUpdate]:
    updates = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split(maxsplit=2)
        if len(parts) != 3 or not (_SHA.match(parts[0]) and _SHA.match(parts[1])):
            raise InputError(
                f"pre-receive: line {number} of standard input: expected '<old sha> <new sha> <ref>', "
                f"got {line[:200]!r}"
            )
        updates.append(RefUpdate(parts[2], parts[0], parts[1]))
    return updates


def _present_commits(git: Git, shas: Sequence[str]) -> set[str]:
    """Which of `shas` name commits (or tags of commits) in this repository."""
    if not shas:
        return set()
    query = b"".join(f"{sha}^{{commit}}\n".encode() for sha in shas)
    out = git.run("cat-file", "--batch-check=%(objectname)", input=query, check=False)
    answers = out.decode("ascii", "replace").splitlines()
    return {sha for sha, answer in zip(shas, answers, strict=False) if not answer.endswith(" missing")}


def remote_tracking_tips(git: Git, remote: str) -> list[str]:
    """The tips of the remote's tracking refs (`refs/remotes/<remote>/*`); when the remote is a
    URL or was never fetched, those of every remote: what no remote has is what is new."""
    out = git.run("for-each-ref", "--format=%(objectname) %(refname)", "refs/remotes/", check=False)
    tips: dict[str, list[str]] = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        sha, _, ref = line.partition(" ")
        tips.setdefault(ref, []).append(sha)
    mine = [s for ref, shas in tips.items() if ref.startswith(f"refs/remotes/{remote}/") for s in shas]
    return mine or [s for shas in tips.values() for s in shas]


def pre_push_plan(git: Git, remote: str, updates: Sequence[RefUpdate]) -> PushPlan:
    plan = PushPlan()
    live = [u for u in updates if not u.deleted]
    for update in updates:
        if update.deleted:
            plan.notes.append(f"{update.ref}: deleted, nothing to scan")
    if not live:
        return plan
    present = _present_commits(git, [u.new for u in live] + [u.old for u in live if not u.created])
    for update in live:
        if update.new not in present:
            plan.notes.append(f"{update.ref}: {update.new[:12]} is not a commit, not scanned")
            continue
        plan.positives.append(update.new)
        if update.created:
            plan.notes.append(f"{update.ref}: new branch, scanning the commits {remote} does not have")
        elif update.old in present:
            plan.negatives.append(update.old)
        else:
            plan.notes.append(
                f"{update.ref}: {update.old[:12]} (the remote's) is not in this clone (a force-push, or the "
                f"remote moved on): scanning the commits no {remote} tracking ref has"
            )
    if plan.positives:
        plan.negatives += remote_tracking_tips(git, remote)
    return plan


def pre_commit_framework_plan(git: Git, env: Mapping[str, str]) -> PushPlan:
    """The pre-commit framework runs pre-push hooks without git's stdin; it gives the first
    pushed ref's range in PRE_COMMIT_FROM_REF/PRE_COMMIT_TO_REF, or, when it wants every file
    (a first push), only the branch and remote names."""
    remote = env.get("PRE_COMMIT_REMOTE_NAME", "")
    to_ref = env.get("PRE_COMMIT_TO_REF") or env.get("PRE_COMMIT_LOCAL_BRANCH") or "HEAD"
    from_ref = env.get("PRE_COMMIT_FROM_REF", "")
    new = git.run("rev-parse", "--verify", "--quiet", f"{to_ref}^{{commit}}", check=False).decode().strip()
    if not new:
        raise InputError(f"pre-push: {to_ref} (from the pre-commit framework) is not a commit")
    plan = PushPlan(positives=[new])
    if from_ref and not _ZERO.match(from_ref):
        old = git.run("rev-parse", "--verify", "--quiet", f"{from_ref}^{{commit}}", check=False)
        if old.strip():
            plan.negatives.append(old.decode().strip())
            return plan
    plan.negatives += remote_tracking_tips(git, remote)
    return plan


def pre_receive_plan(git: Git, updates: Sequence[RefUpdate]) -> PushPlan:
    plan = PushPlan(tail=("--not", "--all"))
    live = [u for u in updates if not u.deleted]
    present = _present_commits(git, [u.new for u in live])
    for update in updates:
        if update.deleted:
            plan.notes.append(f"{update.ref}: deleted, nothing to scan")
        elif update.new in present:
            plan.positives.append(update.new)
        else:
            plan.notes.append(f"{update.ref}: {update.new[:12]} is not a commit, not scanned")
    return plan
