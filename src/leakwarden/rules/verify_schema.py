"""A rule's `verify` block: the live check, as data.

```yaml
verify:
  hosts: [api.scaleway.com]           # the only hosts the credential may be sent to
  needs: [access_key]                 # values without which the check cannot run
  request:
    method: GET
    url: 'https://api.scaleway.com/iam/v1alpha1/api-keys/{{ access_key }}'
    headers: {X-Auth-Token: '{{ secret_key }}'}
    basic: ['{{ secret }}', '']       # HTTP Basic user and password (optional)
    body: ''                          # optional
  sign:                               # optional: what a template cannot say (a signature)
    method: alibaba_rpc_v1            # or aws_sigv4
    key_id: '{{ access_key_id }}'
    secret: '{{ access_key_secret }}'
    params: {Action: GetCallerIdentity, Version: '2015-04-01', Format: JSON}
  live: [{status: 200}]               # any condition that holds decides
  forbidden: [{status: 403}]          # valid, but not allowed this read: live all the same
  dead: [{status: [401, 404]}]
  extract: {user: user_id, project: default_project_id}   # dotted paths into a JSON answer
```

What one request cannot say gets a typed `kind:`, each kind data plus one named function:

- `kind: oauth_client_credentials`: an `oauth:` block (token URL on a declared host, `auth: basic`
  or `body`, optional scope) becomes the token request; live means a token was issued; an
  optional `identity:` GET is then sent with the token to read whose it is.
- `kind: private_key`: nothing is sent; the verdict says the key cannot be checked remotely and
  carries its public key fingerprint (`LocalCheck`).

Templates are `{{ name }}` or `{{ name | url }}` (percent-encoded) and nothing else: no code,
no file or environment access. Parsing checks shape; `lint` checks that every name is known,
that the URL is https on a declared host and that no credential can reach the host part.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from leakwarden.errors import RuleError

TEMPLATE_RE = re.compile(r"\{\{\s*(?P<name>[a-z][a-z0-9_]*)\s*(?:\|\s*(?P<filter>[a-z]+)\s*)?\}\}")
FILTERS = frozenset({"url"})
METHODS = frozenset({"GET", "POST", "HEAD"})  # a check reads; it never changes anything
REVOKE_METHODS = METHODS | {"DELETE", "PATCH", "PUT"}
SIGNERS = frozenset({"alibaba_rpc_v1", "aws_sigv4"})
KINDS = frozenset({"http", "oauth_client_credentials"})  # sent through `net`
LOCAL_KINDS = frozenset({"private_key"})  # judged here; nothing is sent
OAUTH_AUTH = frozenset({"basic", "body"})
ACCESS_TOKEN = "access_token"  # the name an `identity:` step reads the issued token by
HOST_RE = re.compile(r"^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
OUTCOMES = ("live", "forbidden", "dead")


@dataclass(frozen=True, slots=True)
class Condition:
    """All of it must hold: a status among `status`, every JSON path equal to its value, every
    word in the body."""

    status: tuple[int, ...] = ()
    json: tuple[tuple[str, Any], ...] = ()
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HttpRequest:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    basic: tuple[str, str] | None = None
    body: str = ""


@dataclass(frozen=True, slots=True)
class Signer:
    method: str
    key_id: str
    secret: str
    params: tuple[tuple[str, str], ...] = ()
    service: str = ""
    region: str = ""


@dataclass(frozen=True, slots=True)
class OAuthClientCredentials:
    """The token request of `kind: oauth_client_credentials` (RFC 6749 section 4.4), and the
    optional GET sent with the issued token to learn whose credential it is."""

    token_url: str
    auth: str = "basic"  # client id and secret as HTTP Basic, or as form fields in the body
    scope: str = ""
    identity: HttpRequest | None = None  # GET; `Authorization: Bearer <token>` is added
    identity_extract: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LocalCheck:
    """A check that sends nothing (`kind: private_key`): what can be said from the secret alone."""

    kind: str
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VerifySpec:
    hosts: tuple[str, ...]
    request: HttpRequest
    live: tuple[Condition, ...]
    dead: tuple[Condition, ...]
    forbidden: tuple[Condition, ...] = ()
    needs: tuple[str, ...] = ()
    sign: Signer | None = None
    extract: tuple[tuple[str, str], ...] = ()
    references: tuple[str, ...] = field(default=())
    kind: str = "http"
    oauth: OAuthClientCredentials | None = None

    def templates(self) -> list[tuple[str, str]]:
        """(where, template) of every templated string, for the linter."""
        found = [("request.url", self.request.url), ("request.body", self.request.body)]
        found += [(f"request.headers.{k}", v) for k, v in self.request.headers]
        if self.request.basic:
            found += [
                ("request.basic[0]", self.request.basic[0]),
                ("request.basic[1]", self.request.basic[1]),
            ]
        if self.sign:
            found += [("sign.key_id", self.sign.key_id), ("sign.secret", self.sign.secret)]
            found += [(f"sign.params.{k}", v) for k, v in self.sign.params]
        if self.oauth is not None and self.oauth.identity is not None:
            found += [("identity.url", self.oauth.identity.url)]
            found += [(f"identity.headers.{k}", v) for k, v in self.oauth.identity.headers]
        return found


@dataclass(frozen=True, slots=True)
class RevokeSpec:
    """A rule's `revoke` block: the request that kills the credential, in the check's language.

    `done` says what a revoked answer looks like, `refused` an answer that did not take the
    credential (already revoked, or not a credential), `forbidden` a valid credential not allowed
    to revoke itself. `effect` is what the user reads before confirming."""

    request: VerifySpec  # live = done, dead = refused, forbidden = forbidden
    effect: str
    reversible: bool = False


def template_names(template: str) -> list[tuple[str, str | None]]:
    return [(m.group("name"), m.group("filter")) for m in TEMPLATE_RE.finditer(template)]


def _fail(source: str, rule_id: str, key: str, reason: str) -> RuleError:
    return RuleError(source, rule_id, f"verify.{key}", reason)


def _mapping(raw: Any, source: str, rule_id: str, key: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _fail(source, rule_id, key, "must be a mapping")
    unknown = sorted(set(map(str, raw)) - allowed)
    if unknown:
        raise _fail(source, rule_id, f"{key}.{unknown[0]}" if key else unknown[0], "unknown field")
    return raw


def _strings(raw: Any, source: str, rule_id: str, key: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(v, str) and v for v in raw):
        raise _fail(source, rule_id, key, "must be a list of non-empty strings")
    return tuple(raw)


def _str_map(raw: Any, source: str, rule_id: str, key: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise _fail(source, rule_id, key, "must map names to strings")
    return tuple(raw.items())


def _conditions(raw: Any, source: str, rule_id: str, key: str) -> tuple[Condition, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise _fail(source, rule_id, key, "must be a non-empty list of conditions")
    conditions = []
    for index, item in enumerate(raw):
        where = f"{key}[{index}]"
        fields = _mapping(item, source, rule_id, where, {"status", "json", "words"})
        status = fields.get("status", [])
        statuses = [status] if isinstance(status, int) else status
        if not isinstance(statuses, list) or not all(
            isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in statuses
        ):
            raise _fail(source, rule_id, f"{where}.status", "must be an HTTP status or a list of them")
        json_raw = fields.get("json") or {}
        if not isinstance(json_raw, Mapping):
            raise _fail(source, rule_id, f"{where}.json", "must map dotted paths to values")
        condition = Condition(
            tuple(statuses), tuple(json_raw.items()), _strings(fields.get("words"), source, rule_id, where)
        )
        if condition == Condition():
            raise _fail(source, rule_id, where, "a condition needs status, json or words")
        conditions.append(condition)
    return tuple(conditions)


def _request(raw: Any, source: str, rule_id: str, methods: frozenset[str] = METHODS) -> HttpRequest:
    fields = _mapping(raw, source, rule_id, "request", {"method", "url", "headers", "basic", "body"})
    method = str(fields.get("method", "GET")).upper()
    if method not in methods:
        raise _fail(source, rule_id, "request.method", f"must be one of {', '.join(sorted(methods))}")
    url = fields.get("url")
    if not isinstance(url, str) or not url:
        raise _fail(source, rule_id, "request.url", "is required")
    basic_raw = fields.get("basic")
    basic = None
    if basic_raw is not None:
        if not (
            isinstance(basic_raw, list) and len(basic_raw) == 2 and all(isinstance(v, str) for v in basic_raw)
        ):
            raise _fail(source, rule_id, "request.basic", "must be [user, password]")
        basic = (basic_raw[0], basic_raw[1])
    body = fields.get("body", "")
    if not isinstance(body, str):
        raise _fail(source, rule_id, "request.body", "must be a string")
    return HttpRequest(
        method, url, _str_map(fields.get("headers"), source, rule_id, "request.headers"), basic, body
    )


def _signer(raw: Any, source: str, rule_id: str) -> Signer | None:
    if raw is None:
        return None
    fields = _mapping(
        raw, source, rule_id, "sign", {"method", "key_id", "secret", "params", "service", "region"}
    )
    method = fields.get("method")
    if method not in SIGNERS:
        raise _fail(source, rule_id, "sign.method", f"must be one of {', '.join(sorted(SIGNERS))}")
    for key in ("key_id", "secret"):
        if not isinstance(fields.get(key), str) or not fields[key]:
            raise _fail(source, rule_id, f"sign.{key}", "is required")
    return Signer(
        str(method),
        str(fields["key_id"]),
        str(fields["secret"]),
        _str_map(fields.get("params"), source, rule_id, "sign.params"),
        str(fields.get("service", "")),
        str(fields.get("region", "")),
    )


_HTTP_FIELDS = {"hosts", "needs", "request", "sign", "live", "forbidden", "dead", "extract", "references"}


def parse_verify(raw: Any, source: str, rule_id: str) -> VerifySpec | LocalCheck | None:
    if raw is None:
        return None
    kind = raw.get("kind", "http") if isinstance(raw, Mapping) else "http"
    if kind in LOCAL_KINDS:
        fields = _mapping(raw, source, rule_id, "", {"kind", "references"})
        return LocalCheck(str(kind), _strings(fields.get("references"), source, rule_id, "references"))
    if kind not in KINDS:
        raise _fail(source, rule_id, "kind", f"must be one of {', '.join(sorted(KINDS | LOCAL_KINDS))}")
    if kind == "oauth_client_credentials":
        return _oauth_spec(raw, source, rule_id)
    fields = _mapping(raw, source, rule_id, "", _HTTP_FIELDS | {"kind"})
    return _spec(fields, source, rule_id, METHODS)


_FORM = (("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"))


def _oauth_spec(raw: Mapping[str, Any], source: str, rule_id: str) -> VerifySpec:
    """`kind: oauth_client_credentials`, written as the token request it sends: the request
    language (rendering, host confinement, `--dry-run`, the linter) then applies unchanged.
    Without `live`/`dead`, a 200 is a token and RFC 6749's `invalid_client` is a refusal."""
    fields = _mapping(
        raw, source, rule_id, "", (_HTTP_FIELDS - {"request", "sign"}) | {"kind", "oauth", "identity"}
    )
    oauth = _mapping(
        fields.get("oauth"),
        source,
        rule_id,
        "oauth",
        {"token_url", "auth", "scope", "client_id", "client_secret"},
    )
    token_url = oauth.get("token_url")
    if not isinstance(token_url, str) or not token_url:
        raise _fail(source, rule_id, "oauth.token_url", "is required")
    auth = oauth.get("auth", "basic")
    if auth not in OAUTH_AUTH:
        raise _fail(source, rule_id, "oauth.auth", "must be basic or body")
    strings = {
        k: oauth.get(k, d)
        for k, d in (
            ("scope", ""),
            ("client_id", "{{ client_id }}"),
            ("client_secret", "{{ client_secret }}"),
        )
    }
    for key, value in strings.items():
        if not isinstance(value, str) or (key != "scope" and not value):
            raise _fail(source, rule_id, f"oauth.{key}", "must be a string")
    client_id, client_secret = strings["client_id"], strings["client_secret"]
    form = "grant_type=client_credentials"
    if strings["scope"]:
        form += f"&scope={quote(strings['scope'], safe='')}"
    basic: tuple[str, str] | None = (client_id, client_secret)
    if auth == "body":
        form += f"&client_id={_url_filtered(client_id)}&client_secret={_url_filtered(client_secret)}"
        basic = None
    identity: HttpRequest | None = None
    identity_extract: tuple[tuple[str, str], ...] = ()
    if fields.get("identity") is not None:
        step = _mapping(fields["identity"], source, rule_id, "identity", {"url", "headers", "extract"})
        url = step.get("url")
        if not isinstance(url, str) or not url:
            raise _fail(source, rule_id, "identity.url", "is required")
        identity = HttpRequest("GET", url, _str_map(step.get("headers"), source, rule_id, "identity.headers"))
        identity_extract = _str_map(step.get("extract"), source, rule_id, "identity.extract")
    renamed = dict(fields)
    renamed["request"] = {"method": "POST", "url": token_url, "headers": dict(_FORM), "body": form}
    if basic is not None:
        renamed["request"]["basic"] = list(basic)
    renamed.setdefault("live", [{"status": 200}])
    renamed.setdefault("dead", [{"status": [400, 401], "json": {"error": "invalid_client"}}])
    spec = _spec(
        {k: v for k, v in renamed.items() if k not in ("kind", "oauth", "identity")}, source, rule_id, METHODS
    )
    return replace(
        spec,
        kind="oauth_client_credentials",
        oauth=OAuthClientCredentials(token_url, str(auth), strings["scope"], identity, identity_extract),
    )


def _url_filtered(template: str) -> str:
    """A form field's template, percent-encoded when rendered (a secret may hold `&` or `+`)."""
    return TEMPLATE_RE.sub(lambda m: "{{ " + m.group("name") + " | url }}", template)


def parse_revoke(raw: Any, source: str, rule_id: str) -> RevokeSpec | None:
    if raw is None:
        return None
    try:
        return _revoke(raw, source, rule_id)
    except RuleError as exc:  # the shared parser names `verify.` fields; say the revoke block's
        where = (exc.field or "verify").replace("verify", "revoke", 1)
        where = re.sub(r"^revoke\.live\b", "revoke.done", re.sub(r"^revoke\.dead\b", "revoke.refused", where))
        raise RuleError(source, rule_id, where, exc.reason) from None


def _revoke(raw: Any, source: str, rule_id: str) -> RevokeSpec:
    allowed = {"hosts", "needs", "request", "sign", "done", "forbidden", "refused", "effect", "reversible"}
    fields = _mapping(raw, source, rule_id, "", allowed | {"references"})
    effect = fields.get("effect")
    if not isinstance(effect, str) or not effect.strip():
        raise _fail(source, rule_id, "effect", "say what revoking does (it is shown before confirming)")
    reversible = fields.get("reversible", False)
    if not isinstance(reversible, bool):
        raise _fail(source, rule_id, "reversible", "must be true or false")
    renamed = {
        {"done": "live", "refused": "dead"}.get(str(k), str(k)): v
        for k, v in fields.items()
        if k not in ("effect", "reversible")
    }
    return RevokeSpec(_spec(renamed, source, rule_id, REVOKE_METHODS), " ".join(effect.split()), reversible)


def _spec(fields: Mapping[str, Any], source: str, rule_id: str, methods: frozenset[str]) -> VerifySpec:
    hosts = _strings(fields.get("hosts"), source, rule_id, "hosts")
    if not hosts:
        raise _fail(source, rule_id, "hosts", "name the hosts the credential may be sent to")
    for host in hosts:
        if not HOST_RE.match(host):
            raise _fail(source, rule_id, "hosts", f"{host!r} is not a host name (or *.domain)")
    spec = VerifySpec(
        hosts=hosts,
        request=_request(fields.get("request"), source, rule_id, methods),
        live=_conditions(fields.get("live"), source, rule_id, "live"),
        dead=_conditions(fields.get("dead"), source, rule_id, "dead"),
        forbidden=_conditions(fields.get("forbidden"), source, rule_id, "forbidden"),
        needs=_strings(fields.get("needs"), source, rule_id, "needs"),
        sign=_signer(fields.get("sign"), source, rule_id),
        extract=_str_map(fields.get("extract"), source, rule_id, "extract"),
        references=_strings(fields.get("references"), source, rule_id, "references"),
    )
    if not spec.live or not spec.dead:
        raise _fail(
            source,
            rule_id,
            "live" if not spec.live else "dead",
            "is required: say what a live and a dead answer look like",  # (revoke: done, refused)
        )
    for where, template in spec.templates():
        for _name, filter_name in template_names(template):
            if filter_name is not None and filter_name not in FILTERS:
                raise _fail(source, rule_id, where, f"unknown filter {filter_name!r} (only: url)")
        if "{{" in TEMPLATE_RE.sub("", template):
            raise _fail(source, rule_id, where, "a template is {{ name }} or {{ name | url }}")
    return spec


def host_allowed(host: str, hosts: tuple[str, ...]) -> bool:
    """Whether `host` is one of `hosts` (`*.example.com`: exactly one label before it)."""
    host = host.lower().rstrip(".")
    for allowed in hosts:
        if allowed.startswith("*."):
            suffix = allowed[1:]
            if host.endswith(suffix) and len(host) > len(suffix) and "." not in host[: -len(suffix)]:
                return True
        elif host == allowed:
            return True
    return False


def url_host_part(url: str) -> str:
    """The authority of a URL template, from after the scheme to the first `/`, `?` or `#`."""
    rest = url.split("://", 1)[1] if "://" in url else url
    for stop in "/?#":
        rest = rest.split(stop, 1)[0]
    return rest
