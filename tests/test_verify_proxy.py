"""Checks and revocations end to end, with nothing injected: the real client goes through an
HTTPS proxy (`HTTPS_PROXY`, CONNECT) to providers on loopback whose certificates a private CA
signed (`SSL_CERT_FILE`), as it would on a corporate network. The proxy only ever learns the
host name; the credential travels inside TLS, to the hosts its rule declares."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

from leakwarden.cli.main import main
from tests.fix_support import Fakes
from tests.loopback_https import Network, providers

FAKES = Fakes(seed=77)
TOKEN = FAKES.github_pat()
SCW_ACCESS, SCW_SECRET = FAKES.scaleway()
ALI_ID, ALI_SECRET = FAKES.alibaba()
HOSTS = ["api.github.com", "api.scaleway.com", "sts.aliyuncs.com", "ims.aliyuncs.com"]


def _alibaba_signed(path: str) -> bool:
    query = dict(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    signature = query.pop("Signature", "")
    canonical = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items()))
    digest = hmac.new(
        f"{ALI_SECRET}&".encode(), ("GET&%2F&" + quote(canonical, safe="-_.~")).encode(), hashlib.sha1
    ).digest()
    return query.get("AccessKeyId") == ALI_ID and signature == base64.b64encode(digest).decode()


def answer(
    method: str, host: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, object, dict[str, str]]:
    if host == "api.github.com" and path == "/user":
        if headers.get("Authorization") == f"Bearer {TOKEN}":
            return 200, {"login": "octo-dev", "id": 9}, {"X-OAuth-Scopes": "repo"}
        return 401, {"message": "Bad credentials"}, {}
    if host == "api.github.com" and path == "/credentials/revoke":
        return (202, None, {}) if json.loads(body) == {"credentials": [TOKEN]} else (422, {}, {})
    if host == "api.scaleway.com":
        return 401, {"message": "authentication is denied"}, {}
    if host == "sts.aliyuncs.com":
        if not _alibaba_signed(path):
            return 400, {"Code": "SignatureDoesNotMatch"}, {}
        return 200, {"AccountId": "1234567890123456", "Arn": "acs:ram::1234567890123456:user/ci"}, {}
    return 404, {}, {}


@pytest.fixture
def network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Network]:
    with providers(HOSTS, answer, tmp_path) as net:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTPS_PROXY", net.proxy_url)
        monkeypatch.setenv("SSL_CERT_FILE", str(net.ca_file))
        yield net


def test_scan_verify_through_a_proxy_with_a_private_ca(
    network: Network, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "ci.sh").write_text(f"export GITHUB_TOKEN={TOKEN}\n")
    (tree / ".env").write_text(f"SCW_ACCESS_KEY={SCW_ACCESS}\nSCW_SECRET_KEY={SCW_SECRET}\n")
    (tree / "app.py").write_text(f'AccessKeyId = "{ALI_ID}"\nAccessKeySecret = "{ALI_SECRET}"\n')
    assert main(["scan", "path", str(tree), "--verify", "--format", "json", "--quiet"]) == 1
    report = json.loads(capsys.readouterr().out)
    verdicts = {f["rule_id"]: f["verdict"] for f in report["findings"]}
    assert verdicts["github.personal_access_token"]["status"] == "live"
    assert verdicts["github.personal_access_token"]["identity"]["login"] == "octo-dev"
    assert verdicts["scaleway.api_key"]["status"] == "dead"
    assert verdicts["alibaba.access_key"]["status"] == "live"  # signed as Alibaba documents
    assert verdicts["alibaba.access_key"]["identity"]["arn"] == "acs:ram::1234567890123456:user/ci"
    connected = {t.split(b" ")[1].decode() for t in network.log.tunnels}
    assert connected == {"api.github.com:443", "api.scaleway.com:443", "sts.aliyuncs.com:443"}
    for tunnel in network.log.tunnels:  # the proxy sees host names, never a credential
        for secret in (TOKEN, SCW_SECRET, ALI_SECRET):
            assert secret.encode() not in tunnel


def test_revoke_through_the_proxy(network: Network, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["revoke", "github.personal_access_token", TOKEN, "--yes"]) == 0
    assert "REVOKED" in capsys.readouterr().out
    assert [r[1:] for r in network.log.requests] == [("POST", "api.github.com", "/credentials/revoke")]


def test_without_the_ca_the_provider_is_not_trusted(
    network: Network, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE")
    assert main(["verify", "github.personal_access_token", TOKEN, "--no-cache", "--format", "json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["status"] == "error"
    assert network.log.requests == []  # TLS failed before any request reached the provider
