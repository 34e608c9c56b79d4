"""Reading the provider's answer: live, dead or unknown, and who the credential belongs to."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from leakwarden.model import Verdict, VerdictStatus
from leakwarden.net import Response
from leakwarden.rules.verify_schema import Condition, VerifySpec

_MISSING = object()


def lookup(document: Any, path: str) -> Any:
    """The value at a dotted path (`user.id`, `keys.0.name`), or _MISSING."""
    node = document
    for part in path.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def _holds(condition: Condition, response: Response, document: Any) -> bool:
    if condition.status and response.status not in condition.status:
        return False
    for path, expected in condition.json:
        if lookup(document, path) != expected:
            return False
    text = response.text() if condition.words else ""
    return all(word in text for word in condition.words)


def _document(response: Response) -> Any:
    try:
        return json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        return None


def _identity(spec: VerifySpec, document: Any, headers: Mapping[str, str]) -> dict[str, str]:
    """The extracted fields: dotted JSON paths, or `header:NAME` for a response header."""
    found: dict[str, str] = {}
    for label, path in spec.extract:
        if path.startswith("header:"):
            value: Any = headers.get(path.removeprefix("header:").lower(), _MISSING)
        else:
            value = lookup(document, path)
        if value is _MISSING or value is None or value == "":
            continue
        found[label] = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return found


def outcome(spec: VerifySpec, response: Response) -> str | None:
    """Which of the block's outcomes the answer is: `dead` conditions first (a 200 that says
    `"ok": false` is a refusal), then `forbidden`, then `live`; None when none describes it."""
    document = _document(response)
    for name, conditions in (("dead", spec.dead), ("forbidden", spec.forbidden), ("live", spec.live)):
        if any(_holds(c, response, document) for c in conditions):
            return name
    return None


def undescribed(response: Response, host: str) -> str:
    """Why an answer no condition describes says nothing, in one line."""
    if 300 <= response.status < 400:
        return f"{host} redirected (HTTP {response.status}); not followed"
    if response.status == 429:
        return f"{host} is rate limiting (HTTP 429); try again later"
    if response.status >= 500:
        return f"{host} failed (HTTP {response.status})"
    return f"unexpected answer from {host} (HTTP {response.status})"


def judge(spec: VerifySpec, response: Response, host: str, checked_at: str) -> Verdict:
    """Live, dead or unknown (with its status), and what the answer says of the credential."""

    def verdict(status: str, reason: str, identity: Mapping[str, str] | None = None) -> Verdict:
        return Verdict(status, reason, checked_at, host, response.status, dict(identity or {}))

    found = outcome(spec, response)
    if found == "dead":
        return verdict(VerdictStatus.DEAD, f"{host} refused it (HTTP {response.status})")
    if found is None:
        return verdict(VerdictStatus.UNKNOWN, undescribed(response, host))
    identity = _identity(spec, _document(response), response.headers)
    if found == "forbidden":
        return verdict(
            VerdictStatus.LIVE,
            f"{host} accepted it but refused this read (HTTP {response.status}): valid, with narrower rights",
            identity,
        )
    return verdict(VerdictStatus.LIVE, f"{host} accepted it (HTTP {response.status})", identity)
