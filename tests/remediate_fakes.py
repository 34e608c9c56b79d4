"""A local HTTP server standing in for HashiCorp Vault (KV v2), CyberArk Conjur and AWS Secrets
Manager, so that the guides' code snippets run for real without a network.

Only what the snippets use is implemented, as each service documents it:
- Vault: `GET /v1/<mount>/data/<path>` with `X-Vault-Token`; answers `{"data": {"data": {...},
  "metadata": {...}}}`, 403 for a wrong token, 404 for an unknown path.
- Conjur: `POST /authn/<account>/<login>/authenticate` with the API key as the body (the login
  URL-encoded, e.g. host%2Fmyapp) returns an access token, base64-encoded when asked with
  `Accept-Encoding: base64`; `GET /secrets/<account>/variable/<id>` with
  `Authorization: Token token="<base64 token>"` returns the raw value.
- Secrets Manager: `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue`, a JSON body
  naming `SecretId` and a SigV4 `Authorization` header; answers with `SecretString`.

Binds 127.0.0.1 only, on a free port, and stops when the context exits.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import urllib.parse
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VAULT_TOKEN = "hvs.test-token-for-leakwarden"
CONJUR_ACCOUNT = "myorg"
CONJUR_LOGIN = "host/myapp"
CONJUR_API_KEY = "3x0wa9r1tq8hpb2k7m5n6z4c"


@dataclass
class Store:
    """What the fake services hold: KV secrets by path (also Secrets Manager secrets by name)
    and Conjur variables by id."""

    kv: dict[str, dict[str, str]] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, document: Any, content_type: str = "application/json") -> None:
        self._send(status, json.dumps(document).encode(), content_type)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))

    def do_GET(self) -> None:
        store = self.server.store
        path = urllib.parse.urlsplit(self.path).path
        store.requests.append(f"GET {path}")
        if path.startswith("/v1/secret/data/"):
            if self.headers.get("X-Vault-Token") != VAULT_TOKEN:
                self._json(403, {"errors": ["permission denied"]})
                return
            data = store.kv.get(urllib.parse.unquote(path.removeprefix("/v1/secret/data/")))
            if data is None:
                self._json(404, {"errors": []})
                return
            metadata = {"created_time": "2025-01-01T00:00:00Z", "custom_metadata": None,
                        "deletion_time": "", "destroyed": False, "version": 1}  # fmt: skip
            self._json(200, {"request_id": "1", "lease_id": "", "renewable": False, "lease_duration": 0,
                             "data": {"data": data, "metadata": metadata}, "wrap_info": None,
                             "warnings": None, "auth": None})  # fmt: skip
            return
        prefix = f"/secrets/{CONJUR_ACCOUNT}/variable/"
        if path.startswith(prefix):
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix('Token token="').removesuffix('"')
            if not auth.startswith('Token token="') or token not in store.tokens:
                self._send(401, b"", "text/plain")
                return
            value = store.variables.get(urllib.parse.unquote(path.removeprefix(prefix)))
            if value is None:
                self._send(404, b"", "text/plain")
                return
            self._send(200, value.encode(), "text/plain")
            return
        self._json(404, {"errors": ["no such route"]})

    def do_POST(self) -> None:
        store = self.server.store
        path = urllib.parse.urlsplit(self.path).path
        body = self._body()
        store.requests.append(f"POST {path}")
        login = urllib.parse.quote(CONJUR_LOGIN, safe="")
        if path == f"/authn/{CONJUR_ACCOUNT}/{login}/authenticate":
            if body.decode() != CONJUR_API_KEY:
                self._send(401, b"", "text/plain")
                return
            token = json.dumps({"protected": "e30", "payload": secrets.token_hex(8), "signature": "c2ln"})
            encoded = base64.b64encode(token.encode()).decode()
            store.tokens.add(encoded)
            if self.headers.get("Accept-Encoding") == "base64":
                self._send(200, encoded.encode(), "text/plain")
            else:
                self._send(200, token.encode())
            return
        if path == "/" and self.headers.get("X-Amz-Target") == "secretsmanager.GetSecretValue":
            if not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                self._json(
                    400, {"__type": "MissingAuthenticationTokenException"}, "application/x-amz-json-1.1"
                )
                return
            name = json.loads(body)["SecretId"]
            data = store.kv.get(name)
            if data is None:
                self._json(400, {"__type": "ResourceNotFoundException", "message": "not found"},
                           "application/x-amz-json-1.1")  # fmt: skip
                return
            self._json(200, {"ARN": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf",
                             "Name": name, "VersionId": "v1", "SecretString": json.dumps(data),
                             "VersionStages": ["AWSCURRENT"], "CreatedDate": 1735689600.0},
                       "application/x-amz-json-1.1")  # fmt: skip
            return
        self._json(404, {"errors": ["no such route"]})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, store: Store) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.store = store


@contextmanager
def fake_services(store: Store) -> Iterator[str]:
    """Serve `store` on 127.0.0.1; yields the base URL."""
    server = _Server(store)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def client_env(url: str, platform: str, values: Mapping[str, str]) -> dict[str, str]:
    """The environment a snippet of `platform` reads: the values themselves for `env`, else
    the address and credentials of the fake service."""
    if platform == "env":
        return dict(values)
    if platform == "vault":
        return {"VAULT_ADDR": url, "VAULT_TOKEN": VAULT_TOKEN}
    if platform == "conjur":
        return {
            "CONJUR_APPLIANCE_URL": url,
            "CONJUR_ACCOUNT": CONJUR_ACCOUNT,
            "CONJUR_AUTHN_LOGIN": CONJUR_LOGIN,
            "CONJUR_AUTHN_API_KEY": CONJUR_API_KEY,
        }
    return {
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": url,
        "AWS_ACCESS_KEY_ID": "AKIAFAKEFORTESTS0000",
        "AWS_SECRET_ACCESS_KEY": "fake-secret-for-tests",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
