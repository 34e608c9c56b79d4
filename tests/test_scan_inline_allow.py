from __future__ import annotations

from pathlib import Path

from leakwarden.model import Confidence
from leakwarden.scan import scan_paths
from tests.conftest import write

KEY = "SCW_ACCESS_KEY=SCWFSJWESQRAQJXM9X4O"


def test_inline_allow_suppresses_and_records_the_reason(tmp_path: Path) -> None:
    write(tmp_path / "a.env", f"{KEY}  # leakwarden:allow revoked on 2026-11-20, kept for the parser test\n")
    write(tmp_path / "b.env", f"{KEY}\n")
    for jobs in (1, 2):
        result = scan_paths([str(tmp_path)], jobs=jobs)
        (finding,) = result.findings
        assert [o.provenance.path for o in finding.occurrences] == [str(tmp_path / "b.env")]
        (item,) = result.summary.suppressed
        assert item.path == str(tmp_path / "a.env")
        assert item.line == 1
        assert item.reason == "leakwarden:allow: revoked on 2026-11-20, kept for the parser test"
        assert item.fingerprint == finding.fingerprint
        assert result.summary.suppressed_by_kind() == {"inline": 1}


def test_inline_allow_below_min_confidence_is_not_listed(tmp_path: Path) -> None:
    write(tmp_path / "a.env", f"{KEY}  # gitleaks:allow\n")
    result = scan_paths([str(tmp_path)], min_confidence=Confidence.HIGH)
    assert result.findings == []
    assert result.summary.suppressed == []


def test_our_marker_without_a_reason_is_reported_with_a_note(tmp_path: Path) -> None:
    import json

    from leakwarden.cli.main import main

    write(tmp_path / "a.env", f"{KEY}  # leakwarden:allow\n")
    result = scan_paths([str(tmp_path)])
    (finding,) = result.findings
    assert finding.occurrences[0].note == "allow marker without a reason ignored"
    assert result.summary.suppressed == []
    report = tmp_path / "report.json"
    assert main(["scan", "path", str(tmp_path / "a.env"), "--format", "json", "-o", str(report)]) == 1
    (occurrence,) = json.loads(report.read_text())["findings"][0]["occurrences"]
    assert occurrence["note"] == "allow marker without a reason ignored"
    text = tmp_path / "report.txt"
    assert main(["scan", "path", str(tmp_path / "a.env"), "-o", str(text)]) == 1
    assert "note    allow marker without a reason ignored" in text.read_text()
