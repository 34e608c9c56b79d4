"""The rule schema: parse provider YAML documents into typed, validated rules.

A provider file holds `provider`, `provider_name` and `rules`; each rule is either a pattern rule
(a regex with a named `secret` capture) or a pair rule (two pattern rules found near each other).
Parsing checks shape and types and names the file, rule and field of every problem; whether the
patterns really find their examples is the linter's job (`leakwarden.lint`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from leakwarden.errors import RuleError
from leakwarden.model import Confidence
from leakwarden.rules.verify_schema import LocalCheck, RevokeSpec, VerifySpec, parse_revoke, parse_verify

RULE_ID_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*(?:\.[a-z0-9]+(?:_[a-z0-9]+)*)+$")
PROVIDER_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
CATEGORIES = frozenset(
    {
        "ai",
        "cloud",
        "collaboration",
        "communication",
        "database",
        "devops",
        "generic",
        "identity",
        "monitoring",
        "package_registry",
        "payment",
        "private_key",
        "saas",
        "source_control",
    }
)
CHECKSUMS = frozenset(
    {"github_crc32", "npm_crc32", "pypi_macaroon", "jwt", "packagist_crc32", "confluent_crc32"}
)
MAX_NEARBY_DISTANCE = 4096
MAX_PAIR_DISTANCE = 4096
ENV_VAR_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
SECRET_PATH_RE = re.compile(r"^[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*$")


@dataclass(frozen=True, slots=True)
class Nearby:
    """A named value picked up from text around a match (e.g. the account host of a token)."""

    name: str
    pattern: str
    distance: int


@dataclass(frozen=True, slots=True)
class Pair:
    """Two halves of one credential: `anchor` is found by its rule; `partner_pattern` is then
    searched within `max_distance` bytes of it. A partner found there need not carry the context
    its own rule demands alone."""

    anchor: str
    anchor_role: str
    partner: str
    partner_role: str
    partner_pattern: str
    max_distance: int
    # Candidates whose line, before them, matches this are some other value of the same shape
    # (an organisation or project id beside a key), never the partner.
    partner_avoid: str | None = None


@dataclass(frozen=True, slots=True)
class Playbook:
    """What a reader of a finding needs first: what it is, where to revoke, which logs show use;
    and the rest of the incident guide (`leakwarden guide`), every field optional. Steps and
    items are Markdown-lite text (inline `code`); the guide fills the gaps with shared templates."""

    what: str = ""
    revoke_url: str = ""
    # Where it is revoked when no one page does it (a private key: wherever its public half is
    # trusted); shown in place of revoke_url.
    revoke_where: str = ""
    logs: str = ""
    usage: str = ""  # how it is presented to the provider (header, signature, config file)
    generate: tuple[str, ...] = ()  # steps: create a replacement (console path, CLI, API)
    leak_vectors: tuple[str, ...] = ()  # provider-specific ways it usually leaks
    risks: tuple[str, ...] = ()  # what a holder can do with it
    detect_use: tuple[str, ...] = ()  # steps: find out whether someone else used it
    revoke: tuple[str, ...] = ()  # steps: rotate without an outage, deactivate, delete, monitor
    consumers: tuple[str, ...] = ()  # what usually holds it and stops working when it is revoked
    best_practices: tuple[str, ...] = ()  # least privilege, expiry, scoping the provider offers
    # Environment variable per part role ("" for a single-part credential), in the order written.
    env_vars: tuple[tuple[str, str], ...] = ()
    secret_path: str = ""  # where a secret manager keeps it, e.g. myapp/scaleway
    guide_references: tuple[str, ...] = ()  # the provider's documentation the guide was written from

    @property
    def revoke_at(self) -> str:
        """Where to revoke it, for a sentence "revoke it …": `at URL`, or the place in words."""
        if self.revoke_url:
            return f"at {self.revoke_url}"
        return self.revoke_where


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    provider: str
    provider_name: str
    category: str
    confidence: Confidence
    source: str
    description: str = ""
    pattern: str | None = None
    keywords: tuple[str, ...] = ()
    entropy: float | None = None
    checksum: str | None = None
    allow: tuple[str, ...] = ()
    nearby: tuple[Nearby, ...] = ()
    pair: Pair | None = None
    references: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    playbook: Playbook = field(default_factory=Playbook)
    verify: VerifySpec | LocalCheck | None = None
    revoke: RevokeSpec | None = None  # how to kill it through the provider's API, where it has one

    @property
    def is_pair(self) -> bool:
        return self.pair is not None


class _Fields:
    """Typed access to one mapping that names the file, rule and field in every error."""

    def __init__(self, raw: Any, source: str, rule_id: str | None, prefix: str = "") -> None:
        if not isinstance(raw, Mapping):
            raise RuleError(source, rule_id, prefix.rstrip(".") or None, "expected a mapping")
        self.raw = raw
        self.source = source
        self.rule_id = rule_id
        self.prefix = prefix
        self.seen: set[str] = set()

    def error(self, key: str, reason: str) -> RuleError:
        return RuleError(self.source, self.rule_id, self.prefix + key, reason)

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        if key not in self.raw or self.raw[key] is None:
            if required:
                raise self.error(key, "is required")
            return None
        return self.raw[key]

    def text(self, key: str, required: bool = False, default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(key, "must be a non-empty string")
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._get(key, False)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.error(key, f"must be an integer from {low} to {high}")
        return value

    def number(self, key: str) -> float | None:
        value = self._get(key, False)
        if value is None:
            return None
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 8:
            raise self.error(key, "must be a number from 0 to 8 (bits per character)")
        return float(value)

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a list of non-empty strings")
        if required and not value:
            raise self.error(key, "must not be empty")
        return tuple(value)

    def mapping(self, key: str) -> _Fields | None:
        value = self._get(key, False)
        if value is None:
            return None
        return _Fields(value, self.source, self.rule_id, f"{self.prefix}{key}.")

    def check_unknown(self) -> None:
        unknown = sorted(set(map(str, self.raw)) - self.seen)
        if unknown:
            raise self.error(unknown[0], "unknown field")


def _regex(fields: _Fields, key: str, value: str, need_secret: bool) -> str:
    try:
        compiled = re.compile(value.encode())
    except (re.error, UnicodeEncodeError) as exc:
        raise fields.error(key, f"does not compile: {exc}") from None
    if need_secret and "secret" not in compiled.groupindex:
        raise fields.error(key, "must have a named capture (?P<secret>...)")
    return value


def _nearby(fields: _Fields) -> tuple[Nearby, ...]:
    raw = fields._get("nearby", False)
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise fields.error("nearby", "must map capture names to {pattern, distance}")
    items = []
    for name, spec in raw.items():
        sub = _Fields(spec, fields.source, fields.rule_id, f"nearby.{name}.")
        if not isinstance(name, str) or not PROVIDER_RE.match(name):
            raise fields.error("nearby", f"capture name {name!r} must be lower_snake_case")
        pattern = _regex(sub, "pattern", sub.text("pattern", required=True), need_secret=False)
        if "value" not in re.compile(pattern.encode()).groupindex:
            raise sub.error("pattern", "must have a named capture (?P<value>...)")
        distance = sub.integer("distance", 256, 1, MAX_NEARBY_DISTANCE)
        sub.check_unknown()
        items.append(Nearby(name, pattern, distance))
    return tuple(items)


def _pair(fields: _Fields) -> Pair | None:
    sub = fields.mapping("pair")
    if sub is None:
        return None
    anchor = sub.text("anchor", required=True)
    partner = sub.text("partner", required=True)
    pattern = _regex(sub, "partner_pattern", sub.text("partner_pattern", required=True), True)
    pair = Pair(
        anchor=anchor,
        anchor_role=sub.text("anchor_role", required=True),
        partner=partner,
        partner_role=sub.text("partner_role", required=True),
        partner_pattern=pattern,
        max_distance=sub.integer("max_distance", 512, 16, MAX_PAIR_DISTANCE),
        partner_avoid=_regex(sub, "partner_avoid", avoid, False)
        if (avoid := sub.text("partner_avoid"))
        else None,
    )
    sub.check_unknown()
    return pair


def _env_vars(fields: _Fields) -> tuple[tuple[str, str], ...]:
    raw = fields._get("env_vars", False)
    if raw is None:
        return ()
    items = [("", raw)] if isinstance(raw, str) else list(raw.items()) if isinstance(raw, Mapping) else None
    if not items:
        raise fields.error("env_vars", "must be a variable name or map part roles to variable names")
    for role, name in items:
        if not isinstance(role, str) or (role and not PROVIDER_RE.match(role)):
            raise fields.error("env_vars", f"role {role!r} must be lower_snake_case")
        if not isinstance(name, str) or not ENV_VAR_RE.match(name):
            raise fields.error("env_vars", f"{name!r} is not an environment variable name")
    return tuple((role, name) for role, name in items)


def _playbook(fields: _Fields) -> Playbook:
    secret_path = fields.text("secret_path")
    if secret_path and not SECRET_PATH_RE.match(secret_path):
        raise fields.error("secret_path", "must be slash-separated names, e.g. myapp/scaleway")
    playbook = Playbook(
        what=fields.text("what"),
        revoke_url=fields.text("revoke_url"),
        revoke_where=fields.text("revoke_where"),
        logs=fields.text("logs"),
        usage=fields.text("usage"),
        generate=fields.strings("generate"),
        leak_vectors=fields.strings("leak_vectors"),
        risks=fields.strings("risks"),
        detect_use=fields.strings("detect_use"),
        revoke=fields.strings("revoke"),
        consumers=fields.strings("consumers"),
        best_practices=fields.strings("best_practices"),
        env_vars=_env_vars(fields),
        secret_path=secret_path,
        guide_references=fields.strings("guide_references"),
    )
    fields.check_unknown()
    return playbook


def parse_rule(raw: Any, source: str, provider: str, provider_name: str) -> Rule:
    rule_id = raw.get("id") if isinstance(raw, Mapping) else None
    fields = _Fields(raw, source, rule_id if isinstance(rule_id, str) else None)
    rule_id = fields.text("id", required=True)
    if not RULE_ID_RE.match(rule_id):
        raise fields.error("id", "must be dotted lower_snake_case, e.g. scaleway.access_key")
    if rule_id.split(".")[0] != provider:
        raise fields.error("id", f"must start with the file's provider {provider!r}")
    category = fields.text("category", required=True)
    if category not in CATEGORIES:
        raise fields.error("category", f"must be one of {', '.join(sorted(CATEGORIES))}")
    try:
        confidence = Confidence.parse(fields.text("confidence", required=True))
    except ValueError as exc:
        raise fields.error("confidence", str(exc)) from None
    checksum = fields.text("checksum") or None
    if checksum is not None and checksum not in CHECKSUMS:
        raise fields.error("checksum", f"must be one of {', '.join(sorted(CHECKSUMS))}")
    pattern_text = fields.text("pattern") or None
    pair = _pair(fields)
    if (pattern_text is None) == (pair is None):
        raise fields.error("pattern", "a rule has exactly one of `pattern` or `pair`")
    pattern = _regex(fields, "pattern", pattern_text, True) if pattern_text else None
    keywords = fields.strings("keywords", required=pattern is not None)
    playbook_fields = fields.mapping("playbook")
    playbook = _playbook(playbook_fields) if playbook_fields is not None else Playbook()
    allow = fields.strings("allow")
    for index, expr in enumerate(allow):
        _regex(fields, f"allow[{index}]", expr, need_secret=False)
    rule = Rule(
        id=rule_id,
        name=fields.text("name", required=True),
        provider=provider,
        provider_name=provider_name,
        category=category,
        confidence=confidence,
        source=source,
        description=fields.text("description"),
        pattern=pattern,
        keywords=keywords,
        entropy=fields.number("entropy"),
        checksum=checksum,
        allow=allow,
        nearby=_nearby(fields),
        pair=pair,
        references=fields.strings("references"),
        examples=fields.strings("examples", required=True),
        negative_examples=fields.strings("negative_examples"),
        playbook=playbook,
        verify=parse_verify(fields._get("verify", False), source, rule_id),
        revoke=parse_revoke(fields._get("revoke", False), source, rule_id),
    )
    fields.check_unknown()
    return rule


def parse_document(raw: Any, source: str) -> list[Rule]:
    """Parse one provider document (already loaded from YAML)."""
    top = _Fields(raw, source, None)
    provider = top.text("provider", required=True)
    if not PROVIDER_RE.match(provider):
        raise top.error("provider", "must be lower_snake_case")
    provider_name = top.text("provider_name", required=True)
    raw_rules = top._get("rules", True)
    if not isinstance(raw_rules, list) or not raw_rules:
        raise top.error("rules", "must be a non-empty list")
    top.check_unknown()
    return [parse_rule(item, source, provider, provider_name) for item in raw_rules]
