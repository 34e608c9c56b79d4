"""Revoking a credential through the API of the provider that issued it.

The request is a rule's `revoke` block, planned and confined exactly as a check is (same
templates, same declared hosts, same signing). Nothing here asks for confirmation: the command
that calls it shows the plan and confirms first; this module only plans, sends and reads the
answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from leakwarden.model import Verdict
from leakwarden.net import Net, NetError
from leakwarden.rules.schema import Rule
from leakwarden.verify.check import CheckPlan, plan_request
from leakwarden.verify.judge import outcome, undescribed


class RevokeStatus:
    REVOKED = "revoked"  # the provider says it no longer accepts the credential
    REFUSED = "refused"  # the provider did not take the credential: already revoked, or not one
    FORBIDDEN = "forbidden"  # a valid credential that may not revoke itself: use the console
    UNKNOWN = "unknown"  # an answer that says neither (rate limited, provider error)
    ERROR = "error"  # no answer
    NOT_REVOCABLE = "not revocable"  # no revocation API for this type, or a value it needs is missing


@dataclass(frozen=True, slots=True)
class Revocation:
    status: str
    reason: str
    at: str = ""
    host: str = ""
    http_status: int = 0


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def plan_revoke(
    rule: Rule, values: Mapping[str, str], *, now: Callable[[], dt.datetime] = _now
) -> CheckPlan | Revocation:
    """The request `revoke` would send, or why there is none."""
    stamp = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    if rule.revoke is None:
        where = f": revoke it at {rule.playbook.revoke_url}" if rule.playbook.revoke_url else ""
        return Revocation(RevokeStatus.NOT_REVOCABLE, f"{rule.id} has no revocation API{where}", stamp)
    planned = plan_request(rule, rule.revoke.request, values, now=now)
    if isinstance(planned, Verdict):
        return Revocation(RevokeStatus.NOT_REVOCABLE, planned.reason, stamp)
    return planned


def revoke(
    rule: Rule, values: Mapping[str, str], net: Net, *, now: Callable[[], dt.datetime] = _now
) -> Revocation:
    """Send the revocation and read the answer. Never raises for what the network or the
    provider does."""
    planned = plan_revoke(rule, values, now=now)
    if isinstance(planned, Revocation):
        return planned
    stamp = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    host = planned.request.host
    try:
        response = net.send(planned.request)
    except NetError as exc:
        return Revocation(RevokeStatus.ERROR, str(exc), stamp, host)
    found = outcome(planned.spec, response)
    status = response.status
    if found == "live":
        return Revocation(RevokeStatus.REVOKED, f"{host} revoked it (HTTP {status})", stamp, host, status)
    if found == "dead":
        reason = f"{host} did not take the credential (HTTP {status}): already revoked, or not a live one"
        return Revocation(RevokeStatus.REFUSED, reason, stamp, host, status)
    if found == "forbidden":
        reason = f"{host} accepted it but would not let it revoke itself (HTTP {status}): use the console"
        return Revocation(RevokeStatus.FORBIDDEN, reason, stamp, host, status)
    return Revocation(RevokeStatus.UNKNOWN, undescribed(response, host), stamp, host, status)
