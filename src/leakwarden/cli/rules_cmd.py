"""`leakwarden rules …`: browse the catalogue and check rule files."""

from __future__ import annotations

import json
from typing import Any

import click

from leakwarden.cli.main import EXIT_CLEAN, EXIT_FINDINGS, FullHelpGroup
from leakwarden.rules.schema import CATEGORIES
from leakwarden.rules.verify_schema import LocalCheck


@click.group(cls=FullHelpGroup)
def rules() -> None:
    """List, show and check detection rules."""


@rules.command("list")
@click.option("--provider", "providers", multiple=True, help="Only this provider's rules; repeatable.")
@click.option(
    "--category",
    "categories",
    multiple=True,
    type=click.Choice(sorted(CATEGORIES)),
    help="Only rules of this category; repeatable.",
)
@click.option(
    "--min-confidence",
    type=click.Choice(["low", "medium", "high"]),
    help="Only rules of at least this confidence.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="markdown: the table of docs/detectors.md.",
)
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Include a rule file of your own; repeatable.",
)
def list_rules(
    providers: tuple[str, ...],
    categories: tuple[str, ...],
    min_confidence: str | None,
    fmt: str,
    rule_files: tuple[str, ...],
) -> int:
    """List the rules of the catalogue, optionally filtered by provider, category and confidence."""
    from leakwarden.model import Confidence
    from leakwarden.rules.catalog import load_catalog

    catalog = load_catalog(rule_files)
    unknown = sorted(set(providers) - set(catalog.providers))
    if unknown:
        raise click.BadParameter(
            f"no provider {unknown[0]!r}{catalog.nearest(unknown[0])}", param_hint="--provider"
        )
    floor = Confidence.parse(min_confidence) if min_confidence else Confidence.LOW
    selected = [
        r
        for r in catalog.rules
        if (not providers or r.provider in providers)
        and (not categories or r.category in categories)
        and r.confidence >= floor
    ]
    if fmt == "markdown":
        from leakwarden.rules.detectors import detectors_markdown

        click.echo(detectors_markdown(selected), nl=False)
        return EXIT_CLEAN
    if fmt == "json":
        rows = [
            {
                "id": r.id,
                "name": r.name,
                "provider": r.provider,
                "category": r.category,
                "confidence": r.confidence.label,
                "pair": r.is_pair,
            }
            for r in selected
        ]
        click.echo(json.dumps(rows, indent=2))
        return EXIT_CLEAN
    width = max((len(r.id) for r in selected), default=0)
    for r in selected:
        click.echo(f"{r.id:<{width}}  {r.confidence.label:<6}  {r.name}")
    count, kinds = len(selected), len({r.provider for r in selected})
    click.echo(f"{count} rule{'s' * (count != 1)}, {kinds} provider{'s' * (kinds != 1)}", err=True)
    return EXIT_CLEAN


def _show(rule: Any) -> str:
    lines = [
        f"{rule.id}: {rule.name}",
        f"  provider    {rule.provider_name} ({rule.provider})",
        f"  category    {rule.category}",
        f"  confidence  {rule.confidence.label}",
        f"  defined in  {rule.source}",
    ]
    if rule.description:
        lines.append(f"  description {' '.join(rule.description.split())}")
    if rule.pattern:
        lines += [f"  pattern     {rule.pattern}", f"  keywords    {', '.join(rule.keywords)}"]
    if rule.pair:
        p = rule.pair
        lines += [
            f"  pair        {p.anchor} ({p.anchor_role}) + {p.partner} ({p.partner_role}) "
            f"within {p.max_distance} bytes"
        ]
    if rule.entropy is not None:
        lines.append(f"  entropy     ≥ {rule.entropy} bits/char")
    if rule.checksum:
        lines.append(f"  checksum    {rule.checksum}")
    for label, items in (
        ("examples", rule.examples),
        ("negatives", rule.negative_examples),
        ("references", rule.references),
    ):
        if items:
            lines.append(f"  {label}:")
            lines += [f"    {json.dumps(item) if label != 'references' else item}" for item in items]
    if rule.playbook.revoke_url:
        lines.append(f"  revoke at   {rule.playbook.revoke_url}")
    elif rule.playbook.revoke_where:
        lines.append(f"  revoke      {rule.playbook.revoke_where}")
    if isinstance(rule.verify, LocalCheck):
        lines.append(f"  live check  none: {rule.verify.kind} (judged offline, nothing is sent)")
    elif rule.verify is not None:
        kind = "" if rule.verify.kind == "http" else f" ({rule.verify.kind})"
        lines.append(f"  live check  {rule.verify.request.method} {rule.verify.request.url}{kind}")
    return "\n".join(lines)


@rules.command("show")
@click.argument("rule_id", metavar="RULE_ID|PROVIDER")
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Include a rule file of your own; repeatable.",
)
def show_rule(rule_id: str, rule_files: tuple[str, ...]) -> int:
    """Show a rule (pattern, keywords, examples, references), or every rule of a PROVIDER."""
    from leakwarden.rules.catalog import load_catalog

    catalog = load_catalog(rule_files)
    rule = catalog.get(rule_id)
    chosen = [rule] if rule is not None else [r for r in catalog.rules if r.provider == rule_id]
    if not chosen:
        raise click.BadParameter(
            f"no rule or provider {rule_id!r}{catalog.nearest(rule_id)}", param_hint="RULE_ID|PROVIDER"
        )
    click.echo("\n\n".join(_show(r) for r in chosen))
    if rule is None:
        click.echo(f"{len(chosen)} rule{'s' * (len(chosen) != 1)} of provider {rule_id}", err=True)
    return EXIT_CLEAN


@rules.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def check_rules(files: tuple[str, ...]) -> int:
    """Lint the built-in catalogue, or FILES (checked together with the built-ins)."""
    from leakwarden.lint import check_catalog
    from leakwarden.rules.catalog import load_catalog

    catalog = load_catalog(files)
    only = [r.id for r in catalog.rules if r.source in set(files)] if files else None
    problems = check_catalog(catalog, only=only)
    for problem in problems:
        click.echo(str(problem))
    checked = len(only) if only is not None else len(catalog)
    from leakwarden.reports.common import count_of

    click.echo(f"{count_of(checked, 'rule')} checked, {count_of(len(problems), 'problem')}", err=True)
    return EXIT_FINDINGS if problems else EXIT_CLEAN
