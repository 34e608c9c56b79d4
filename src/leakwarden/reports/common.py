"""What every reporter shares: redaction, safe display text, occurrence fields."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from leakwarden.model import (
    Finding,
    ImageConfigProvenance,
    ImageLayerProvenance,
    Occurrence,
    ScanSummary,
    Verdict,
)

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


def count_of(n: int, word: str, plural: str = "") -> str:
    """`1 blob`, `2 blobs`, `0 findings`: the noun agrees with the number."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def human_size(n: float) -> str:
    """Bytes in the unit a person reads at a glance: `312 bytes`, `12.3 KB`, `4.5 MB`, `1.2 GB`
    (decimal units, as the MB/s of the summary line always were)."""
    if n < 1000:
        whole = round(n)
        return f"{whole} byte{'s' if whole != 1 else ''}"
    for unit in ("KB", "MB", "GB"):
        n /= 1000
        if n < 1000 or unit == "GB":
            break
    return f"{n:.1f} {unit}"


# PEM / OpenPGP armour: a key reads better as its type and a short digest than as "----****".
_ARMOUR = re.compile(r"-----BEGIN ([A-Z0-9 ]{0,40}?) ?(PRIVATE KEY|SECRET KEY BLOCK|PRIVATE KEY BLOCK)-----")
_KEY_TYPES = {
    ("RSA", "PRIVATE KEY"): "RSA private key (PKCS#1)",
    ("EC", "PRIVATE KEY"): "EC private key (SEC1)",
    ("DSA", "PRIVATE KEY"): "DSA private key",
    ("", "PRIVATE KEY"): "private key (PKCS#8)",
    ("ENCRYPTED", "PRIVATE KEY"): "encrypted private key (PKCS#8)",
    ("OPENSSH", "PRIVATE KEY"): "OpenSSH private key",
    ("PGP", "PRIVATE KEY BLOCK"): "PGP private key block",
    ("PGP", "SECRET KEY BLOCK"): "PGP private key block",
}
_ARMOUR_HEADER = re.compile(r"[A-Za-z-]{2,32}: [^\n\r\\]*")  # Proc-Type:, DEK-Info:, Version:
_ESCAPED_BREAK = re.compile(r"\\[rn]")
_NOT_BASE64 = re.compile(r"[^A-Za-z0-9+/=]")


def key_label(secret: str) -> str | None:
    """For an armoured private key: its type and `sha256:` + 8 hex digits of its body (the
    base64 characters between the armour lines, however the key was wrapped, quoted or escaped),
    e.g. `RSA private key (PKCS#1), sha256:ab12cd34…`. 32 bits tell two keys of a report apart
    and say nothing of the key. None for anything else."""
    armour = _ARMOUR.match(secret)
    if armour is None:
        return None
    kind = _KEY_TYPES.get((armour.group(1), armour.group(2)), f"{armour.group(1)} private key".strip())
    if "Proc-Type: 4,ENCRYPTED" in secret:
        kind = f"encrypted {kind}"
    body = secret[armour.end() : secret.rfind("-----END")]
    body = _NOT_BASE64.sub("", _ARMOUR_HEADER.sub("", _ESCAPED_BREAK.sub(" ", body)))
    return f"{kind}, sha256:{hashlib.sha256(body.encode()).hexdigest()[:8]}…"


def redact(secret: str) -> str:
    """Enough to recognise a credential by its prefix (a private key: by its type and a short
    digest), never enough to use it."""
    label = key_label(secret)
    if label is not None:
        return label
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
    if occ.decoding:
        fields["decoding"] = list(occ.decoding)
    if occ.note:
        fields["note"] = occ.note
    return fields


def decoding_note(occ: Occurrence) -> str:
    """ " (in base64 > gzip)" for a secret found under decodings, else nothing."""
    return f" (in {' > '.join(occ.decoding)})" if occ.decoding else ""


def decoding_summary(summary: ScanSummary) -> str:
    """What decoding added to a scan, for one-line summaries; empty when nothing was decoded."""
    if not summary.decoded_pieces:
        return ""
    found = summary.decoded_findings
    return (
        f"decoded {summary.decoded_pieces} piece{'s' if summary.decoded_pieces != 1 else ''} "
        f"({summary.decoded_bytes / 1e6:.1f} MB), {found} finding{'s' if found != 1 else ''} only there"
    )


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
    return f"{occ.provenance.path}:{occ.location.line}:{occ.location.column}{decoding_note(occ)}"


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
