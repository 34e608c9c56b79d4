"""What every reporter shares: redaction, safe display text, occurrence fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from leakwarden.model import Finding, Occurrence

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def redact(secret: str) -> str:
    """Enough to recognise a credential by its prefix, never enough to use it."""
    if len(secret) <= 8:
        return "*" * len(secret)
    shown = min(4, len(secret) // 5)
    return secret[:shown] + "*" * min(12, len(secret) - shown)


def display(secret: str, show: bool) -> str:
    return secret if show else redact(secret)


def display_parts(parts: Mapping[str, str], show: bool) -> dict[str, str]:
    return {role: display(value, show) for role, value in parts.items()}


def safe(text: str) -> str:
    """Text from scanned content or file names, defanged for a terminal: control characters,
    bidirectional overrides and line separators become visible escapes."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text
    )


def occurrence_fields(occ: Occurrence) -> dict[str, Any]:
    """The provenance of one occurrence as flat JSON fields, common to all provenance kinds."""
    fields: dict[str, Any] = {
        "path": occ.provenance.path,
        "kind": occ.provenance.kind,
        "line": occ.location.line,
        "column": occ.location.column,
        "end_line": occ.location.end_line,
        "end_column": occ.location.end_column,
        "blob_id": occ.blob_id,
    }
    for name in ("commit", "author_name", "author_email", "date", "subject"):
        value = getattr(occ.provenance, name, None)
        if value is not None:
            fields[name] = value
    if occ.captures:
        fields["captures"] = dict(occ.captures)
    return fields


def first_location(finding: Finding) -> str:
    occ = finding.occurrences[0]
    return f"{occ.provenance.path}:{occ.location.line}:{occ.location.column}"
