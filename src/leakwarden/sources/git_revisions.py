"""Which commits a history scan covers: every ref, a range, branches, a date; resolved and
checked once, before anything is read, so that a bad one is a usage error with git's reason."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from leakwarden.errors import InputError
from leakwarden.sources.gitcmd import Git, GitFailed

# Pseudo-options a range may use, e.g. `NEW --not --all` in a pre-receive hook.
RANGE_OPTIONS = frozenset({"--not", "--all", "--branches", "--tags", "--remotes"})
_ZERO = re.compile(r"^0{40}(?:0{24})?$")


@dataclass(frozen=True)
class Revisions:
    """What to give `git rev-list`: options on its command line (`--all`, `--since=…`) and
    resolved commit ids, positive or `^`negative, on its standard input."""

    args: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    all_objects: bool = False  # every object in the database, reachable or not

    @property
    def empty(self) -> bool:
        """Nothing to walk (a range that only deletes a branch)."""
        return not (self.all_objects or self.ids or any(not a.startswith("--since=") for a in self.args))

    def rev_list(self, *options: str) -> list[str]:
        return ["rev-list", *options, *self.args, *(["--stdin"] if self.ids else [])]

    def stdin(self) -> bytes:
        return b"".join(rev.encode() + b"\n" for rev in self.ids)


_RELATIVE = re.compile(r"^(?P<n>\d{1,6}) +(?P<unit>second|minute|hour|day|week|month|year)s? +ago$")
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SINCE_FORMS = (
    "an ISO date (2024-01-31), an ISO date and time (2024-01-31T12:00:00+01:00), "
    "or 'N days ago' (seconds, minutes, hours, days, weeks, months, years)"
)


def since_date(text: str) -> str:
    """`--since` as git should read it, or InputError. git's own parser takes nearly anything
    ("yesterday-ish" means no limit at all, silently), so only unambiguous forms are let through:
    ISO 8601 dates and date-times, and "N units ago". A date alone means its midnight, local time
    (git would otherwise take the current time of day on that date)."""
    value = " ".join(text.split()).lower()
    if _RELATIVE.match(value):
        return value
    iso = value.upper().replace(" ", "T", 1)
    try:
        if _DATE_ONLY.match(value):
            return dt.date.fromisoformat(value).isoformat() + " 00:00:00"
        parsed = dt.datetime.fromisoformat(iso[:-1] + "+00:00" if iso.endswith("Z") else iso)
    except ValueError:
        raise InputError(f"--since {text!r}: not a date; give {SINCE_FORMS}") from None
    return parsed.replace(microsecond=0).isoformat()  # git's parser has no fractions of a second


def resolve(
    git: Git,
    *,
    all_objects: bool = False,
    rev_range: str | None = None,
    since: str | None = None,
    branches: Sequence[str] = (),
) -> Revisions:
    if all_objects:
        if rev_range or since or branches:
            raise InputError(
                "--all-objects scans every object; it cannot be combined with a range, --since or --branch"
            )
        return Revisions(all_objects=True)
    if rev_range and branches:
        raise InputError("give either --range or --branch, not both")
    args: list[str] = []
    if rev_range:
        ids = _range(git, rev_range)
    elif branches:
        ids = [_commit(git, name, "no such branch or ref") for name in branches]
    else:
        args.append("--all")
        ids = _stash_entries(git)
    if since:
        args.append(f"--since={since_date(since)}")
        ids += _boundary(git, Revisions(tuple(args), tuple(ids)))
    return Revisions(tuple(args), tuple(ids))


def _range(git: Git, spec: str) -> list[str]:
    tokens: list[str] = []
    for token in spec.split():
        old, dots, new = token.partition("..")
        if dots and _ZERO.match(old):  # a new branch in a push hook: what no ref has yet
            tokens += [new, "--not", "--all"] if not _ZERO.match(new) else []
        elif dots and _ZERO.match(new.lstrip(".")):  # a deleted branch: nothing to scan
            continue
        elif token.startswith("-") and token not in RANGE_OPTIONS:
            raise InputError(f"invalid range {spec!r}: {token} is not a revision")
        else:
            tokens.append(token)
    if not tokens:
        return []
    try:
        out = git.run("rev-parse", *tokens, "--")
    except GitFailed as exc:
        raise InputError(f"invalid range {spec!r}: {exc.reason}") from None
    ids = [line for line in out.decode("utf-8", "replace").splitlines() if line and line != "--"]
    _check_commits(git, spec, ids)
    return ids


def _check_commits(git: Git, spec: str, ids: Sequence[str]) -> None:
    """Every id names a commit (or a tag of one): `HEAD:file` is not a range."""
    if not ids:
        return
    query = b"".join(f"{rev.lstrip('^')}^{{commit}}\n".encode() for rev in ids)
    answers = git.run("cat-file", "--batch-check=%(objectname)", input=query).decode().splitlines()
    for rev, answer in zip(ids, answers, strict=False):
        if answer.endswith(" missing"):
            raise InputError(f"invalid range {spec!r}: {rev.lstrip('^')} is not a commit")


def _commit(git: Git, name: str, problem: str) -> str:
    if name.startswith("-"):
        raise InputError(f"{problem}: {name}")
    try:
        return git.run("rev-parse", "--verify", "--quiet", f"{name}^{{commit}}").decode().strip()
    except GitFailed:
        raise InputError(f"{problem}: {name}") from None


def _stash_entries(git: Git) -> list[str]:
    """Every stash entry, not only the latest (`refs/stash` holds the others in its reflog)."""
    out = git.run("rev-list", "--walk-reflogs", "--ignore-missing", "refs/stash", "--", check=False)
    return out.decode().split()


def _boundary(git: Git, revisions: Revisions) -> list[str]:
    """With --since, the newest commits just before the date, as negatives: the objects they
    already had were not introduced since."""
    out = git.run(*revisions.rev_list("--boundary"), input=revisions.stdin(), check=False)
    return [f"^{line[1:]}" for line in out.decode().splitlines() if line.startswith("-")]
