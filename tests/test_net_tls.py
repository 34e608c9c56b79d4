"""`net` against a real HTTPS server on loopback: verification is on, a private CA is trusted only
when given (`SSL_CERT_FILE` or the test's extra CA), and retries meet a real socket."""

from __future__ import annotations

import http.server
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from leakwarden.net import Net, NetError, NetSettings, Request


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"login": "octo"}'
        self.send_response(200 if self.headers.get("Authorization") == "Bearer t0ken" else 401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    ca = trustme.CA()
    cert = ca.issue_cert("localhost")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    try:
        yield f"https://localhost:{httpd.server_address[1]}/user", ca_file
    finally:
        httpd.shutdown()
        httpd.server_close()


def _get(net: Net, url: str) -> int:
    with net:
        return net.send(Request("GET", url, (("Authorization", "Bearer t0ken"),))).status


def test_a_certificate_from_an_unknown_ca_is_refused(server: tuple[str, Path]) -> None:
    url, _ = server
    with pytest.raises(NetError, match="could not reach localhost"):
        _get(Net(NetSettings(retries=0, timeout_s=5)), url)


def test_the_private_ca_is_trusted_when_given(
    server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca_file = server
    assert _get(Net(NetSettings(retries=0, timeout_s=5, extra_ca_file=str(ca_file))), url) == 200
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    assert _get(Net(NetSettings(retries=0, timeout_s=5)), url) == 200
