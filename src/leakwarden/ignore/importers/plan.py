"""The typed import plan: what a peer's file asks for, before it is matched against a scan."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where an item came from: the peer, its file and the entry's own words (a comment, a
    name, or the entry itself), so that the imported reason still says what the team wrote."""

    tool: str
    file: str
    note: str = ""

    def reason(self) -> str:
        base = f"imported from {self.tool} {self.file}"
        return f"{base}: {self.note}" if self.note else base


@dataclass(frozen=True)
class PlaceIgnore:
    """Accept the finding(s) leakwarden reports at `path:line` (a gitleaks ignore line, a
    detect-secrets baseline result). The peer's ignore held for that file only, so ours will too.

    `sha1` (detect-secrets) is the hash of the peer's secret and tells which finding there is
    meant; `commit` (gitleaks) names the version of the file the line number refers to."""

    origin: Origin
    path: str
    line: int
    commit: str = ""
    sha1: str = ""
    their_rule: str = ""


@dataclass(frozen=True)
class SecretIgnore:
    """Accept every finding whose secret hashes to `sha256`, wherever it is (ggshield). When the
    peer's file held the secret itself, the parser hashed it at once: no plan holds a secret."""

    origin: Origin
    sha256: str
    given_as_hash: bool


@dataclass(frozen=True)
class AllowPath:
    """An `allow_paths` glob (gitignore syntax). `approximation` says how it differs from the
    peer's pattern; empty when it selects the same paths."""

    origin: Origin
    glob: str
    approximation: str = ""


@dataclass(frozen=True)
class AllowSecret:
    """An `allow_secrets` regex (Python `re`, searched in the secret)."""

    origin: Origin
    regex: str
    approximation: str = ""


@dataclass(frozen=True)
class Untranslated:
    """Something the peer's file says that leakwarden cannot express, and why."""

    origin: Origin
    why: str


Item = PlaceIgnore | SecretIgnore | AllowPath | AllowSecret | Untranslated


@dataclass(frozen=True)
class ImportPlan:
    tool: str
    file: str
    items: tuple[Item, ...]
