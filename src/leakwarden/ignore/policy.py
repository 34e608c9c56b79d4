"""What a team has accepted: a reviewed ignore file, a baseline, path and secret allowlists.

Pure: the files are parsed by the callers (`load_ignore_file`, `load_baseline` do the reading)
and `apply_policy` only filters. Everything keys on fingerprints, never on line numbers, so an
accepted finding stays accepted when code moves.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pathspec

from leakwarden.config import Config, baseline_file
from leakwarden.errors import ConfigError
from leakwarden.globs import gitignore_spec
from leakwarden.ignore.fingerprints import MIN_PREFIX, is_full
from leakwarden.model import FINGERPRINT_LENGTH, Finding

BASELINE_VERSION = 1


@dataclass(frozen=True)
class IgnoreEntry:
    fingerprint: str
    reason: str
    rule_id: str = ""
    paths: tuple[str, ...] = ()  # only there (gitignore syntax); empty: everywhere
    added_by: str = ""
    added_on: str = ""


@dataclass(frozen=True)
class Suppressed:
    finding: Finding
    reason: str


@dataclass
class Policy:
    root: Path = field(default_factory=Path.cwd)
    ignores: Sequence[IgnoreEntry] = ()
    baseline: frozenset[str] = frozenset()
    allow_paths: Sequence[str] = ()
    allow_secrets: Sequence[str] = ()
    baseline_file: str = ""  # where `baseline` was read from, for the summary

    def __post_init__(self) -> None:
        self._allow_paths = gitignore_spec(self.allow_paths) if self.allow_paths else None
        self._allow_secrets = [re.compile(p) for p in self.allow_secrets]
        self._ignores = {entry.fingerprint: entry for entry in self.ignores}
        self._relative: dict[str, str] = {}

    def relative(self, path: str) -> str:
        # Asked once per occurrence: thousands of findings in one file resolve its path once.
        known = self._relative.get(path)
        if known is None:
            known = self._relative[path] = self._relative_uncached(path)
        return known

    def _relative_uncached(self, path: str) -> str:
        if os.path.isabs(path):
            try:
                return Path(path).resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                return path
        return path.replace(os.sep, "/").removeprefix("./")

    def _path_allowed(self, path: str, spec: pathspec.GitIgnoreSpec | None) -> bool:
        return spec is not None and spec.match_file(self.relative(path))

    def decide(self, finding: Finding) -> tuple[Finding | None, str | None]:
        """The finding to report (perhaps with fewer occurrences), or None and the reason."""
        if any(p.search(finding.secret) for p in self._allow_secrets):
            return None, "allow_secrets"
        entry = self._ignores.get(finding.fingerprint)
        if entry is not None and not entry.paths:
            return None, f"ignore file: {entry.reason}"
        kept = [
            o for o in finding.occurrences if not self._path_allowed(o.provenance.path, self._allow_paths)
        ]
        if not kept:
            return None, "allow_paths"
        if entry is not None:
            only_there = gitignore_spec(entry.paths)
            kept = [o for o in kept if not self._path_allowed(o.provenance.path, only_there)]
            if not kept:
                return None, f"ignore file: {entry.reason}"
        if finding.fingerprint in self.baseline:
            return None, "baseline"
        if len(kept) == len(finding.occurrences):
            return finding, None
        return replace(finding, occurrences=kept), None


def apply_policy(findings: Iterable[Finding], policy: Policy) -> tuple[list[Finding], list[Suppressed]]:
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        decided, reason = policy.decide(finding)
        if decided is None:
            suppressed.append(Suppressed(finding, reason or ""))
        else:
            kept.append(decided)
    return kept, suppressed


# --- files -------------------------------------------------------------------------------------


def parse_ignore_file(text: str, where: str) -> list[IgnoreEntry]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    raw = document.get("ignore", [])
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: key ignore: must be an array of tables ([[ignore]])")
    entries = []
    for index, item in enumerate(raw):
        key = f"ignore[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(f"{where}: key {key}: must be a table")
        fingerprint, reason = item.get("fingerprint"), item.get("reason")
        if not isinstance(fingerprint, str) or not is_full(fingerprint):
            got = (
                f"{len(fingerprint)} characters"
                if isinstance(fingerprint, str)
                else type(fingerprint).__name__
            )
            raise ConfigError(
                f"{where}: key {key}.fingerprint: must be a full fingerprint, {FINGERPRINT_LENGTH} hex "
                f"digits (got {got}; `leakwarden ignore PREFIX` writes the full one for a prefix of at least "
                f"{MIN_PREFIX})"
            )
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(f"{where}: key {key}.reason: every ignore needs a reason")
        paths = item.get("paths", [])
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise ConfigError(f"{where}: key {key}.paths: must be a list of globs")
        unknown = set(item) - {"fingerprint", "reason", "rule_id", "paths", "added_by", "added_on"}
        if unknown:
            raise ConfigError(f"{where}: key {key}.{sorted(unknown)[0]}: unknown key")
        entries.append(
            IgnoreEntry(
                fingerprint,
                reason.strip(),
                str(item.get("rule_id", "")),
                tuple(paths),
                str(item.get("added_by", "")),
                str(item.get("added_on", "")),
            )
        )
    return entries


def load_ignore_file(path: Path) -> list[IgnoreEntry]:
    """The entries of an ignore file; none when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_ignore_file(text, str(path))


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def render_ignore_entry(entry: IgnoreEntry) -> str:
    lines = ["[[ignore]]", f"fingerprint = {_toml_string(entry.fingerprint)}"]
    if entry.rule_id:
        lines.append(f"rule_id = {_toml_string(entry.rule_id)}")
    lines.append(f"reason = {_toml_string(entry.reason)}")
    if entry.paths:
        lines.append(f"paths = [{', '.join(_toml_string(p) for p in entry.paths)}]")
    for name in ("added_by", "added_on"):
        value = getattr(entry, name)
        if value:
            lines.append(f"{name} = {_toml_string(value)}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str
    locations: tuple[str, ...]  # "path:line", for readers; never the secret


def baseline_entries(findings: Iterable[Finding], policy: Policy | None = None) -> list[BaselineEntry]:
    def place(path: str, line: int) -> str:
        return f"{policy.relative(path) if policy else path}:{line}"

    return [
        BaselineEntry(
            f.fingerprint,
            f.rule_id,
            tuple(sorted({place(o.provenance.path, o.location.line) for o in f.occurrences})),
        )
        for f in findings
    ]


def parse_baseline_entries(text: str, where: str) -> list[BaselineEntry]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != BASELINE_VERSION:
        raise ConfigError(f"{where}: key version: not a leakwarden baseline (version {BASELINE_VERSION})")
    rows = document.get("findings")
    if not isinstance(rows, list) or not all(isinstance(r, dict) and "fingerprint" in r for r in rows):
        raise ConfigError(f"{where}: key findings: must be a list of objects with a fingerprint")
    for index, row in enumerate(rows):
        if not isinstance(row["fingerprint"], str) or not is_full(row["fingerprint"]):
            raise ConfigError(
                f"{where}: key findings[{index}].fingerprint: must be a full fingerprint "
                f"({FINGERPRINT_LENGTH} hex digits)"
            )
    return [
        BaselineEntry(
            str(r["fingerprint"]), str(r.get("rule_id", "")), tuple(map(str, r.get("locations", [])))
        )
        for r in rows
    ]


def parse_baseline(text: str, where: str) -> frozenset[str]:
    """The fingerprints a baseline holds."""
    return frozenset(e.fingerprint for e in parse_baseline_entries(text, where))


def read_baseline(path: Path) -> list[BaselineEntry]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{path}: cannot read baseline: {reason}") from None
    return parse_baseline_entries(text, str(path))


def load_policy(config: Config, root: Path, use_baseline: bool = True) -> Policy:
    """The project's policy, its files read: the ignore file (none if absent) and the baseline
    (`config.baseline`, which must exist; else the project's `.leakwarden-baseline.json` when
    there is one; none when `use_baseline` is false)."""
    ignore_file = Path(config.ignore_file)
    ignore_file = ignore_file if ignore_file.is_absolute() else root / ignore_file
    baseline: frozenset[str] = frozenset()
    chosen = baseline_file(config, root)
    use_baseline = use_baseline and (config.baseline is not None or chosen.is_file())
    if use_baseline:
        baseline = frozenset(e.fingerprint for e in read_baseline(chosen))
    return Policy(
        root=root,
        ignores=load_ignore_file(ignore_file),
        baseline=baseline,
        allow_paths=config.allow_paths,
        allow_secrets=config.allow_secrets,
        baseline_file=str(chosen) if use_baseline else "",
    )


def render_baseline(entries: Iterable[BaselineEntry], created: str) -> str:
    """A baseline holds fingerprints and where they were, never the secrets themselves."""
    rows = [
        {"fingerprint": e.fingerprint, "rule_id": e.rule_id, "locations": list(e.locations)}
        for e in sorted({e.fingerprint: e for e in entries}.values(), key=lambda e: e.fingerprint)
    ]
    document = {"version": BASELINE_VERSION, "tool": "leakwarden", "created": created, "findings": rows}
    return json.dumps(document, indent=2) + "\n"
