"""Turning import plans into leakwarden's own entries by matching them against findings.

Peers name a place (file and line, gitleaks; file, line and SHA-1 of the secret,
detect-secrets) or a hash of the secret (ggshield). leakwarden's ignores key on its own
fingerprints, so each place is re-scanned (by the caller, through `Lookup`) and the finding of
ours found there is what gets accepted. Pure: no file is read here.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from leakwarden.ignore.importers.plan import (
    AllowPath,
    AllowSecret,
    ImportPlan,
    Origin,
    PlaceIgnore,
    SecretIgnore,
    Untranslated,
)
from leakwarden.ignore.importers.regex_glob import escape_glob
from leakwarden.ignore.policy import IgnoreEntry
from leakwarden.model import Finding

IMPORTED, APPROXIMATE, ALREADY, NOT_TRANSLATED = "imported", "approximate", "already there", "not translated"

# ggshield hashes "value,match_type" for each match of a finding (sorted by type) rather than
# the bare secret; these are the match types its single-value detectors report most.
GG_MATCH_TYPES = (
    "apikey", "api_key", "token", "access_token", "secret", "secret_key", "client_secret",
    "password", "private_key", "key", "connection_uri", "client_id",
)  # fmt: skip


@dataclass(frozen=True)
class FileScan:
    """Findings in one version of a file (only their occurrences there), or why it is unreadable.
    `note` says when the version read is not the one asked for."""

    findings: Sequence[Finding] | None
    note: str = ""


class Lookup(Protocol):
    def file(self, path: str, commit: str) -> FileScan: ...

    def everywhere(self) -> Sequence[Finding]: ...


@dataclass(frozen=True)
class Outcome:
    status: str
    origin: Origin
    what: str
    why: str = ""


@dataclass
class Resolution:
    ignores: list[IgnoreEntry] = field(default_factory=list)
    allow_paths: list[AllowPath] = field(default_factory=list)
    allow_secrets: list[AllowSecret] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def _values(finding: Finding) -> list[str]:
    return list(dict.fromkeys([finding.secret, *finding.parts.values()]))


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def _gg_hashes(finding: Finding) -> set[str]:
    hashes = set()
    for value in _values(finding):
        hashes.add(hashlib.sha256(value.encode()).hexdigest())
        hashes.update(hashlib.sha256(f"{value},{kind}".encode()).hexdigest() for kind in GG_MATCH_TYPES)
    return hashes


def _on_line(finding: Finding, line: int) -> bool:
    return any(o.location.line <= line <= o.location.end_line for o in finding.occurrences)


@dataclass
class _Accepted:
    rule_id: str
    reasons: list[str]
    paths: set[str] | None  # None: everywhere


class _Builder:
    def __init__(self, existing: Iterable[IgnoreEntry]) -> None:
        self.existing = {e.fingerprint: e for e in existing}
        self.accepted: dict[str, _Accepted] = {}
        self.resolution = Resolution()

    def outcome(self, status: str, origin: Origin, what: str, why: str = "") -> None:
        self.resolution.outcomes.append(Outcome(status, origin, what, why))

    def accept(self, finding: Finding, origin: Origin, path: str | None, status: str, why: str) -> None:
        fingerprint = finding.fingerprint
        where = f"in {path}" if path is not None else "everywhere"
        what = f"ignore {fingerprint[:12]} ({finding.rule_id}) {where}"
        glob = "/" + escape_glob(path) if path is not None else None
        old = self.existing.get(fingerprint)
        if old is not None:
            if not old.paths or (glob is not None and glob in old.paths):
                self.outcome(ALREADY, origin, what)
            else:
                held = ", ".join(old.paths)
                why = f"the ignore file already holds it for {held}: add {glob or 'no paths'} by hand"
                self.outcome(NOT_TRANSLATED, origin, what, why)
            return
        entry = self.accepted.setdefault(fingerprint, _Accepted(finding.rule_id, [], set()))
        entry.reasons.append(origin.reason())
        if glob is None or entry.paths is None:
            entry.paths = None
        else:
            entry.paths.add(glob)
        self.outcome(status, origin, what, why)

    def entries(self, added_by: str, added_on: str) -> list[IgnoreEntry]:
        return [
            IgnoreEntry(
                fingerprint,
                "; ".join(dict.fromkeys(a.reasons)),
                a.rule_id,
                tuple(sorted(a.paths or ())),
                added_by,
                added_on,
            )
            for fingerprint, a in self.accepted.items()
        ]


def _place(builder: _Builder, item: PlaceIgnore, lookup: Lookup) -> None:
    path = posixpath.normpath(item.path)
    what = f"{path}:{item.line}"
    if posixpath.isabs(path) or path.startswith("../"):
        builder.outcome(NOT_TRANSLATED, item.origin, what, "the path is outside the project")
        return
    scanned = lookup.file(path, item.commit)
    if scanned.findings is None:
        builder.outcome(NOT_TRANSLATED, item.origin, what, scanned.note)
        return
    notes = [scanned.note] if scanned.note else []
    if item.sha1:
        exact = [f for f in scanned.findings if any(_sha1(v) == item.sha1 for v in _values(f))]
        if exact:
            for finding in exact:
                builder.accept(
                    finding, item.origin, path, APPROXIMATE if notes else IMPORTED, "; ".join(notes)
                )
            return
    chosen = [f for f in scanned.findings if _on_line(f, item.line)]
    if item.sha1 and chosen:
        notes.append("their secret is not exactly leakwarden's; accepted what leakwarden finds on that line")
    if not chosen and not item.sha1:
        # gitleaks' line numbers have not always been counted the same way; detect-secrets'
        # are exact, and a neighbour there is another secret.
        chosen = [f for f in scanned.findings if _on_line(f, item.line - 1) or _on_line(f, item.line + 1)]
        notes.append("nothing on that very line; accepted what leakwarden finds on the line next to it")
    if not chosen:
        why = "leakwarden finds nothing there: nothing to accept"
        builder.outcome(NOT_TRANSLATED, item.origin, what, why)
        return
    if len(chosen) > 1:
        notes.append(f"leakwarden finds {len(chosen)} secrets there; all are accepted")  # never 1 here
    for finding in chosen:
        builder.accept(finding, item.origin, path, APPROXIMATE if notes else IMPORTED, "; ".join(notes))


def _secret(builder: _Builder, item: SecretIgnore, everywhere: Sequence[Finding]) -> None:
    found = [f for f in everywhere if item.sha256 in _gg_hashes(f)]
    if not found:
        why = "leakwarden finds no such secret in the project" + (
            " (or ggshield's hash mixes in a match type leakwarden cannot reproduce)"
            if item.given_as_hash
            else ""
        )
        builder.outcome(NOT_TRANSLATED, item.origin, "secret", why)
    for finding in found:
        builder.accept(finding, item.origin, None, IMPORTED, "")


def resolve(
    plans: Iterable[ImportPlan],
    lookup: Lookup,
    *,
    existing_ignores: Iterable[IgnoreEntry] = (),
    existing_allow_paths: Iterable[str] = (),
    existing_allow_secrets: Iterable[str] = (),
    added_by: str = "leakwarden import",
    added_on: str = "",
) -> Resolution:
    builder = _Builder(existing_ignores)
    result = builder.resolution
    paths, secrets = set(existing_allow_paths), set(existing_allow_secrets)
    everywhere: Sequence[Finding] | None = None
    for plan in plans:
        for item in plan.items:
            if isinstance(item, PlaceIgnore):
                _place(builder, item, lookup)
            elif isinstance(item, SecretIgnore):
                everywhere = lookup.everywhere() if everywhere is None else everywhere
                _secret(builder, item, everywhere)
            elif isinstance(item, AllowPath):
                status = ALREADY if item.glob in paths else APPROXIMATE if item.approximation else IMPORTED
                builder.outcome(status, item.origin, f"allow_paths {item.glob!r}", item.approximation)
                if item.glob not in paths:
                    paths.add(item.glob)
                    result.allow_paths.append(item)
            elif isinstance(item, AllowSecret):
                status = ALREADY if item.regex in secrets else APPROXIMATE if item.approximation else IMPORTED
                builder.outcome(status, item.origin, f"allow_secrets {item.regex!r}", item.approximation)
                if item.regex not in secrets:
                    secrets.add(item.regex)
                    result.allow_secrets.append(item)
            elif isinstance(item, Untranslated):
                builder.outcome(NOT_TRANSLATED, item.origin, "", item.why)
    result.ignores = builder.entries(added_by, added_on)
    return result
