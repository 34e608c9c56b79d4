"""Reading a saved JSON report back: its findings, with their secrets restored from the files
it names where the report redacted them (the default). `remediate` and `verify --report` share it.

A redacted report keeps no secret, but the files it names may still hold it: they are scanned
again and a finding is restored only when the rescan gives the very fingerprint the report
recorded, so nothing is ever guessed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from leakwarden.remediate import ReportFinding
    from leakwarden.rules.catalog import Catalog

MAX_TEXT_BYTES = 4 * 1024 * 1024  # files read back for their secrets and the names they are bound to


def read_report(path: str) -> list[ReportFinding]:
    from leakwarden.errors import InputError
    from leakwarden.remediate import report_findings

    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the report: {exc}") from None
    return report_findings(document, path)


def read_texts(paths: list[str]) -> dict[str, bytes]:
    """The scanned files that are still on disk (and not too large to read back)."""
    texts: dict[str, bytes] = {}
    for path in paths:
        try:
            file = Path(path)
            if file.is_file() and file.stat().st_size <= MAX_TEXT_BYTES:
                texts[path] = file.read_bytes()
        except OSError:
            continue
    return texts


def _rescan(texts: dict[str, bytes], catalog: Catalog) -> dict[str, Any]:
    from leakwarden.model import Blob, Confidence, FileProvenance
    from leakwarden.scan import scan_blobs

    blobs = [Blob(data, (FileProvenance(path),)) for path, data in texts.items()]
    if not blobs:
        return {}
    result = scan_blobs(blobs, catalog=catalog, min_confidence=Confidence.LOW, jobs=1)
    return {f.fingerprint: f for f in result.findings}


def restore(everything: list[ReportFinding], catalog: Catalog) -> tuple[dict[str, bytes], set[str]]:
    """Put the real secret back into each redacted finding whose file still holds it (in place).
    Returns the files read and the fingerprints that stay redacted."""
    from leakwarden.model import Finding

    paths = sorted(
        {o.provenance.path for f in everything for o in f.finding.occurrences if o.provenance.kind == "file"}
    )
    texts = read_texts(paths)
    raw = _rescan(texts, catalog) if any(f.redacted for f in everything) else {}
    still_redacted: set[str] = set()
    for item in everything:
        if not item.redacted:
            continue
        found = raw.get(item.fingerprint)
        if found is None:
            still_redacted.add(item.fingerprint)
            continue
        old = item.finding
        item.finding = Finding(old.rule_id, found.secret, old.confidence, found.parts, old.occurrences)
    return texts, still_redacted
