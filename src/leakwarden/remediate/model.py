"""What a guide is made of: sections of text, steps, items, places and code snippets.

Plain frozen data, so that the three renderers (text, Markdown, JSON) and the tests see the same
thing. Text in steps and items is Markdown-lite: inline `code` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Part:
    """One half of a credential (or the whole of a single one) as code should read it."""

    role: str  # "" for a single-part credential
    env_var: str  # e.g. SCW_SECRET_KEY
    secret_id: str  # the variable's name in a store with one value per secret (Conjur)


@dataclass(frozen=True, slots=True)
class Snippet:
    platform: str  # env | aws | vault | conjur
    platform_name: str
    language: str  # python | javascript | go | java | ruby
    library: str  # the SDK or API the code uses
    code: str


@dataclass(frozen=True, slots=True)
class Place:
    """Where a finding's secret was seen, as the guide shows it."""

    path: str
    line: int
    column: int
    kind: str  # the provenance kind: file, commit, staged, stdin, git-object
    category: str  # CI configuration, environment file, source code, ...
    commit: str = ""
    author: str = ""
    date: str = ""
    subject: str = ""
    variables: tuple[str, ...] = ()  # names the secret is bound to there


@dataclass(frozen=True, slots=True)
class Related:
    """Another finding that shares a value with this one (the other half of a pair found alone,
    or the pair a half belongs to)."""

    rule_id: str
    fingerprint: str
    places: tuple[str, ...]
    certain: bool  # False when only redacted previews could be compared


@dataclass(frozen=True, slots=True)
class FindingInfo:
    fingerprint: str
    rule_id: str
    confidence: str
    parts: tuple[tuple[str, str], ...]  # role -> redacted preview
    places: tuple[Place, ...]
    variables: tuple[str, ...]  # every name the secret is bound to, in order of first sight
    related: tuple[Related, ...] = ()
    first_seen: str = ""  # the earliest commit date among its places, when it was in git


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of a section, rendered in order: a paragraph, an ordered procedure (`steps`),
    an unordered list (`items`), the places a finding was seen, related findings, or code."""

    kind: str  # paragraph | steps | items | places | related | snippets
    title: str = ""
    text: str = ""
    items: tuple[str, ...] = ()
    places: tuple[Place, ...] = ()
    related: tuple[Related, ...] = ()
    snippets: tuple[Snippet, ...] = ()


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    number: int  # the guide's item number; 0 for the unnumbered references
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Completeness:
    """Which of the guide's provider-specific items the rule's data supplies."""

    present: tuple[str, ...]
    missing: tuple[str, ...]
    required_missing: tuple[str, ...]  # missing items the rule must have (`missing_items`)
    missing_fields: tuple[str, ...] = ()  # the empty playbook fields behind the missing items

    @property
    def score(self) -> str:
        return f"{len(self.present)}/{len(self.present) + len(self.missing)}"

    @property
    def status(self) -> str:
        if not self.missing:
            return "complete"
        return "incomplete" if self.required_missing else "minimum"


@dataclass(frozen=True, slots=True)
class Guide:
    rule_id: str
    rule_name: str
    provider: str
    provider_name: str
    title: str
    first_steps: tuple[str, ...]
    sections: tuple[Section, ...]
    references: tuple[str, ...]
    completeness: Completeness
    finding: FindingInfo | None = None
    parts: tuple[Part, ...] = field(default=())
    secret_path: str = ""
