"""Providers on loopback, reached the way a corporate network reaches the real ones: through an
HTTP CONNECT proxy, over TLS whose certificates a private CA signed.

`Providers` is one HTTPS server holding a certificate for every provider host it plays; the
proxy resolves those host names to it (and refuses every other name, so nothing leaves the
machine). A client that trusts the CA (`SSL_CERT_FILE`) and uses the proxy (`HTTPS_PROXY`)
runs its real request building, TLS and parsing end to end. Used by the tests and by
benchmarks/verify_bench.py.
"""

from __future__ import annotations

import http.server
import json
import select
import socket
import socketserver
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import trustme

# (method, host, path, headers, body) -> (status, JSON body, extra headers)
Answer = Callable[[str, str, str, dict[str, str], bytes], tuple[int, object, dict[str, str]]]


@dataclass
class Log:
    """What the providers and the proxy saw, for assertions."""

    requests: list[tuple[float, str, str, str]] = field(default_factory=list)  # (time, method, host, path)
    tunnels: list[bytes] = field(default_factory=list)  # every CONNECT request, as received
    lock: threading.Lock = field(default_factory=threading.Lock)


def _provider_handler(answer: Answer, log: Log) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host = (self.headers.get("Host") or "").split(":")[0]
            with log.lock:
                log.requests.append((time.monotonic(), self.command, host, self.path))
            status, document, extra = answer(self.command, host, self.path, dict(self.headers.items()), body)
            payload = b"" if document is None else json.dumps(document).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_HEAD = do_PUT = do_PATCH = _serve

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


def _proxy_handler(hosts: frozenset[str], port: int, log: Log) -> type[socketserver.BaseRequestHandler]:
    class Tunnel(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            client: socket.socket = self.request
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            with log.lock:
                log.tunnels.append(head)
            method, target, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            host = target.rsplit(":", 1)[0]
            if method != "CONNECT" or host not in hosts:
                client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                return
            upstream = socket.create_connection(("127.0.0.1", port))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            try:
                pipes = [client, upstream]
                while True:
                    ready, _, _ = select.select(pipes, [], [], 10)
                    if not ready:
                        return
                    for sock in ready:
                        data = sock.recv(65536)
                        if not data:
                            return
                        (upstream if sock is client else client).sendall(data)
            except OSError:
                return  # either side hung up mid-stream (a refused handshake does)
            finally:
                upstream.close()

    return Tunnel


class _ThreadingTCP(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@dataclass
class Network:
    proxy_url: str
    ca_file: Path
    log: Log


@contextmanager
def providers(hosts: list[str], answer: Answer, directory: Path) -> Iterator[Network]:
    """Serve `hosts` on loopback behind a CONNECT proxy; yield its URL and the CA to trust."""
    ca = trustme.CA()
    cert = ca.issue_cert(*hosts)
    log = Log()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _provider_handler(answer, log))
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    proxy = _ThreadingTCP(("127.0.0.1", 0), _proxy_handler(frozenset(hosts), httpd.server_address[1], log))
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (httpd, proxy)]
    for thread in threads:
        thread.start()
    ca_file = directory / "loopback-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    try:
        yield Network(f"http://127.0.0.1:{proxy.server_address[1]}", ca_file, log)
    finally:
        for server in (proxy, httpd):
            server.shutdown()
            server.server_close()
