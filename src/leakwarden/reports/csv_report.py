"""CSV for spreadsheets and inventories: a header row, then one row per occurrence (RFC 4180:
CRLF line ends, fields quoted when they hold a comma, a quote or a line break).

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula, and
the content is an attacker's to choose (a file name, a commit subject): such a cell gets a
leading apostrophe, as OWASP advises against CSV injection. Text from scanned content is passed
through `safe`, so a row is always one line and shows what it holds.
"""

from __future__ import annotations

import csv
import io

from leakwarden.model import CommitProvenance, ScanResult
from leakwarden.reports.common import display, display_parts, safe
from leakwarden.rules.catalog import Catalog

HEADER = (
    "fingerprint",
    "rule_id",
    "rule_name",
    "confidence",
    "secret",
    "parts",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "kind",
    "commit",
    "author",
    "date",
    "subject",
    "verdict",
    "verified_at",
    "identity",
    "decoding",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str | int) -> str:
    """One cell's text: one line of visible escapes (`safe`), defused for spreadsheets."""
    if not isinstance(value, str):
        return str(value)
    text = safe(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render_csv(result: ScanResult, catalog: Catalog, show_secrets: bool = False) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    for finding in result.findings:
        rule = catalog.get(finding.rule_id)
        secret = display(finding.secret, show_secrets)
        parts = "; ".join(f"{r}={v}" for r, v in display_parts(finding.parts, show_secrets).items())
        for occ in finding.occurrences:
            prov = occ.provenance
            commit = prov if isinstance(prov, CommitProvenance) else None
            row: tuple[str | int, ...] = (
                finding.fingerprint,
                finding.rule_id,
                rule.name if rule else finding.rule_id,
                finding.confidence.label,
                secret,
                parts,
                prov.path,
                occ.location.line,
                occ.location.column,
                occ.location.end_line,
                occ.location.end_column,
                prov.kind,
                commit.commit if commit else "",
                f"{commit.author_name} <{commit.author_email}>" if commit else "",
                commit.date if commit else "",
                commit.subject if commit else "",
                finding.verdict.status if finding.verdict else "",
                finding.verdict.checked_at if finding.verdict else "",
                "; ".join(f"{k}={v}" for k, v in finding.verdict.identity.items()) if finding.verdict else "",
                " > ".join(occ.decoding),
            )
            writer.writerow([cell(value) for value in row])
    return buffer.getvalue()
