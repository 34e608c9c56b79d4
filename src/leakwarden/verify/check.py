"""Planning a check (pure: render, sign, confine to the rule's hosts) and running it through `net`."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from leakwarden.model import Verdict, VerdictStatus
from leakwarden.net import Net, NetError, Request
from leakwarden.rules.schema import Rule
from leakwarden.rules.verify_schema import ACCESS_TOKEN, LocalCheck, VerifySpec, host_allowed
from leakwarden.verify import signing
from leakwarden.verify.judge import judge
from leakwarden.verify.template import MissingValue, render


@dataclass(frozen=True, slots=True)
class CheckPlan:
    """The request a check would send, and the values that are secret (for redaction)."""

    rule_id: str
    spec: VerifySpec
    request: Request
    secrets: tuple[str, ...]


def values_for(
    rule: Rule,
    secret: str,
    parts: Mapping[str, str] | None = None,
    captures: Mapping[str, str] | None = None,
    context: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The template values of one finding: `secret`, a pair's halves by role, the captures, and
    what the user gave with `--context` (which never overrides what was found)."""
    values = dict(context or {})
    values.update(captures or {})
    values.update(parts or {})
    values["secret"] = secret
    return values


def secret_names(rule: Rule) -> frozenset[str]:
    """The template names that carry a credential (never allowed into a host name)."""
    names = {"secret", ACCESS_TOKEN}  # an OAuth identity step's token is as secret as the secret
    if rule.pair is not None:
        names |= {rule.pair.anchor_role, rule.pair.partner_role}
    return frozenset(names)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def plan_check(
    rule: Rule,
    values: Mapping[str, str],
    *,
    now: Callable[[], dt.datetime] = _now,
    nonce: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> CheckPlan | Verdict:
    """The request, or the reason there is none (no check, a missing value, a host the rule
    does not declare)."""
    stamp = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    if rule.verify is None:
        return Verdict(VerdictStatus.NOT_CHECKABLE, f"{rule.id} has no live check", stamp)
    if isinstance(rule.verify, LocalCheck):
        return local_verdict(rule.verify, values, stamp)
    return plan_request(rule, rule.verify, values, now=now, nonce=nonce)


def local_verdict(spec: LocalCheck, values: Mapping[str, str], stamp: str) -> Verdict:
    """The verdict of a kind that sends nothing, from the secret alone."""
    from leakwarden.verify.keys import private_key_verdict  # cryptography: loaded only for keys

    assert spec.kind == "private_key"  # the schema admits no other local kind
    return private_key_verdict(values.get("secret", ""), stamp)


def plan_request(
    rule: Rule,
    spec: VerifySpec,
    values: Mapping[str, str],
    *,
    now: Callable[[], dt.datetime] = _now,
    nonce: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> CheckPlan | Verdict:
    """The request of one of `rule`'s blocks (its check or its revocation), rendered, signed
    and confined to the block's hosts; or a NOT_CHECKABLE verdict saying why there is none."""
    stamp = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    missing = [name for name in spec.needs if not values.get(name)]
    if missing:
        return Verdict(
            VerdictStatus.NOT_CHECKABLE,
            f"needs {', '.join(missing)} (give it with --context NAME=VALUE)",
            stamp,
        )
    try:
        url = render(spec.request.url, values)
        headers = [(name, render(value, values)) for name, value in spec.request.headers]
        body = render(spec.request.body, values).encode()
        if spec.request.basic is not None:
            user, password = (render(part, values) for part in spec.request.basic)
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers.append(("Authorization", f"Basic {token}"))
        if spec.sign is not None:
            url, headers = _sign(
                spec, url=url, headers=headers, body=body, values=values, stamp=stamp, nonce=nonce
            )
    except MissingValue as exc:
        return Verdict(
            VerdictStatus.NOT_CHECKABLE, f"needs {exc.name} (give it with --context {exc.name}=VALUE)", stamp
        )
    except signing.SignerUnavailable as exc:
        return Verdict(VerdictStatus.NOT_CHECKABLE, str(exc), stamp)
    parsed = urlsplit(url)
    host = (parsed.hostname or "").lower()
    if parsed.scheme != "https" or parsed.username or parsed.password or parsed.port not in (None, 443):
        return Verdict(
            VerdictStatus.NOT_CHECKABLE, "refused: the check's URL is not plain https on port 443", stamp
        )
    if not host_allowed(host, spec.hosts):
        return Verdict(
            VerdictStatus.NOT_CHECKABLE,
            f"refused: {host or 'the URL'} is not a host {rule.id} declares",
            stamp,
        )
    secrets = tuple(
        sorted({v for k, v in values.items() if k in secret_names(rule) and v}, key=len, reverse=True)
    )
    return CheckPlan(rule.id, spec, Request(spec.request.method, url, tuple(headers), body), secrets)


_AUTH_HEADERS = frozenset({"authorization", "proxy-authorization"})


def _redact_authorization(value: str) -> str:
    """`Basic <base64(user:secret)>` carries the secret in an encoding anyone can reverse: show
    the scheme only (a Bearer token is redacted by the secret values below in any case)."""
    scheme, _, rest = value.partition(" ")
    return f"{scheme} ************" if rest else "************"


def describe(plan: CheckPlan) -> str:
    """The request as a person reads it (`--dry-run`), every secret value redacted."""
    request = plan.request
    lines = [f"{request.method} {request.url}"] + [
        f"{k}: {_redact_authorization(v) if k.lower() in _AUTH_HEADERS else v}" for k, v in request.headers
    ]
    if request.body:
        lines += ["", request.body.decode("utf-8", "replace")]
    oauth = plan.spec.oauth
    if oauth is not None and oauth.identity is not None:  # the second step's URL needs no token
        lines += ["", f"then, with the issued token: GET {oauth.identity.url}"]
    text = "\n".join(lines)
    for secret in plan.secrets:
        text = text.replace(secret, secret[:4] + "*" * 12 if len(secret) > 8 else "*" * 12)
    return text


def _sign(
    spec: VerifySpec,
    *,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes,
    values: Mapping[str, str],
    stamp: str,
    nonce: Callable[[], str],
) -> tuple[str, list[tuple[str, str]]]:
    assert spec.sign is not None
    key_id, secret = render(spec.sign.key_id, values), render(spec.sign.secret, values)
    params = {name: render(value, values) for name, value in spec.sign.params}
    if spec.sign.method == "alibaba_rpc_v1":
        params |= {
            "AccessKeyId": key_id,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": nonce(),
            "Timestamp": stamp,
        }
        base = url.split("?", 1)[0]
        return f"{base}?{signing.alibaba_query(spec.request.method, params, secret)}", headers
    signed = signing.aws_sigv4(
        spec.request.method,
        url,
        dict(headers),
        body,
        key_id=key_id,
        secret=secret,
        service=spec.sign.service,
        region=spec.sign.region,
        session_token=values.get("session_token"),
    )
    return url, list(signed.items())


def check(
    rule: Rule,
    values: Mapping[str, str],
    net: Net,
    *,
    now: Callable[[], dt.datetime] = _now,
    nonce: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> Verdict:
    """Ask the provider. Never raises for what the network or the provider does."""
    if isinstance(rule.verify, VerifySpec) and rule.verify.kind == "oauth_client_credentials":
        from leakwarden.verify.oauth import client_credentials  # it plans through this module

        return client_credentials(rule, rule.verify, values, net, now=now)
    planned = plan_check(rule, values, now=now, nonce=nonce)
    if isinstance(planned, Verdict):
        return planned
    stamp = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        response = net.send(planned.request)
    except NetError as exc:
        return Verdict(VerdictStatus.ERROR, str(exc), stamp, planned.request.host)
    return judge(planned.spec, response, planned.request.host, stamp)
