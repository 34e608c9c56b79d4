"""`kind: oauth_client_credentials`: ask for a token, then (optionally) ask who it belongs to.

The token request is an ordinary planned request (the schema writes it from the `oauth:` block),
so it is rendered, confined to the rule's hosts and shown redacted by `--dry-run` like any
other. What one request cannot say is the second step: the issued token, read from the answer,
is sent once as `Authorization: Bearer` to the rule's `identity:` URL, which must also be one
of the rule's hosts. The token never leaves this function: it is not in the verdict, and it is
redacted from anything describing the second request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable, Mapping

from leakwarden.model import Verdict, VerdictStatus
from leakwarden.net import Net, NetError
from leakwarden.rules.schema import Rule
from leakwarden.rules.verify_schema import ACCESS_TOKEN, Condition, HttpRequest, VerifySpec
from leakwarden.verify.check import CheckPlan, plan_request
from leakwarden.verify.judge import judge


def identity_spec(spec: VerifySpec) -> VerifySpec | None:
    """The second step as a request block of its own: GET with the token, 200 is an answer."""
    if spec.oauth is None or spec.oauth.identity is None:
        return None
    step = spec.oauth.identity
    headers = (*step.headers, ("Authorization", "Bearer {{ " + ACCESS_TOKEN + " }}"))
    return dataclasses.replace(
        spec,
        kind="http",
        oauth=None,
        request=HttpRequest("GET", step.url, headers),
        live=(Condition(status=(200,)),),
        dead=(Condition(status=(401,)),),
        forbidden=(Condition(status=(403,)),),
        extract=spec.oauth.identity_extract,
    )


def _token(body: bytes) -> str:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return ""
    token = document.get(ACCESS_TOKEN) if isinstance(document, dict) else None
    return token if isinstance(token, str) else ""


def client_credentials(
    rule: Rule,
    spec: VerifySpec,
    values: Mapping[str, str],
    net: Net,
    *,
    now: Callable[[], dt.datetime],
) -> Verdict:
    """Live when the token endpoint issues a token; the identity step adds whose it is (its
    failure is said in the reason, it does not make a live credential less live)."""

    def stamp() -> str:
        return now().strftime("%Y-%m-%dT%H:%M:%SZ")

    planned = plan_request(rule, spec, values, now=now)
    if not isinstance(planned, CheckPlan):
        return planned
    host = planned.request.host
    try:
        response = net.send(planned.request)
    except NetError as exc:
        return Verdict(VerdictStatus.ERROR, str(exc), stamp(), host)
    verdict = judge(spec, response, host, stamp())
    token = _token(response.body)
    if verdict.status != VerdictStatus.LIVE:
        return verdict
    if not token:
        return dataclasses.replace(verdict, reason=f"{verdict.reason}, but its answer holds no access token")
    verdict = dataclasses.replace(verdict, reason=f"{host} issued a token (HTTP {response.status})")
    second = identity_spec(spec)
    if second is None:
        return verdict
    step = plan_request(rule, second, {**values, ACCESS_TOKEN: token}, now=now)
    if not isinstance(step, CheckPlan):
        return dataclasses.replace(verdict, reason=f"{verdict.reason}; identity not asked: {step.reason}")
    try:
        answer = net.send(step.request)
    except NetError as exc:
        return dataclasses.replace(verdict, reason=f"{verdict.reason}; identity not read: {exc}")
    who = judge(second, answer, step.request.host, stamp())
    if who.status != VerdictStatus.LIVE:
        return dataclasses.replace(verdict, reason=f"{verdict.reason}; identity not read: {who.reason}")
    return dataclasses.replace(
        verdict,
        reason=f"{verdict.reason}; {step.request.host} said whose it is",
        identity={**verdict.identity, **who.identity},
    )
