"""Incident guides: for every credential type and every finding, what to do next. Offline.

Pure: rules and model objects in, guides (data) and rendered text out. The CLI reads reports
and files and hands their contents in; nothing here touches the file system or the network.

    guide = rule_guide(catalog["scaleway.api_key"], catalog)
    print(render([guide], "md"))
    info = finding_info(finding, texts={".env": text}, pool=result.findings)
    print(render([finding_guide(finding, catalog, info=info)], "text"))
"""

from __future__ import annotations

from collections.abc import Sequence

from leakwarden.model import Finding
from leakwarden.remediate.build import (
    build_guide,
    finding_info,
    first_steps,
    parts,
    remediation_summary,
    secret_path,
)
from leakwarden.remediate.completeness import FOUNDING_PROVIDERS, ITEMS, completeness, missing_items
from leakwarden.remediate.model import FindingInfo, Guide, Part, Snippet
from leakwarden.remediate.render import render, render_list
from leakwarden.remediate.report import ReportFinding, report_findings, select
from leakwarden.remediate.snippets import snippets
from leakwarden.remediate.templates import LANGUAGES, PLATFORMS
from leakwarden.rules.catalog import Catalog
from leakwarden.rules.schema import Rule

__all__ = [
    "FOUNDING_PROVIDERS",
    "ITEMS",
    "LANGUAGES",
    "PLATFORMS",
    "FindingInfo",
    "Guide",
    "Part",
    "ReportFinding",
    "Snippet",
    "completeness",
    "finding_guide",
    "finding_info",
    "first_steps",
    "missing_items",
    "parts",
    "remediation_summary",
    "render",
    "render_list",
    "report_findings",
    "resolve_rule",
    "rule_guide",
    "secret_path",
    "select",
    "snippets",
]


def rule_guide(
    rule: Rule,
    catalog: Catalog | None = None,
    platforms: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> Guide:
    """The guide of a credential type, like the founding documents."""
    return build_guide(rule, catalog, None, platforms, languages)


def finding_guide(
    finding: Finding,
    catalog: Catalog,
    info: FindingInfo | None = None,
    platforms: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> Guide:
    """The guide of one finding: its rule's guide plus where it was found, what it is bound to
    and what else shares its values (`info`, from `finding_info`)."""
    rule = catalog.get(finding.rule_id)
    if rule is None:
        raise KeyError(finding.rule_id)
    return build_guide(rule, catalog, info or finding_info(finding), platforms, languages)


def resolve_rule(catalog: Catalog, name: str) -> Rule | None:
    """A rule by id; or, given a provider, its main credential: its first pair rule (the whole
    credential, in catalogue order, where the provider's primary credential comes first) or its
    only rule."""
    rule = catalog.get(name)
    if rule is not None:
        return rule
    mine = [r for r in catalog.rules if r.provider == name]
    pairs = [r for r in mine if r.is_pair]
    if pairs:
        return pairs[0]
    return mine[0] if len(mine) == 1 else None
