"""From a `CiContext` to the commits to scan, in the clone CI gave us.

This is the git half of `scan ci`: it checks which of the commits the provider named are in the
clone, fetches more history only when asked (`deepen`, `unshallow`), tells a force-push from a
fast-forward, and says in notes what it could not see.

Choices, for the record (docs/ARCHITECTURE.md repeats them):
- a new branch or tag (no "before") scans the commits of its head that no other branch, tag or
  remote-tracking branch in the clone holds; when the clone holds no other ref, the whole history
  of the head, with a note;
- a force-push (the old tip is not an ancestor of the new) scans what no other ref holds, minus
  what the old tip held when the clone still has it;
- a base missing from the clone scans what no other ref holds (in a shallow clone: back to its
  boundary, whose commits are scanned whole), with a note saying what could not be seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from leakwarden.ci.context import DELETE, HISTORY, NEW_REF, PULL_REQUEST, PUSH, CiContext, is_zero
from leakwarden.errors import InputError
from leakwarden.sources.gitcmd import Git, GitFailed

MAX_DEEPEN_ROUNDS = 10


@dataclass(frozen=True)
class Fetch:
    """What `scan ci` may fetch when a commit it needs is not in a shallow clone."""

    deepen: int = 0  # `git fetch --deepen=N`, repeated until the commit is there
    unshallow: bool = False  # `git fetch --unshallow`
    remote: str = "origin"

    @property
    def allowed(self) -> bool:
        return self.unshallow or self.deepen > 0


NO_FETCH = Fetch()


@dataclass
class CiPlan:
    """The range to give `scan_git` (None: nothing to scan) and what the user should know."""

    rev_range: str | None
    description: str
    notes: list[str] = field(default_factory=list)


def plan(git: Git, ctx: CiContext, fetch: Fetch = NO_FETCH) -> CiPlan:
    notes: list[str] = []
    if ctx.event == DELETE:
        return CiPlan(None, f"{ctx.ref or 'a ref'} was deleted: nothing to scan")
    head = _resolve(git, ctx.head)
    if head is None and fetch.allowed and git.shallow:
        _fetch(git, fetch, notes, lambda: _resolve(git, ctx.head) is not None)
        head = _resolve(git, ctx.head)
    if head is None:
        # e.g. a pull request's head in a depth-1 checkout of GitHub's merge commit: HEAD holds it
        head = _resolve(git, "HEAD")
        if head is None:
            raise InputError(f"{ctx.head}: the commit this CI run is for is not in the clone at {git.path}")
        notes.append(f"{ctx.head} is not in the clone: scanned from HEAD ({head[:12]}) instead")
    if ctx.event == HISTORY:
        return CiPlan(head, f"the history of {head[:12]}", notes + _shallow_note(git))
    if ctx.event == NEW_REF or ctx.base is None or is_zero(ctx.base):
        return _not_on_other_refs(git, ctx, head, old_tip=None, why="new ref", notes=notes)

    base = _resolve_base(git, ctx)
    if base is None and fetch.allowed and git.shallow:
        _fetch(git, fetch, notes, lambda: _resolve_base(git, ctx) is not None)
        base = _resolve_base(git, ctx)
    if base is None:
        what = "the target of the pull request" if ctx.event == PULL_REQUEST else "the tip before the push"
        notes.append(
            f"{ctx.base} ({what}) is not in the clone, so the range could not be drawn"
            + (": fetch more history (--deepen N, --unshallow, or a full clone)" if git.shallow else "")
        )
        return _not_on_other_refs(git, ctx, head, old_tip=None, why="base not in the clone", notes=notes)
    if ctx.event == PUSH and not _is_ancestor(git, base, head):
        notes.append(f"force-push: {base[:12]} is not an ancestor of {head[:12]}")
        return _not_on_other_refs(git, ctx, head, old_tip=base, why="force-push", notes=notes)
    if git.shallow:
        notes.extend(_shallow_note(git, quiet_when_complete=(base, head)))
    return CiPlan(f"{base}..{head}", f"{base[:12]}..{head[:12]}", notes)


def _resolve(git: Git, rev: str) -> str | None:
    if rev.startswith("-"):
        raise InputError(f"{rev}: not a revision")
    try:
        out = git.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except GitFailed:
        return None
    return out.decode().strip() or None


def _resolve_base(git: Git, ctx: CiContext) -> str | None:
    assert ctx.base is not None
    if not ctx.base_is_branch:
        return _resolve(git, ctx.base)
    # A branch name: the remote-tracking branch CI fetched, else a local branch of that name.
    for candidate in (f"refs/remotes/origin/{ctx.base}", f"refs/heads/{ctx.base}", ctx.base):
        found = _resolve(git, candidate)
        if found:
            return found
    return None


def _is_ancestor(git: Git, older: str, newer: str) -> bool:
    try:
        git.run("merge-base", "--is-ancestor", older, newer)
    except GitFailed:
        return False
    return True


def _own_refs(ctx: CiContext) -> set[str]:
    """The pushed ref and the names CI gives it in the clone: they are not "other" refs."""
    if not ctx.ref:
        return set()
    own = {ctx.ref}
    for prefix in ("refs/heads/", "refs/tags/"):
        if ctx.ref.startswith(prefix):
            name = ctx.ref.removeprefix(prefix)
            own |= {f"refs/heads/{name}", f"refs/tags/{name}"}
            own.add(f"refs/remotes/*/{name}")
    return own


def _is_own(refname: str, own: set[str]) -> bool:
    if refname in own:
        return True
    if refname.startswith("refs/remotes/"):
        _, _, rest = refname.removeprefix("refs/remotes/").partition("/")
        return f"refs/remotes/*/{rest}" in own
    return False


def _other_refs(git: Git, ctx: CiContext) -> list[str]:
    out = git.run(
        "for-each-ref", "--format=%(objectname) %(refname)", "refs/heads", "refs/remotes", "refs/tags"
    )
    own = _own_refs(ctx)
    ids: dict[str, None] = {}
    for line in out.decode("utf-8", "surrogateescape").splitlines():
        oid, _, refname = line.partition(" ")
        if refname.endswith("/HEAD") and refname.startswith("refs/remotes/"):
            continue  # a symbolic ref to a branch already listed
        if not _is_own(refname, own):
            ids[oid] = None
    return list(ids)


def _not_on_other_refs(
    git: Git, ctx: CiContext, head: str, *, old_tip: str | None, why: str, notes: list[str]
) -> CiPlan:
    others = _other_refs(git, ctx)
    negatives = [f"^{oid}" for oid in others] + ([f"^{old_tip}"] if old_tip else [])
    if others:
        description = f"{head[:12]} minus {len(others)} other ref{'s' if len(others) != 1 else ''} ({why})"
    else:
        description = f"the history of {head[:12]} ({why})"
        hint = f" (fetch {ctx.default_branch} to scan only the new commits)" if ctx.default_branch else ""
        notes.append(f"no other branch or tag in the clone: scanned the whole history of {head[:12]}{hint}")
    notes.extend(_shallow_note(git))
    return CiPlan(" ".join([head, *negatives]), description, notes)


def _shallow_note(git: Git, quiet_when_complete: tuple[str, str] | None = None) -> list[str]:
    if not git.shallow:
        return []
    boundaries = _shallow_boundaries(git)
    if quiet_when_complete is not None:
        base, head = quiet_when_complete
        # base..head is complete when no boundary commit lies strictly inside it
        inside = [b for b in boundaries if _is_ancestor(git, b, head) and not _is_ancestor(git, b, base)]
        if not inside:
            return []
    return [
        f"shallow clone: history behind {len(boundaries)} boundary commit"
        f"{'s' if len(boundaries) != 1 else ''} is not in the clone and was not scanned; each boundary "
        "commit was scanned as a whole tree (use --deepen N or --unshallow, or a full clone, to see more)"
    ]


def _shallow_boundaries(git: Git) -> list[str]:
    try:
        with open(f"{git.git_dir}/shallow", encoding="ascii") as handle:
            return [line.strip() for line in handle if line.strip()]
    except OSError:
        return []


def _fetch(git: Git, fetch: Fetch, notes: list[str], found: Callable[[], bool]) -> None:
    """Fetch more history until `found()` holds or the clone is complete."""
    options = ["--unshallow"] if fetch.unshallow else [f"--deepen={fetch.deepen}"]
    rounds = 1 if fetch.unshallow else MAX_DEEPEN_ROUNDS
    command = f"git fetch {' '.join(options)} {fetch.remote}"
    done = 0
    while done < rounds:
        done += 1
        try:
            git.run("fetch", "--quiet", "--no-tags", *options, fetch.remote)
        except GitFailed as exc:
            notes.append(f"{command} failed: {exc.reason}")
            return
        git.shallow = _is_shallow(git)
        if found() or not git.shallow:
            break
    notes.append(f"fetched more history: {command}" + (f" ({done} times)" if done > 1 else ""))


def _is_shallow(git: Git) -> bool:
    return git.run("rev-parse", "--is-shallow-repository").decode().strip() == "true"
