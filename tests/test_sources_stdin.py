"""Standard input of any length is scanned in overlapping pieces, with the same findings, lines
and columns as one blob would give: nothing is cut off, nothing is reported twice."""

from __future__ import annotations

import io
import random

import pytest

from leakwarden.model import Confidence, ScanResult
from leakwarden.rules.catalog import Catalog
from leakwarden.scan import scan_source
from leakwarden.sources.files import StdinSource
from tests.git_repo import scw_pair

PIECE, OVERLAP = 200_000, 65_536


def _stream(records: int, seed: int) -> bytes:
    rng = random.Random(seed)
    lines = []
    for index in range(records):
        if index % 97 == 0:
            key, secret = scw_pair(seed * 100_000 + index)
            lines.append(f"SCW_ACCESS_KEY={key}\nSCW_SECRET_KEY={secret}\n")
        else:
            lines.append(f"{index} INFO served in {rng.randrange(1, 900)} ms path=/api/v{index % 7}\n")
    return "".join(lines).encode()


def _keys(result: ScanResult) -> list[tuple[str, str, int, int, int]]:
    return sorted(
        (f.rule_id, f.fingerprint, o.location.line, o.location.column, o.location.end_column)
        for f in result.findings
        for o in f.occurrences
    )


def _scan(data: bytes, catalog: Catalog, piece: int, overlap: int) -> ScanResult:
    source = StdinSource(io.BytesIO(data), piece_size=piece, overlap=overlap)
    return scan_source(source, catalog=catalog, jobs=1, min_confidence=Confidence.LOW)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pieces_report_what_one_blob_reports(catalog: Catalog, seed: int) -> None:
    data = _stream(30_000, seed)
    assert len(data) > 6 * PIECE
    whole = _scan(data, catalog, len(data) + 1, OVERLAP)
    pieces = _scan(data, catalog, PIECE, OVERLAP)
    assert _keys(pieces) == _keys(whole)
    assert len(whole.findings) >= 200
    assert any("overlapping pieces" in note for note in pieces.summary.notes)
    assert pieces.summary.bytes >= len(data)


def test_a_secret_straddling_every_possible_cut_is_found_once(catalog: Catalog) -> None:
    key, secret = scw_pair(99)
    record = f"SCW_ACCESS_KEY={key}\nSCW_SECRET_KEY={secret}\n".encode()
    filler = b"x" * 80 + b"\n"
    for shift in range(0, 2 * len(record), 7):
        data = filler * ((PIECE - OVERLAP) // len(filler)) + b"y" * shift + b"\n" + record + filler * 3000
        result = _scan(data, catalog, PIECE, OVERLAP)
        pairs = [f for f in result.findings if f.rule_id == "scaleway.api_key"]
        assert len(pairs) == 1
        assert len(pairs[0].occurrences) == 1


def test_a_line_longer_than_a_piece_is_cut_and_said(catalog: Catalog) -> None:
    key, secret = scw_pair(7)
    data = b"z" * (3 * PIECE) + f" SCW_ACCESS_KEY={key} SCW_SECRET_KEY={secret}\n".encode()
    result = _scan(data, catalog, PIECE, OVERLAP)
    assert [f.rule_id for f in result.findings] == ["scaleway.api_key"]
    assert any("longer than a piece" in note for note in result.summary.notes)
