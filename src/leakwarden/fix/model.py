"""What a fix plan is made of: the secrets of one file, the variables they become, the changes to
write and, per file, what was done or why nothing was."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from leakwarden.model import Finding


class Unsafe(Exception):
    """A file cannot be rewritten safely; the message says why (and where, when it can)."""


@dataclass(frozen=True, slots=True)
class Secret:
    """One value to move out of a file: a whole credential or one half of a pair."""

    value: str
    rule_id: str
    role: str = ""  # the half of a paired credential ("access_key_id"); "" for a single one


@dataclass(frozen=True, slots=True)
class Rewrite:
    """What a file-kind module returns: the new text and the variable of every secret it moved."""

    text: str
    names: Mapping[str, str]  # secret value -> variable name
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EnvEntry:
    """A variable to add to the environment file."""

    name: str
    value: str
    rule_id: str
    role: str = ""


@dataclass(frozen=True, slots=True)
class FileChange:
    """The whole new text of one file. `old` is None when the file does not exist yet."""

    path: Path
    old: str | None
    new: str
    private: bool = False  # holds secrets: created readable by its owner only


class Status:
    REWRITE = "rewrite"  # the credentials become references
    IN_PLACE = "in place"  # an environment file: already where credentials belong
    BY_HAND = "by hand"  # found, but cannot be rewritten safely (the reason says why)
    UNSUPPORTED = "unsupported"  # a file kind `fix` does not rewrite


@dataclass(frozen=True, slots=True)
class FileOutcome:
    path: str
    kind: str  # python, javascript, typescript, tsx, dotenv, yaml, shell, dockerfile, other
    status: str  # one of Status
    reason: str = ""
    names: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class FixPlan:
    """Everything `apply` would write, and why each file is (or is not) in it. Pure data."""

    env_file: Path
    findings: list[Finding]
    outcomes: list[FileOutcome]
    changes: list[FileChange]
    entries: list[EnvEntry]  # new variables for the environment file
    secrets: frozenset[str] = field(default_factory=frozenset)  # every value, for redaction
    notes: list[str] = field(default_factory=list)  # what the user must do for the lookups to work

    @property
    def needs_action(self) -> bool:
        """Something to change, or something only a person can fix."""
        return bool(self.changes) or any(
            o.status in (Status.BY_HAND, Status.UNSUPPORTED) for o in self.outcomes
        )

    def outcomes_with(self, status: str) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == status]
