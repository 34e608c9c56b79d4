"""Byte offsets to lines and character columns: the incremental index agrees with decoding each
line's prefix from scratch, on valid and invalid UTF-8, many offsets per line included."""

from __future__ import annotations

import random

from leakwarden.scan.locate import LineIndex, locate


def _naive(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    line = data.count(b"\n", 0, offset) + 1
    return line, len(data[line_start:offset].decode("utf-8", "replace")) + 1


ALPHABET = [b"a", b"Z", b"\n", b" ", "é".encode(), "€".encode(), "😀".encode(), b"\xe2\x82", b"\xff", b"\x80"]


def test_incremental_columns_match_decoding_from_the_line_start() -> None:
    rng = random.Random(7)
    for _ in range(300):
        data = b"".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 200)))
        offsets = sorted(rng.sample(range(len(data) + 1), k=min(len(data) + 1, rng.randrange(1, 12))))
        index = LineIndex(data)
        assert [index.position(o) for o in offsets] == [_naive(data, o) for o in offsets]


def test_many_spans_on_one_long_line() -> None:
    line = "x = 'é€' + ".encode() * 2000
    spans = [(i, i + 3) for i in range(0, len(line) - 3, 997)]
    got = locate(line, spans)
    assert [(loc.line, loc.column) for loc in got] == [_naive(line, start) for start, _ in spans]


def test_spans_given_out_of_order_keep_their_order() -> None:
    data = b"one\ntwo three\nfour"
    spans = [(14, 18), (0, 3), (8, 13)]
    got = locate(data, spans)
    assert [(loc.line, loc.column, loc.end_column) for loc in got] == [(3, 1, 5), (1, 1, 4), (2, 5, 10)]


def test_offsets_in_any_order_agree_with_decoding_from_the_line_start() -> None:
    rng = random.Random(11)
    for _ in range(300):
        data = b"".join(rng.choice(ALPHABET) for _ in range(rng.randrange(1, 200)))
        offsets = rng.choices(range(len(data) + 1), k=rng.randrange(1, 16))
        index = LineIndex(data)
        assert [index.position(o) for o in offsets] == [_naive(data, o) for o in offsets]
