"""The expand layer alone: each decoder, its offset map back to the parent, chains and bounds."""

from __future__ import annotations

import base64
import bz2
import gzip
import hashlib
import lzma
import random
import time
import zlib

import pytest
import zstandard

from leakwarden.expand import BAD_STREAM, BUDGET, TOO_LONG, Derived, Limits, Stopped, expand, looks_like_text
from leakwarden.expand.offsets import MapBuilder
from tests.fix_support import Fakes

FAKES = Fakes(seed=1313)


def derived(data: bytes, limits: Limits | None = None) -> list[Derived]:
    return [d for d in expand(data, limits or Limits()) if isinstance(d, Derived)]


def stopped(data: bytes, limits: Limits | None = None) -> list[Stopped]:
    return [d for d in expand(data, limits or Limits()) if isinstance(d, Stopped)]


def find(data: bytes, needle: bytes, limits: Limits | None = None) -> tuple[Derived, tuple[int, int]]:
    """The first derived piece holding `needle`, and where the needle maps in `data`."""
    for piece in derived(data, limits):
        at = piece.data.find(needle)
        if at >= 0 and piece.text:
            return piece, piece.to_top(at, at + len(needle))
    raise AssertionError(f"{needle!r} not decoded from {data[:80]!r}")


def test_base64_maps_to_the_quads_that_encode_the_secret() -> None:
    token = FAKES.github_pat().encode()
    plain = b"export GITHUB_TOKEN=" + token + b"\n"  # 20 bytes before: the token starts mid-quad
    encoded = base64.b64encode(plain)
    data = b"# deploy\nvalue: " + encoded + b"\n"
    piece, (start, end) = find(data, token)
    assert piece.chain == ("base64",)
    run = data.index(encoded)
    # decoded bytes 20..60 lie in quads 6..20: parent characters 24..80 of the run
    assert (start, end) == (run + 24, run + 80)
    assert base64.b64decode(data[start:end])[2:].startswith(token[:10])


@pytest.mark.parametrize("pad", [True, False])
def test_urlsafe_base64_with_and_without_padding(pad: bool) -> None:
    plain = b"password: " + FAKES.github_pat().encode() + b"??>>"
    encoded = base64.urlsafe_b64encode(plain)
    assert b"-" in encoded or b"_" in encoded
    if not pad:
        encoded = encoded.rstrip(b"=")
    piece, _ = find(b"k=" + encoded, b"password: ")
    assert piece.data == plain


def test_hex_run_decodes_and_maps_per_pair() -> None:
    token = FAKES.github_pat().encode()
    data = b"blob = 0x" + (b"token=" + token).hex().encode() + b";"
    piece, (start, end) = find(data, token)
    assert piece.chain == ("hex",)
    assert bytes.fromhex(data[start:end].decode()) == token


def test_percent_encoding_maps_escapes_to_their_three_bytes() -> None:
    data = b"url = https://deploy:p%40ss%3Aw0rd@registry.example.com/x\n"
    piece, (start, end) = find(data, b"p@ss:w0rd")
    assert piece.chain == ("percent",)
    assert data[start:end] == b"p%40ss%3Aw0rd"


def test_json_escapes_unicode_slashes_and_surrogate_pairs() -> None:
    data = b'{"cfg": "{\\"url\\": \\"https:\\/\\/h\\u00e9\\ud83d\\ude00\\x41\\"}"}'
    piece, (start, end) = find(data, '"url": "https://hé😀A"'.encode())
    assert piece.chain == ("json-escape",)
    assert data[start:end] == b'\\"url\\": \\"https:\\/\\/h\\u00e9\\ud83d\\ude00\\x41\\"'


def test_html_entities_named_and_numeric() -> None:
    data = b'<input value="user&#58;s3cr&#x65;t&amp;more">'
    piece, (start, end) = find(data, b"user:s3cret&more")
    assert piece.chain == ("html-entity",)
    assert data[start:end] == b"user&#58;s3cr&#x65;t&amp;more"


@pytest.mark.parametrize(
    ("codec", "bom"), [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"")]
)
def test_utf16_with_bom_or_by_its_nul_pattern(codec: str, bom: bytes) -> None:
    text = "first line\r\nnom: café\r\ntoken = SECRET_VALUE_123\r\n"
    data = bom + text.encode(codec)
    piece, (start, end) = find(data, b"SECRET_VALUE_123")
    assert piece.chain == ("utf-16",)
    assert data[start:end].decode(codec) == "SECRET_VALUE_123"


@pytest.mark.parametrize(
    ("kind", "compress"),
    [
        ("gzip", gzip.compress),
        ("zlib", zlib.compress),
        ("bzip2", bz2.compress),
        ("xz", lzma.compress),
        ("zstd", lambda b: zstandard.ZstdCompressor().compress(b)),
    ],
)
def test_compressed_streams_map_to_the_stream_start(kind: str, compress: object) -> None:
    assert callable(compress)
    log = b"2026-12-01 started\n" * 50 + b"login with password=hunter2-but-longer\n"
    piece, span = find(compress(log), b"password=hunter2")
    assert piece.chain == (kind,)
    assert span == (0, 1)


def test_chain_of_two_and_nothing_past_the_depth() -> None:
    token = FAKES.github_pat().encode()
    inner = base64.b64encode(b"token: " + token)
    outer = base64.b64encode(gzip.compress(b"config:\n  blob: " + inner + b"\n"))
    data = b"payload=" + outer
    assert not any(token in d.data for d in derived(data))  # depth 2: base64, gzip; base64 is third
    piece, span = find(data, token, Limits(depth=3))
    assert piece.chain == ("base64", "gzip", "base64")
    assert span[0] == data.index(outer)
    assert derived(data, Limits(depth=0)) == []


def test_a_50_mb_base64_run_is_refused_quickly() -> None:
    run = base64.b64encode(random.Random(5).randbytes(3 * 1024 * 1024)) * 6  # 24 MiB... twice
    data = b"x = " + run + run
    started = time.perf_counter()
    items = list(expand(data, Limits()))
    assert time.perf_counter() - started < 5
    assert [(s.reason, s.span[0]) for s in items if isinstance(s, Stopped)] == [(TOO_LONG, 4)]
    assert not [d for d in items if isinstance(d, Derived)]


def test_gzip_bomb_stops_at_the_budget() -> None:
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"A" * (1 << 20)
    parts = [bomb.compress(chunk) for _ in range(64)]  # 64 MiB of 'A' in about 64 KiB
    data = b"".join(parts) + bomb.flush()
    assert len(data) < 200_000
    limits = Limits(budget=1 << 20)
    items = list(expand(data, limits))
    assert [s.reason for s in items if isinstance(s, Stopped)] == [BUDGET]
    assert sum(len(d.data) for d in items if isinstance(d, Derived)) <= limits.budget


def test_budget_is_shared_by_every_piece_of_a_blob() -> None:
    runs = b"\n".join(base64.b64encode(f"line {i} of some decoded text".encode()) for i in range(200))
    items = list(expand(runs, Limits(budget=1000)))
    assert sum(len(d.data) for d in items if isinstance(d, Derived)) <= 1000
    assert [s.reason for s in items if isinstance(s, Stopped)] == [BUDGET]


def test_invalid_base64_and_corrupt_streams() -> None:
    # Padding is repaired, not trusted: missing or short padding decodes the same text.
    good = [d.data for d in derived(b"v = QUJDREVGR0hJSktMTU5PUFFSUw==")]
    assert good == [b"ABCDEFGHIJKLMNOPQRS"]
    assert [d.data for d in derived(b"v = QUJDREVGR0hJSktMTU5PUFFSUw=")] == good
    assert derived(b"v = QUJDREVGR0hJSktMTU5PUFFSU=====") == []  # 4k+1 characters: not base64
    log = "\n".join(f"event {i} user{i * 7919 % 1000}" for i in range(2000)).encode()
    truncated = gzip.compress(log)[:2000]
    items = list(expand(truncated, Limits()))
    assert [s.reason for s in items if isinstance(s, Stopped)] == [BAD_STREAM]
    assert next(d.data for d in items if isinstance(d, Derived)).startswith(b"event 0 user0\n")
    corrupt = bytearray(gzip.compress(log))
    corrupt[100:110] = b"\xff" * 10
    assert [s.reason for s in stopped(bytes(corrupt))] == [BAD_STREAM]


def _pem(rng: random.Random) -> bytes:
    der = b"\x30\x82\x03\x1d\x30\x82\x02\x05\xa0\x03\x02\x01\x02" + rng.randbytes(780)
    body = base64.b64encode(der)
    lines = b"\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return b"-----BEGIN CERTIFICATE-----\n" + lines + b"\n-----END CERTIFICATE-----\n"


def test_decoys_yield_no_text() -> None:
    rng = random.Random(99)
    png = b"\x89PNG\r\n\x1a\n" + rng.randbytes(300)
    decoys = [
        b'<img src="data:image/png;base64,' + base64.b64encode(png) + b'">',
        b'"integrity": "sha512-' + base64.b64encode(rng.randbytes(64)) + b'"',
        b"integrity sha256-" + base64.b64encode(rng.randbytes(32)),
        _pem(rng),
        b"\n".join(base64.b64encode(rng.randbytes(n)) for n in range(12, 200, 7)),
        b"\n".join(base64.urlsafe_b64encode(rng.randbytes(n)).rstrip(b"=") for n in range(12, 200, 7)),
        b"\n".join(hashlib.sha256(bytes([i])).hexdigest().encode() for i in range(50)),
        b"commit %s sha512 %s"
        % (hashlib.sha1(b"x").hexdigest().encode(), hashlib.sha512(b"y").hexdigest().encode()),
        b"def some_long_function_name_here(another_argument_name):\n    return CONSTANT_VALUE_NAME\n",
        b"see src/leakwarden/expand/compression.py and tests/test_expand_decoders.py",
    ]
    for decoy in decoys:
        assert [d.chain for d in derived(decoy) if d.text] == [], decoy[:60]


def test_text_test() -> None:
    assert looks_like_text("héllo wörld\n".encode())
    assert not looks_like_text(b"abc\x00\x01\x02\x03")
    assert not looks_like_text(b"\xc3\x28 invalid utf-8")
    assert not looks_like_text(b"")


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="depth"):
        Limits(depth=-1)
    with pytest.raises(ValueError, match="positive"):
        Limits(budget=0)


def test_map_builder_merges_units_of_one_shape() -> None:
    builder = MapBuilder()
    builder.add(1, 0, 3, 1, 3)
    builder.add(1, 3, 6, 1, 3)
    builder.add(4, 6, 10, 1, 1)
    offsets = builder.build()
    assert len(offsets.segments) == 2
    assert offsets.span(1, 3) == (3, 7)  # the second escape and the first copied byte


def test_escape_windows_never_cut_a_long_token() -> None:
    token = "CAIS" + "".join(random.Random(3).choice("ABCDEFGHabcdefgh0123456789+/") for _ in range(700))
    data = ("export TOKEN=&quot;" + token + "&quot;\n").encode()
    piece, (start, end) = find(data, token.encode())
    assert piece.chain == ("html-entity",)
    assert data[start:end] == token.encode()
