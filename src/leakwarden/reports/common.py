"""What every reporter shares: redaction, safe display text, occurrence fields."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from leakwarden.model import Finding, ImageConfigProvenance, ImageLayerProvenance, Occurrence, Verdict

# Control characters (line breaks and tabs included: a file name may hold them), C1 controls,
# zero-width and bidirectional formatting characters, line and paragraph separators, the BOM, and
# lone surrogates (what Python makes of file-name bytes that are not UTF-8).
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Valid in a JSON string, but line breaks to str.splitlines() and friends: written as \u escapes
# (same value once parsed) so that a JSONL line is always one line.
_JSON_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


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


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """Text from scanned content or file names, defanged for a terminal: control characters
    (line breaks too), bidirectional overrides, line separators and undecodable bytes become
    visible escapes, so one value is always one line that shows what it holds."""
    return _UNPRINTABLE.sub(lambda m: _escape(m.group()), text)


def to_json(document: Any, indent: int | None = None) -> str:
    """`json.dumps` whose output is always valid UTF-8: a lone surrogate (a file name that is
    not UTF-8) becomes the visible escape `safe` shows for it instead of an unencodable code
    point. NEL and the Unicode line and paragraph separators are written as `\\u` escapes, so a
    document without indent is one line for any line splitter."""
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    text = _JSON_LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return _LONE_SURROGATE.sub(lambda m: json.dumps(_escape(m.group()))[1:-1], text)


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
    others = getattr(occ.provenance, "other_commits", None)
    if others is not None:  # git: the other commits that introduced this blob at this path
        fields["other_commits"] = list(others)
        fields["other_commit_count"] = getattr(occ.provenance, "other_commit_count", len(others))
    fields.update(image_fields(occ.provenance))
    if occ.captures:
        fields["captures"] = dict(occ.captures)
    return fields


def image_fields(prov: object) -> dict[str, Any]:
    """A container image's provenance fields; empty for every other kind."""
    if isinstance(prov, ImageLayerProvenance):
        hidden = None
        if prov.hidden_by_index is not None:
            hidden = {
                "layer_index": prov.hidden_by_index,
                "layer_digest": prov.hidden_by_digest,
                "history_step": prov.hidden_by_step,
                "how": prov.hidden_how,
                "note": prov.note,
            }
        return {
            "image": prov.image,
            "digest": prov.digest,
            "platform": prov.platform,
            "layer_digest": prov.layer_digest,
            "layer_index": prov.layer_index,
            "layer_path": prov.layer_path,
            "history_step": prov.history_step,
            "deleted_but_shipped": prov.deleted_but_shipped,
            "hidden_by": hidden,
        }
    if isinstance(prov, ImageConfigProvenance):
        return {
            "image": prov.image,
            "digest": prov.digest,
            "platform": prov.platform,
            "document": prov.document,
            "field": prov.field,
            "history_step": prov.history_step,
        }
    return {}


def first_location(finding: Finding) -> str:
    occ = finding.occurrences[0]
    return f"{occ.provenance.path}:{occ.location.line}:{occ.location.column}"


def verdict_fields(verdict: Verdict | None) -> dict[str, Any] | None:
    """A verdict as JSON fields (None when the finding was not verified). The provider's words
    (reason, identity) are its to choose: every format passes them through `safe` or escapes them."""
    if verdict is None:
        return None
    return {
        "status": verdict.status,
        "reason": verdict.reason,
        "checked_at": verdict.checked_at,
        "host": verdict.host,
        "http_status": verdict.http_status,
        "identity": dict(verdict.identity),
    }


def verdict_line(verdict: Verdict) -> str:
    """One line for people: `LIVE — reason · account=… user=…`, defanged."""
    line = verdict.status.upper() + (f" — {verdict.reason}" if verdict.reason else "")
    if verdict.identity:
        line += " · " + " ".join(f"{k}={v}" for k, v in verdict.identity.items())
    return safe(line)
