"""Scans that find secrets under encodings: each reported at its file, line and column of the
encoded text, with its chain of decodings, in every report format."""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import jsonschema
import pytest

from leakwarden.expand import BUDGET
from leakwarden.model import Finding, ScanResult
from leakwarden.reports import render
from leakwarden.rules.catalog import Catalog
from leakwarden.scan import scan_bytes, scan_paths
from tests.conftest import write
from tests.fix_support import Fakes

FAKES = Fakes(seed=4242)
SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "report-schema.json").read_text())


def position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (characters) of a byte offset."""
    before = data[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode()) + 1


def b64_start(data: bytes, encoded: bytes, plain: bytes, secret: bytes) -> tuple[int, int]:
    """Where the base64 quad holding the secret's first byte starts in `data`."""
    run = data.index(encoded)
    return position(data, run + plain.index(secret) // 3 * 4)


def only(result: ScanResult, rule_id: str) -> Finding:
    found = [f for f in result.findings if f.rule_id == rule_id]
    assert len(found) == 1, [(f.rule_id, f.occurrences[0].decoding) for f in result.findings]
    return found[0]


def place(finding: Finding) -> tuple[str, int, int, tuple[str, ...]]:
    occ = finding.occurrences[0]
    return Path(occ.provenance.path).name, occ.location.line, occ.location.column, occ.decoding


def test_kubernetes_secret_data_is_found_at_its_value(tmp_path: Path) -> None:
    token = FAKES.github_pat()
    plain = token.encode()
    encoded = base64.b64encode(plain)
    manifest = (
        b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci-tokens\ntype: Opaque\ndata:\n"
        b"  GITHUB_TOKEN: " + encoded + b"\nstringData:\n  mode: plain\n"
    )
    write(tmp_path / "secret.yaml", manifest)
    result = scan_paths([str(tmp_path)], jobs=1)
    finding = only(result, "github.personal_access_token")
    assert finding.secret == token
    assert place(finding) == ("secret.yaml", 7, 17, ("base64",))
    assert result.summary.decoded_findings == 1
    assert result.summary.decoded_pieces >= 1


def test_docker_config_auth_holds_user_and_token(tmp_path: Path) -> None:
    token = "dckr_pat_" + FAKES.github_pat()[4:31]
    plain = f"acmeci:{token}".encode()
    encoded = base64.b64encode(plain)
    config = (
        b'{\n  "auths": {\n    "https://index.docker.io/v1/": {\n      "auth": "'
        + encoded
        + b'"\n    }\n  }\n}\n'
    )
    write(tmp_path / "config.json", config)
    finding = only(scan_paths([str(tmp_path)], jobs=1), "dockerhub.personal_access_token")
    assert finding.secret == token
    line, column = b64_start(config, encoded, plain, token.encode())
    assert place(finding) == ("config.json", line, column, ("base64",))


def test_basic_authorization_header(tmp_path: Path) -> None:
    token = FAKES.github_pat()
    plain = f"x-access-token:{token}".encode()
    encoded = base64.b64encode(plain)
    text = b"GET /repos HTTP/1.1\r\nHost: api.github.com\r\nAuthorization: Basic " + encoded + b"\r\n\r\n"
    write(tmp_path / "request.http", text)
    finding = only(scan_paths([str(tmp_path)], jobs=1), "github.personal_access_token")
    line, column = b64_start(text, encoded, plain, token.encode())
    assert place(finding) == ("request.http", line, column, ("base64",))


def test_percent_encoded_uri_in_a_query_string(tmp_path: Path) -> None:
    uri = "postgres://billing_app:jLBSpyPHKLLggtk9x@billing-db.c7x2kq9zpl.eu-west-1.rds.amazonaws.com/billing"
    quoted = "".join(c if c.isalnum() else f"%{ord(c):02X}" for c in uri)
    text = f"# redirect\nhttps://sso.corp.internal/login?next={quoted}&x=1\n".encode()
    write(tmp_path / "links.txt", text)
    finding = only(scan_paths([str(tmp_path)], jobs=1), "generic.uri_password")
    assert finding.secret == "jLBSpyPHKLLggtk9x"
    start = text.index(b"jLBSpyPH")
    assert place(finding) == ("links.txt", *position(text, start), ("percent",))


def test_utf16_le_file(tmp_path: Path) -> None:
    token = FAKES.github_pat()
    text = f"[settings]\r\nname=build\r\ntoken={token}\r\n"
    write(tmp_path / "settings.ini", b"\xff\xfe" + text.encode("utf-16-le"))
    finding = only(scan_paths([str(tmp_path)], jobs=1), "github.personal_access_token")
    assert place(finding) == ("settings.ini", 3, 7, ("utf-16",))


def test_gzipped_log(tmp_path: Path) -> None:
    token = FAKES.github_pat()
    log = b"".join(b"2026-12-01T10:%02d:00Z GET /health 200\n" % i for i in range(60))
    log += f"2026-12-01T11:00:00Z using GITHUB_TOKEN={token}\n".encode()
    write(tmp_path / "app.log.gz", gzip.compress(log))
    result = scan_paths([str(tmp_path)], jobs=1)
    finding = only(result, "github.personal_access_token")
    assert place(finding) == ("app.log.gz", 1, 1, ("gzip",))
    assert result.summary.skipped == []  # no longer skipped as binary


def test_nested_chain_and_depth_zero(tmp_path: Path) -> None:
    token = FAKES.github_pat()
    inner = json.dumps({"build": {"token": token}}).encode()
    encoded = base64.b64encode(gzip.compress(inner))
    text = b"payload: " + encoded + b"\n"
    write(tmp_path / "values.yaml", text)
    finding = only(scan_paths([str(tmp_path)], jobs=1), "github.personal_access_token")
    assert place(finding) == ("values.yaml", 1, 10, ("base64", "gzip"))
    off = scan_paths([str(tmp_path)], jobs=1, decode_depth=0)
    assert off.findings == []
    assert off.summary.decoded_pieces == 0


def test_fingerprint_does_not_depend_on_the_encoding() -> None:
    token = FAKES.github_pat()
    plain = scan_bytes(f"GITHUB_TOKEN={token}\n".encode())
    encoded = scan_bytes(b"v: " + base64.b64encode(f"GITHUB_TOKEN={token}\n".encode()))
    assert [f.fingerprint for f in plain.findings] == [f.fingerprint for f in encoded.findings]
    assert encoded.findings[0].occurrences[0].decoding == ("base64",)


def test_plain_secret_on_an_escaped_line_is_reported_once() -> None:
    token = FAKES.github_pat()
    result = scan_bytes(f'{{"note": "a\\/b", "token": "{token}"}}\n'.encode())
    finding = only(result, "github.personal_access_token")
    assert [o.decoding for o in finding.occurrences] == [()]


def test_gzip_bomb_is_reported_as_skipped(tmp_path: Path) -> None:
    bomb = gzip.compress(b"\0" * (64 << 20), compresslevel=9)
    write(tmp_path / "bomb.gz", bomb)
    result = scan_paths([str(tmp_path)], jobs=1)
    assert [(Path(s.path).name, s.reason) for s in result.summary.skipped] == [("bomb.gz", BUDGET)]
    assert result.summary.untrusted() is None  # the blob itself was scanned


def test_inline_allow_on_the_encoded_line() -> None:
    token = FAKES.github_pat()
    text = (
        b"v: " + base64.b64encode(f"GITHUB_TOKEN={token}".encode()) + b"  # leakwarden:allow test fixture\n"
    )
    result = scan_bytes(text)
    assert result.findings == []
    assert [s.kind for s in result.summary.suppressed] == ["inline"]


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "sarif", "csv", "gitlab", "junit"])
def test_every_format_names_the_decoding(tmp_path: Path, catalog: Catalog, fmt: str) -> None:
    token = FAKES.github_pat()
    write(tmp_path / "ci.env", b"TOKEN_B64=" + base64.b64encode(f"GITHUB_TOKEN={token}".encode()) + b"\n")
    result = scan_paths([str(tmp_path)], jobs=1)
    report = render(fmt, result, catalog)
    assert "base64" in report
    if fmt == "json":
        document = json.loads(report)
        jsonschema.validate(document, SCHEMA)
        assert document["findings"][0]["occurrences"][0]["decoding"] == ["base64"]
        assert document["summary"]["decoding"]["findings"] == 1
    if fmt == "sarif":
        location = json.loads(report)["runs"][0]["results"][0]["locations"][0]
        assert location["properties"] == {"decoding": ["base64"]}
