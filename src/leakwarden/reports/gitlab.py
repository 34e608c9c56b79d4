"""GitLab's secret-detection report (`artifacts:reports:secret_detection`), schema 15.2.1 of
GitLab's security-report-schemas (vendored in tests/schemas/ and validated there).

One vulnerability per occurrence, since GitLab locates a vulnerability at one file, line and
commit. Secrets are redacted unless asked. The scan's start and end times are the one part that is
not a function of the result: the schema requires them, so they are the time the report is
written (minus the scan's duration for the start); tests pass `now`.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from leakwarden import __version__
from leakwarden.model import CommitProvenance, Confidence, Finding, Occurrence, ScanResult
from leakwarden.reports.common import display, display_parts, to_json, verdict_line
from leakwarden.rules.catalog import Catalog
from leakwarden.rules.schema import Rule

SCHEMA_VERSION = "15.2.1"
SCHEMA_URL = (
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/"
    f"v{SCHEMA_VERSION}/dist/secret-detection-report-format.json"
)
INFORMATION_URI = "https://github.com/leakwarden/leakwarden"
# The schema requires a commit for every location; content not read from a commit (a file, the
# index, stdin) gets this placeholder.
NO_COMMIT = "0000000"
_SEVERITY = {Confidence.HIGH: "Critical", Confidence.MEDIUM: "High", Confidence.LOW: "Medium"}
_TIME = "%Y-%m-%dT%H:%M:%S"
_MAX_NAME = 255


def _uuid(place: str) -> str:
    """A stable id per place (the schema recommends a UUID); file names may hold undecodable
    bytes, which `uuid.uuid5` cannot encode."""
    digest = hashlib.sha256(place.encode("utf-8", "surrogatepass")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=5))


def _identifiers(finding: Finding, rule: Rule | None) -> list[dict[str, str]]:
    identifier = {
        "type": "leakwarden_rule_id",
        "name": f"leakwarden rule {finding.rule_id}",
        "value": finding.rule_id,
    }
    references = [r for r in (rule.references if rule else ()) if r.startswith(("https://", "http://"))]
    if references:
        identifier["url"] = references[0]
    return [identifier]


def _commit(occ: Occurrence) -> dict[str, str]:
    prov = occ.provenance
    if not isinstance(prov, CommitProvenance):
        return {"sha": NO_COMMIT}
    return {
        "sha": prov.commit,
        "author": f"{prov.author_name} <{prov.author_email}>",
        "date": prov.date,
        "message": prov.subject,
    }


def _vulnerability(finding: Finding, occ: Occurrence, rule: Rule | None, show: bool) -> dict[str, Any]:
    name = rule.name if rule else finding.rule_id
    secret = display(finding.secret, show)
    parts = ", ".join(f"{role} {value}" for role, value in display_parts(finding.parts, show).items())
    place = f"{finding.fingerprint}\x00{occ.provenance.path}\x00{occ.location.line}\x00{_commit(occ)['sha']}"
    description = (rule.description.strip() if rule else "") or name
    revoke = rule.playbook.revoke_at if rule else ""
    solution = (
        "Treat the credential as compromised: revoke or rotate it"
        + (f" {revoke}" if revoke else "")
        + ", then remove it from the code and its history "
        + f"(leakwarden guide {finding.rule_id})."
    )
    return {
        "id": _uuid(place),
        "name": name[:_MAX_NAME],
        "description": f"{description}\n\nSecret: {secret} (fingerprint {finding.fingerprint})"
        + (f"\n\nParts: {parts}" if parts else ""),
        "severity": _SEVERITY[finding.confidence],
        "solution": solution,
        "identifiers": _identifiers(finding, rule),
        "location": {
            "file": occ.provenance.path,
            "start_line": occ.location.line,
            "end_line": occ.location.end_line,
            "commit": _commit(occ),
        },
        "raw_source_code_extract": secret,
        "details": {
            "fingerprint": {"name": "Fingerprint", "type": "text", "value": finding.fingerprint},
            "confidence": {"name": "Confidence", "type": "text", "value": finding.confidence.label},
            **(
                {"verdict": {"name": "Verdict", "type": "text", "value": verdict_line(finding.verdict)}}
                if finding.verdict is not None
                else {}
            ),
            **(
                {"decoding": {"name": "Decoded from", "type": "text", "value": " > ".join(occ.decoding)}}
                if occ.decoding
                else {}
            ),
        },
    }


def render_gitlab(
    result: ScanResult, catalog: Catalog, show_secrets: bool = False, *, now: datetime | None = None
) -> str:
    end = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    start = end - timedelta(seconds=round(result.summary.duration_s))
    tool = {
        "id": "leakwarden",
        "name": "leakwarden",
        "version": __version__,
        "vendor": {"name": "leakwarden"},
        "url": INFORMATION_URI,
    }
    messages = [{"level": "info", "value": note} for note in result.summary.notes if note]
    skipped = result.summary.skipped_by_reason()
    if skipped:
        counts = ", ".join(f"{n} {reason}" for reason, n in skipped.items())
        messages.append({"level": "warn", "value": f"not scanned: {counts}"})
    vulnerabilities = [
        _vulnerability(finding, occ, catalog.get(finding.rule_id), show_secrets)
        for finding in result.findings
        for occ in finding.occurrences
    ]
    document = {
        "version": SCHEMA_VERSION,
        "schema": SCHEMA_URL,
        "scan": {
            "analyzer": tool,
            "scanner": tool,
            "type": "secret_detection",
            "status": "success",
            "start_time": start.strftime(_TIME),
            "end_time": end.strftime(_TIME),
            "messages": messages,
        },
        "vulnerabilities": vulnerabilities,
    }
    return to_json(document, indent=2) + "\n"
