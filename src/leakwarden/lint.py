"""`leakwarden rules check`: every rule proves itself against its own examples, in every engine.

Shape errors (missing fields, bad ids, patterns that do not compile in Python) are caught while
the catalogue loads; this module checks what needs the engines: Hyperscan accepts the pattern,
the pattern's width is bounded, every example is found as this rule, no negative is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from leakwarden.matching.compiled import MAX_MATCH_WIDTH, max_width
from leakwarden.matching.engine import Engine, HyperscanEngine, PythonEngine, hyperscan_available
from leakwarden.remediate.completeness import missing_items
from leakwarden.rules.catalog import Catalog
from leakwarden.rules.schema import Rule
from leakwarden.rules.verify_schema import ACCESS_TOKEN, LocalCheck, VerifySpec


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    rule_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: rule {self.rule_id}: {self.field}: {self.message}"


def _pattern_problems(rule: Rule) -> Iterable[Problem]:
    if rule.pattern is None:
        return
    low, high = _widths(rule.pattern)
    if low == 0:
        yield Problem(rule.source, rule.id, "pattern", "can match the empty string")
    if high > MAX_MATCH_WIDTH:
        yield Problem(
            rule.source,
            rule.id,
            "pattern",
            f"longest match is unbounded or over {MAX_MATCH_WIDTH} bytes; bound every repeat",
        )
    for keyword in rule.keywords:
        if len(keyword) < 2:
            yield Problem(rule.source, rule.id, "keywords", f"keyword {keyword!r} is too short to prefilter")


def _widths(pattern: str) -> tuple[int, int]:
    from re import _parser  # type: ignore[attr-defined]

    low, _ = _parser.parse(pattern.encode()).getwidth()
    return int(low), max_width(pattern.encode())


def _metadata_problems(rule: Rule) -> Iterable[Problem]:
    for index, ref in enumerate(rule.references):
        if not ref.startswith("https://"):
            yield Problem(rule.source, rule.id, f"references[{index}]", "must be an https URL")
    if rule.playbook.revoke_url and not rule.playbook.revoke_url.startswith("https://"):
        yield Problem(rule.source, rule.id, "playbook.revoke_url", "must be an https URL")
    if not rule.references:
        yield Problem(rule.source, rule.id, "references", "cite the provider's documentation of the format")
    for index, ref in enumerate(rule.playbook.guide_references):
        if not ref.startswith("https://"):
            yield Problem(rule.source, rule.id, f"playbook.guide_references[{index}]", "must be an https URL")
    roles = {role for role, _ in rule.playbook.env_vars}
    if rule.pair is not None and roles and roles != {rule.pair.anchor_role, rule.pair.partner_role}:
        yield Problem(
            rule.source,
            rule.id,
            "playbook.env_vars",
            f"must name one variable per pair role ({rule.pair.anchor_role}, {rule.pair.partner_role})",
        )
    if rule.pattern is not None:
        for index, example in enumerate(rule.examples):
            lowered = example.lower()
            if not any(k.lower() in lowered for k in rule.keywords):
                yield Problem(rule.source, rule.id, f"examples[{index}]", "contains none of the keywords")


def verify_problems(rule: Rule, catalog: Catalog) -> Iterable[Problem]:
    """A check (and a revocation) may send the credential only over https to a host its rule
    declares, and no template may move a credential into the host part."""
    if isinstance(rule.verify, LocalCheck):
        if rule.category != "private_key":
            yield Problem(
                rule.source,
                rule.id,
                "verify.kind",
                f"{rule.verify.kind} is for rules of category private_key",
            )
    elif rule.verify is not None:
        yield from _request_problems(rule, catalog, rule.verify, "verify")
    if rule.revoke is not None:
        yield from _request_problems(rule, catalog, rule.revoke.request, "revoke")


def _request_problems(rule: Rule, catalog: Catalog, spec: VerifySpec, block: str) -> Iterable[Problem]:
    import re

    from leakwarden.rules.verify_schema import template_names

    credentials = {"secret"}
    captures: set[str] = set()
    source_rules = [rule]
    if rule.pair is not None:
        credentials |= {rule.pair.anchor_role, rule.pair.partner_role}
        source_rules += [r for r in (catalog.get(rule.pair.anchor), catalog.get(rule.pair.partner)) if r]
    for each in source_rules:
        if each.pattern:
            captures |= set(re.compile(each.pattern.encode()).groupindex) - {"secret"}
        captures |= {n.name for n in each.nearby}
    known = credentials | captures | set(spec.needs)
    if spec.oauth is not None and spec.oauth.identity is not None:
        credentials.add(ACCESS_TOKEN)
    for where, template in spec.templates():
        for name, _ in template_names(template):
            if name not in known and not (where.startswith("identity.") and name == ACCESS_TOKEN):
                yield Problem(
                    rule.source,
                    rule.id,
                    f"{block}.{where}",
                    f"unknown value {name!r} (known: {', '.join(sorted(known))})",
                )
    urls = [("request.url", spec.request.url)]
    if spec.oauth is not None and spec.oauth.identity is not None:
        urls.append(("identity.url", spec.oauth.identity.url))
    for where, url in urls:
        yield from _url_problems(rule, spec, f"{block}.{where}", url, credentials=credentials, block=block)
    for index, ref in enumerate(spec.references):
        if not ref.startswith("https://"):
            yield Problem(rule.source, rule.id, f"{block}.references[{index}]", "must be an https URL")


def _url_problems(
    rule: Rule, spec: VerifySpec, where: str, url: str, *, credentials: set[str], block: str
) -> Iterable[Problem]:
    from leakwarden.rules.verify_schema import host_allowed, template_names, url_host_part

    if not url.startswith("https://"):
        yield Problem(rule.source, rule.id, where, "must be an https URL")
        return
    host_part = url_host_part(url)
    used = {name for name, _ in template_names(host_part)}
    if used & credentials:
        yield Problem(rule.source, rule.id, where, "a template would move the credential into the host")
    if "@" in host_part:
        yield Problem(rule.source, rule.id, where, "no user information in the URL (use request.basic)")
    if not used:
        host = host_part.split(":", 1)[0]
        if not host_allowed(host, spec.hosts):
            yield Problem(rule.source, rule.id, where, f"host {host!r} is not among {block}.hosts")


def guide_problems(rule: Rule, full: bool | None = None) -> Iterable[Problem]:
    """The guide items `rule`'s playbook lacks (all items when `full`; default: all for the
    founding providers, the minimum for the others)."""
    for item in missing_items(rule, full):
        yield Problem(
            rule.source,
            rule.id,
            "playbook." + "/".join(item.fields),
            f"guide data missing: {item.label} (guide item {item.number})",
        )


def check_guides(catalog: Catalog, only: Iterable[str] | None = None) -> list[Problem]:
    """The guide data the built-in rules named in `only` (default: all) lack: every built-in
    rule needs items 1, 2, 5 and 6, the founding providers' rules every item. Users' own rules
    get a guide from the shared templates whatever they carry."""
    wanted = set(only) if only is not None else None
    return [
        problem
        for rule in catalog.rules
        if (wanted is None or rule.id in wanted) and rule.source.startswith("builtin:")
        for problem in guide_problems(rule)
    ]


def _example_problems(rule: Rule, engines: Sequence[Engine]) -> Iterable[Problem]:
    for engine in engines:
        for index, example in enumerate(rule.examples):
            if not any(m.rule_id == rule.id for m in engine.scan(example.encode())):
                yield Problem(
                    rule.source, rule.id, f"examples[{index}]", f"not found by the {engine.name} engine"
                )
        for index, example in enumerate(rule.negative_examples):
            if any(m.rule_id == rule.id for m in engine.scan(example.encode())):
                yield Problem(
                    rule.source, rule.id, f"negative_examples[{index}]", f"found by the {engine.name} engine"
                )


def engines_for(catalog: Catalog) -> list[Engine]:
    engines: list[Engine] = [PythonEngine(catalog)]
    if hyperscan_available():
        engines.append(HyperscanEngine(catalog))
    return engines


def check_catalog(catalog: Catalog, only: Iterable[str] | None = None) -> list[Problem]:
    """Problems of the rules named in `only` (default: all), checked within the whole catalogue
    so that pairs and neighbours behave as they will in a scan. Built-in rules must also carry
    their guide data; users' own rules get a guide from the shared templates whatever they carry."""
    wanted = set(only) if only is not None else None
    rules = [r for r in catalog.rules if wanted is None or r.id in wanted]
    problems: list[Problem] = []
    for rule in rules:
        problems.extend(_pattern_problems(rule))
        problems.extend(_metadata_problems(rule))
        problems.extend(verify_problems(rule, catalog))
    problems.extend(check_guides(catalog, only))
    if not any(p.field == "pattern" for p in problems):
        try:
            engines = engines_for(catalog)
        except Exception as exc:  # one database for all: ask rule by rule which patterns it rejects
            rejected = list(_hyperscan_problems(rules)) or list(_hyperscan_problems(catalog.rules))
            whole = Problem("catalogue", "*", "pattern", f"Hyperscan rejects it: {exc}")
            problems.extend(rejected or [whole])
        else:
            for rule in rules:
                problems.extend(_example_problems(rule, engines))
    return problems


def _hyperscan_problems(rules: Sequence[Rule]) -> Iterable[Problem]:
    from leakwarden.matching.compiled import CompiledRule

    for rule in rules:
        if rule.pattern is None:
            continue
        compiled = CompiledRule(rule)
        try:
            HyperscanEngine._compile([compiled])
        except Exception as exc:
            yield Problem(rule.source, rule.id, "pattern", f"Hyperscan rejects it: {exc}")
