"""Read the findings of a JSON report (docs/report-schema.json) back into model objects, so
that `leakwarden remediate` can write the guide of a finding scanned earlier or elsewhere.
Secrets stay as the report wrote them: redacted unless the scan ran with --show-secrets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leakwarden.errors import InputError
from leakwarden.ignore.fingerprints import resolve_prefix
from leakwarden.model import (
    CommitProvenance,
    Confidence,
    FileProvenance,
    Finding,
    GitObjectProvenance,
    Location,
    Occurrence,
    Provenance,
    StagedProvenance,
    StdinProvenance,
)


def _provenance(raw: Mapping[str, Any]) -> Provenance:
    path, kind = str(raw.get("path", "")), str(raw.get("kind", "file"))
    if kind == "commit":
        return CommitProvenance(
            path=path,
            commit=str(raw.get("commit", "")),
            author_name=str(raw.get("author_name", "")),
            author_email=str(raw.get("author_email", "")),
            date=str(raw.get("date", "")),
            subject=str(raw.get("subject", "")),
            other_commits=tuple(str(c) for c in raw.get("other_commits", ())),
            other_commit_count=int(raw.get("other_commit_count", 0)),
        )
    if kind == "staged":
        return StagedProvenance(path)
    if kind == "stdin":
        return StdinProvenance(path)
    if kind == "git-object":
        return GitObjectProvenance(path)
    return FileProvenance(path, kind=kind)


def _occurrence(raw: Any) -> Occurrence:
    if not isinstance(raw, Mapping):
        raise TypeError("an occurrence is not an object")
    line, column = int(raw.get("line", 1)), int(raw.get("column", 1))
    location = Location(line, column, int(raw.get("end_line", line)), int(raw.get("end_column", column)))
    captures = raw.get("captures") or {}
    return Occurrence(
        _provenance(raw), location, raw.get("blob_id"), {str(k): str(v) for k, v in captures.items()}
    )


def _finding(raw: Any) -> Finding:
    if not isinstance(raw, Mapping):
        raise TypeError("a finding is not an object")
    return Finding(
        rule_id=str(raw["rule_id"]),
        secret=str(raw.get("secret", "")),
        confidence=Confidence.parse(str(raw.get("confidence", "medium"))),
        parts={str(k): str(v) for k, v in (raw.get("parts") or {}).items()},
        occurrences=[_occurrence(o) for o in raw.get("occurrences", ())],
    )


class ReportFinding:
    """A finding read from a report, with the fingerprint the report gave it (recomputing it
    from a redacted secret would give another one) and whether its values are redacted."""

    def __init__(self, finding: Finding, fingerprint: str, redacted: bool) -> None:
        self.finding = finding
        self.fingerprint = fingerprint
        self.redacted = redacted


def report_findings(document: Any, source: str = "report") -> list[ReportFinding]:
    """The findings of a parsed JSON report; InputError (exit 2) names what is wrong."""
    if not isinstance(document, Mapping) or not isinstance(document.get("findings"), list):
        raise InputError(f"{source}: not a leakwarden JSON report (no `findings` list)")
    found = []
    for index, raw in enumerate(document["findings"]):
        try:
            finding = _finding(raw)
            if not finding.occurrences:
                raise ValueError("no occurrences")
            found.append(ReportFinding(finding, str(raw["fingerprint"]), bool(raw.get("redacted", True))))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{source}: findings[{index}]: {exc}") from None
    return found


def select(findings: list[ReportFinding], prefix: str | None, source: str = "report") -> list[ReportFinding]:
    """All findings, or the one whose fingerprint starts with `prefix` (a unique prefix of at
    least 8 hex digits, the rule every command that takes a fingerprint follows)."""
    if not prefix:
        return findings
    known = {f.fingerprint.lower(): f.finding.rule_id for f in findings}
    chosen = resolve_prefix(prefix, known, source, "the report")
    return [next(f for f in findings if f.fingerprint.lower() == chosen)]
