"""Request signatures a template cannot express, each one named function.

- `alibaba_rpc_v1`: Alibaba Cloud's RPC signature version 1.0 (HMAC-SHA1 over the sorted,
  percent-encoded query; the key is the AccessKey secret followed by `&`), checked against the
  worked example of Alibaba's signature documentation.
- `aws_sigv4`: AWS Signature Version 4 through botocore's own signer (`pip install
  'leakwarden[aws]'`), never a hand-written one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote


class SignerUnavailable(Exception):
    """The library a signer needs is not installed; the message says what to install."""


def alibaba_encode(text: str) -> str:
    """Alibaba's percent-encoding: RFC 3986 unreserved characters stay, everything else is %XX."""
    return quote(text, safe="-_.~")


def alibaba_rpc_v1(method: str, params: Mapping[str, str], secret: str) -> str:
    """The `Signature` of an RPC request whose parameters (without `Signature`) are `params`."""
    canonical = "&".join(f"{alibaba_encode(k)}={alibaba_encode(v)}" for k, v in sorted(params.items()))
    string_to_sign = f"{method.upper()}&{alibaba_encode('/')}&{alibaba_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def alibaba_query(method: str, params: Mapping[str, str], secret: str) -> str:
    signed = {**params, "Signature": alibaba_rpc_v1(method, params, secret)}
    return "&".join(f"{alibaba_encode(k)}={alibaba_encode(v)}" for k, v in sorted(signed.items()))


def aws_sigv4(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    key_id: str,
    secret: str,
    service: str,
    region: str,
    session_token: str | None = None,
) -> dict[str, str]:
    """The headers of the request signed by botocore (Authorization, X-Amz-Date, …)."""
    try:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
    except ImportError:
        raise SignerUnavailable("AWS checks need botocore: pip install 'leakwarden[aws]'") from None
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials(key_id, secret, session_token), service, region).add_auth(request)
    return {k: str(v) for k, v in request.headers.items()}
