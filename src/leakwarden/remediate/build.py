"""Build the guide of a credential type (`rule_guide`) or of one finding (`finding_guide`).

Rule data (the playbook) supplies what is provider-specific; `templates` supplies what every
guide shares; `snippets` the code. A finding's guide adds where the secret was found (file,
line, commit, author, date), the variable names it is bound to there, and the other findings
that share one of its values. File contents, when the caller has them, come in as `texts`:
this module reads nothing itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from leakwarden.model import Finding, Occurrence
from leakwarden.remediate import templates as t
from leakwarden.remediate.completeness import completeness
from leakwarden.remediate.model import Block, FindingInfo, Guide, Part, Place, Related, Section
from leakwarden.remediate.places import binding_at, bindings, category, names_text, unique
from leakwarden.remediate.snippets import snippets
from leakwarden.rules.catalog import Catalog
from leakwarden.rules.schema import Rule

WINDOW_LINES = 12  # lines around an occurrence searched for the names its values are bound to


def _sentence(text: str) -> str:
    return text.strip().rstrip(".")


def secret_path(rule: Rule, catalog: Catalog | None = None) -> str:
    """Where a secret manager keeps it: the playbook's path, else its pair's, else
    `myapp/<provider>/<credential>` (a provider's credential types must not share a path)."""
    source = rule if rule.playbook.secret_path else (_pair_rule(rule, catalog) or rule)
    if source.playbook.secret_path:
        return source.playbook.secret_path
    credential = source.id.split(".", 1)[1].replace("_", "-").replace(".", "/")
    return f"myapp/{source.provider.replace('_', '-')}/{credential}"


def _pair_rule(rule: Rule, catalog: Catalog | None) -> Rule | None:
    """The pair rule `rule` is a half of, so that code for a half reads both halves."""
    if rule.pair is not None or catalog is None:
        return None
    return next(
        (r for r in catalog.rules if r.pair is not None and rule.id in (r.pair.anchor, r.pair.partner)),
        None,
    )


def parts(rule: Rule, catalog: Catalog | None = None) -> tuple[Part, ...]:
    """The variables code needs for this credential: the playbook's names, else the pair's,
    else names derived from the rule id and the pair roles."""
    source = rule
    if not rule.playbook.env_vars:
        source = _pair_rule(rule, catalog) or rule
    roles: tuple[tuple[str, str], ...] = source.playbook.env_vars
    if not roles and source.pair is not None:
        prefix = source.provider.upper()
        roles = tuple(
            (role, f"{prefix}_{role.upper()}") for role in (source.pair.anchor_role, source.pair.partner_role)
        )
    if not roles:
        roles = (("", source.id.replace(".", "_").upper()),)
    path = secret_path(rule, catalog)
    return tuple(Part(role, name, f"{path}/{role or source.id.rsplit('.', 1)[-1]}") for role, name in roles)


def first_steps(rule: Rule | None) -> tuple[str, ...]:
    playbook = rule.playbook if rule else None
    at_console = f" at {playbook.revoke_url}" if playbook and playbook.revoke_url else ""
    in_logs = f" in {_sentence(playbook.logs)}" if playbook and playbook.logs else ""
    return tuple(t.fill(step, at_console=at_console, in_logs=in_logs) for step in t.FIRST_STEPS)


def remediation_summary(rule: Rule | None, rule_id: str, fingerprint: str) -> dict[str, Any]:
    """The `remediation` object of a finding in the JSON report: enough to act on at once, and
    the commands that print the whole guide."""
    playbook = rule.playbook if rule else None
    return {
        "what": (playbook.what or rule.description.strip()) if rule and playbook else "",
        "revoke_url": playbook.revoke_url if playbook else "",
        "revoke_where": playbook.revoke_where if playbook else "",
        "logs": playbook.logs if playbook else "",
        "first_steps": list(first_steps(rule)),
        "guide": f"leakwarden guide {rule_id}",
        "finding_guide": f"leakwarden remediate --report REPORT.json {fingerprint[:16]}",
        "guide_status": completeness(rule).status if rule else "unknown rule",
    }


# --- findings -----------------------------------------------------------------------------------


def _preview(value: str) -> str:
    """A redacted preview (the same shape as the reports' redaction)."""
    if "*" in value:
        return value
    if len(value) <= 8:
        return "*" * len(value)
    shown = min(4, len(value) // 5)
    return value[:shown] + "*" * min(12, len(value) - shown)


def _values(finding: Finding) -> list[str]:
    return list(finding.parts.values()) or [finding.secret]


def _text_key(occ: Occurrence) -> str:
    commit = getattr(occ.provenance, "commit", "")
    return f"{commit}:{occ.provenance.path}" if commit else occ.provenance.path


def _author(name: str, email: str) -> str:
    return f"{name} <{email}>".strip() if email else name


def _place(occ: Occurrence, values: Sequence[str], redacted: bool, texts: Mapping[str, str]) -> Place:
    prov = occ.provenance
    loc = occ.location
    names: list[str] = []
    text = texts.get(_text_key(occ))
    if text is not None:
        lines = text.split("\n")
        lo = max(loc.line - 1 - WINDOW_LINES, 0)
        window = "\n".join(lines[lo : loc.end_line + WINDOW_LINES])
        if not redacted:
            names = bindings(window, values)
        at = binding_at(text, loc.line, loc.column)
        names = unique([*names, at] if at else names)
    return Place(
        path=prov.path,
        line=loc.line,
        column=loc.column,
        kind=prov.kind,
        category=category(prov.path),
        commit=getattr(prov, "commit", ""),
        author=_author(getattr(prov, "author_name", ""), getattr(prov, "author_email", "")),
        date=getattr(prov, "date", ""),
        subject=getattr(prov, "subject", ""),
        variables=tuple(names),
    )


def _related(
    finding: Finding, pool: Sequence[Finding], fingerprint_of: Callable[[Finding], str]
) -> tuple[Related, ...]:
    """Other findings that share a value with `finding`: exactly when both sides hold the
    values, or by redacted preview (same provider) when either side is a report's preview."""
    mine = set(_values(finding))
    mine_previews = {_preview(v) for v in mine}
    provider = finding.rule_id.split(".")[0]
    found = []
    for other in pool:
        if other is finding:
            continue
        theirs = set(_values(other))
        certain = any("*" not in v for v in mine & theirs)
        if not certain:
            shared = {v for v in mine_previews & {_preview(v) for v in theirs} if v.strip("*")}
            if not shared or other.rule_id.split(".")[0] != provider:
                continue
        places = unique(f"{o.provenance.path}:{o.location.line}" for o in other.occurrences)
        found.append(Related(other.rule_id, fingerprint_of(other), tuple(places), certain=certain))
    return tuple(found)


def finding_info(
    finding: Finding,
    *,
    texts: Mapping[str, str] | None = None,
    pool: Sequence[Finding] = (),
    redacted: bool = False,
    fingerprint: str | None = None,
    fingerprint_of: Callable[[Finding], str] | None = None,
) -> FindingInfo:
    """What the guide says about this finding. `texts` maps a place (its path, or `commit:path`
    for a commit) to the text there; `pool` holds the other findings of the same scan;
    `redacted` says the finding's values are previews, not secrets; `fingerprint` and
    `fingerprint_of` give the fingerprints a report recorded (a preview would hash to another)."""
    values = _values(finding)
    places = tuple(_place(o, values, redacted, texts or {}) for o in finding.occurrences)
    dates = sorted(p.date for p in places if p.date)
    return FindingInfo(
        fingerprint=fingerprint or finding.fingerprint,
        rule_id=finding.rule_id,
        confidence=finding.confidence.label,
        parts=tuple((role, _preview(v)) for role, v in finding.parts.items())
        or (("", _preview(finding.secret)),),
        places=places,
        variables=tuple(unique(v for p in places for v in p.variables)),
        related=_related(finding, pool, fingerprint_of or (lambda f: f.fingerprint)),
        first_seen=dates[0] if dates else "",
    )


# --- sections -------------------------------------------------------------------------------------


def _p(text: str, title: str = "") -> Block:
    return Block("paragraph", title=title, text=text)


def _what(rule: Rule, info: FindingInfo | None) -> list[Block]:
    playbook = rule.playbook
    blocks = [_p(playbook.what or " ".join(rule.description.split()) or rule.name)]
    description = " ".join(rule.description.split())
    if description and description != playbook.what:
        blocks.append(_p(description))
    if playbook.usage:
        blocks.append(_p(" ".join(playbook.usage.split()), title="How it is used"))
    if info is not None:
        halves = ", ".join(f"{role} `{value}`" if role else f"`{value}`" for role, value in info.parts)
        blocks.append(
            _p(
                f"Rule `{info.rule_id}`, confidence {info.confidence}, "
                f"fingerprint `{info.fingerprint}`, value {halves} (redacted).",
                title="This finding",
            )
        )
    return blocks


def _leaks(rule: Rule, info: FindingInfo | None) -> list[Block]:
    blocks = []
    if info is not None:
        in_git = [p for p in info.places if p.commit]
        blocks.append(Block("places", title=f"Where it was found ({len(info.places)})", places=info.places))
        if in_git:
            blocks.append(
                _p(
                    f"It is in git history ({len(in_git)} of these places): every clone, fork and "
                    "CI cache made since holds it, and deleting the file does not remove it. "
                    + (f"It has been exposed since at least {info.first_seen}." if info.first_seen else "")
                )
            )
    if rule.playbook.leak_vectors:
        blocks.append(
            Block(
                "items",
                title=f"How {rule.provider_name} credentials usually leak",
                items=rule.playbook.leak_vectors,
            )
        )
    blocks.append(Block("items", title="Other ways credentials leak", items=t.LEAK_VECTORS))
    return blocks


def _detect(rule: Rule, info: FindingInfo | None) -> list[Block]:
    playbook = rule.playbook
    blocks = []
    if playbook.logs:
        blocks.append(_p(playbook.logs, title="Where its use shows"))
    if playbook.detect_use:
        blocks.append(Block("steps", title="Steps", items=playbook.detect_use))
    elif playbook.logs:
        blocks.append(
            Block("steps", title="Steps", items=(t.fill(t.GENERIC_DETECT, logs=_sentence(playbook.logs)),))
        )
    if info is not None and info.first_seen:
        blocks.append(_p(f"Search from {info.first_seen}, the earliest commit that holds it, to now."))
    blocks.append(Block("items", title="What to look for", items=t.DETECT_LOOK_FOR))
    return blocks


def _revoke(rule: Rule, name: str, at_console: str) -> list[Block]:
    playbook = rule.playbook
    steps = playbook.revoke or tuple(
        t.fill(
            s,
            name=name,
            at_console=at_console,
            logs_or_provider=_sentence(playbook.logs) or "the provider's logs",
        )
        for s in t.GENERIC_REVOKE
    )
    blocks = [_p(t.ROTATION_ORDER), Block("steps", title="Steps", items=steps)]
    if playbook.revoke_url:
        blocks.append(_p(playbook.revoke_url, title="Revoke at"))
    elif playbook.revoke_where:
        blocks.append(_p(playbook.revoke_where, title="Revoke it"))
    if rule.revoke is not None:
        blocks.append(
            _p(
                f"Once the replacement is in place and its consumers use it, `leakwarden revoke {rule.id}` "
                f"does the revocation step through {rule.provider_name}'s API: {rule.revoke.effect} It shows "
                "the request, redacted, and sends it only after you type the provider's name.",
                title="Revoke from the command line",
            )
        )
    return blocks


def _consumers(rule: Rule, info: FindingInfo | None) -> list[Block]:
    blocks = []
    if info is not None:
        ci = unique(p.path for p in info.places if p.category == "CI configuration")
        where = unique(
            f"`{p.path}`" + (f" ({p.category})" if p.category != "file" else "") for p in info.places
        )
        plural = "s" if len(where) != 1 else ""
        text = f"It appears in {len(where)} place{plural}: {', '.join(where)}."
        if info.variables:
            text += (
                f" It is bound to {names_text(info.variables)}: look for these names in every system below."
            )
        if ci:
            text += (
                f" CI configuration holds it ({', '.join(f'`{c}`' for c in ci)}): those pipelines fail first."
            )
        blocks.append(_p(text, title="In the scanned sources"))
        if info.related:
            blocks.append(
                Block("related", title="The same credential in other findings", related=info.related)
            )
    if rule.playbook.consumers:
        blocks.append(
            Block("items", title=f"What usually holds a {rule.name}", items=rule.playbook.consumers)
        )
    blocks.append(Block("items", title="What a scan cannot see: check these too", items=t.CANNOT_SEE))
    return blocks


def _keep_out(
    rule: Rule,
    the_parts: Sequence[Part],
    path: str,
    info: FindingInfo | None,
    *,
    platforms: Sequence[str] | None,
    languages: Sequence[str] | None,
) -> list[Block]:
    names = names_text([p.env_var for p in the_parts])
    blocks = [_p(t.fill(t.KEEP_OUT, names=names, secret_path=path))]
    blocks.append(
        Block(
            "items",
            title="Variables",
            items=tuple(
                f"`{p.env_var}`"
                + (f": the {p.role.replace('_', ' ')}" if p.role else "")
                + f" (Conjur variable `{p.secret_id}`)"
                for p in the_parts
            ),
        )
    )
    if info is not None and info.variables:
        blocks.append(
            _p(
                f"Where it leaked it was bound to {names_text(info.variables)}; keep those names if "
                "your code expects them."
            )
        )
    code = snippets(the_parts, rule.name, path, platforms, languages)
    for platform in unique(s.platform for s in code):
        group = tuple(s for s in code if s.platform == platform)
        blocks.append(Block("snippets", title=group[0].platform_name, snippets=group))
    return blocks


def _practices(rule: Rule) -> list[Block]:
    blocks = []
    if rule.playbook.best_practices:
        blocks.append(Block("items", title=rule.provider_name, items=rule.playbook.best_practices))
    blocks.append(Block("items", title="Everywhere", items=t.SHARED_PRACTICES))
    return blocks


def build_guide(
    rule: Rule,
    catalog: Catalog | None = None,
    info: FindingInfo | None = None,
    platforms: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> Guide:
    playbook = rule.playbook
    at_console = f" at {playbook.revoke_url}" if playbook.revoke_url else ""
    name = rule.name
    the_parts = parts(rule, catalog)
    path = secret_path(rule, catalog)
    generate = playbook.generate or tuple(
        t.fill(s, name=name, at_console=at_console) for s in t.GENERIC_GENERATE
    )
    risks = playbook.risks or (
        f"Whatever it grants: {_sentence(playbook.what or rule.description or name)}.",
    )
    titles = dict(t.SECTION_TITLES)
    if info is None:
        titles["leaks"] = "How it usually leaks"
    sections = [
        Section("what", 1, titles["what"], tuple(_what(rule, info))),
        Section("generate", 2, titles["generate"], (Block("steps", items=generate),)),
        Section("leaks", 3, titles["leaks"], tuple(_leaks(rule, info))),
        Section("risks", 4, titles["risks"], (Block("items", items=risks), _p(t.RISK_NOTE))),
        Section("detect", 5, titles["detect"], tuple(_detect(rule, info))),
        Section("revoke", 6, titles["revoke"], tuple(_revoke(rule, name, at_console))),
        Section("consumers", 7, titles["consumers"], tuple(_consumers(rule, info))),
        Section(
            "keep_out",
            8,
            titles["keep_out"],
            tuple(_keep_out(rule, the_parts, path, info, platforms=platforms, languages=languages)),
        ),
        Section("practices", 9, titles["practices"], tuple(_practices(rule))),
    ]
    references = tuple(unique([*playbook.guide_references, *rule.references]))
    if references:
        sections.append(Section("references", 0, titles["references"], (Block("items", items=references),)))
    return Guide(
        rule_id=rule.id,
        rule_name=rule.name,
        provider=rule.provider,
        provider_name=rule.provider_name,
        title=f"My {rule.name} leaked! What should I do?",
        first_steps=first_steps(rule),
        sections=tuple(sections),
        references=references,
        completeness=completeness(rule),
        finding=info,
        parts=the_parts,
        secret_path=path,
    )
