"""JSON (one document) and JSONL (one finding per line) reports; schema in docs/report-schema.json."""

from __future__ import annotations

from typing import Any

from leakwarden import __version__
from leakwarden.model import Finding, ScanResult, ScanSummary
from leakwarden.remediate import remediation_summary
from leakwarden.reports.common import display, display_parts, occurrence_fields, to_json, verdict_fields
from leakwarden.rules.catalog import Catalog

SCHEMA_VERSION = "1.0"


def finding_dict(finding: Finding, catalog: Catalog, show_secrets: bool) -> dict[str, Any]:
    rule = catalog.get(finding.rule_id)
    return {
        "fingerprint": finding.fingerprint,
        "rule_id": finding.rule_id,
        "rule_name": rule.name if rule else finding.rule_id,
        "provider": rule.provider if rule else "",
        "provider_name": rule.provider_name if rule else "",
        "category": rule.category if rule else "",
        "confidence": finding.confidence.label,
        "secret": display(finding.secret, show_secrets),
        "redacted": not show_secrets,
        "parts": display_parts(finding.parts, show_secrets),
        "occurrences": [occurrence_fields(o) for o in finding.occurrences],
        "remediation": remediation_summary(rule, finding.rule_id, finding.fingerprint),
        "verdict": verdict_fields(finding.verdict),
    }


def summary_dict(summary: ScanSummary, findings: int) -> dict[str, Any]:
    return {
        "blobs": summary.blobs,
        "bytes": summary.bytes,
        "duplicates": summary.duplicates,
        "findings": findings,
        "skipped": summary.skipped_by_reason(),
        "skipped_items": [{"path": s.path, "reason": s.reason, "detail": s.detail} for s in summary.skipped],
        "nothing_scanned": summary.nothing_scanned,
        "incomplete": summary.incomplete,
        "duration_s": round(summary.duration_s, 3),
        "engine": summary.engine,
        "rules": summary.rules,
        "decoding": {
            "depth": summary.decode_depth,
            "pieces": summary.decoded_pieces,
            "bytes": summary.decoded_bytes,
            "findings": summary.decoded_findings,
        },
        "notes": list(summary.notes),
        "verified": dict(summary.verified),
        "suppressed": summary.suppressed_by_kind(),
        "suppressed_items": [
            {
                "rule_id": s.rule_id,
                "fingerprint": s.fingerprint,
                "path": s.path,
                "line": s.line,
                "kind": s.kind,
                "reason": s.reason,
            }
            for s in summary.suppressed
        ],
    }


def render_json(result: ScanResult, catalog: Catalog, show_secrets: bool = False) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "leakwarden", "version": __version__},
        "target": result.target,
        "findings": [finding_dict(f, catalog, show_secrets) for f in result.findings],
        "summary": summary_dict(result.summary, len(result.findings)),
    }
    return to_json(document, indent=2) + "\n"


def render_jsonl(result: ScanResult, catalog: Catalog, show_secrets: bool = False) -> str:
    return "".join(to_json(finding_dict(f, catalog, show_secrets)) + "\n" for f in result.findings)
