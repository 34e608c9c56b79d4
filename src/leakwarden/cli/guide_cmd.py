"""`leakwarden guide RULE_ID|--list` and `leakwarden remediate --report FILE [FINGERPRINT]`:
what to do about a leaked credential, offline. Exit 0 with the guide; 2 on a usage or input
error (unknown rule, unreadable report, unknown fingerprint)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from leakwarden.cli.main import EXIT_CLEAN

F = TypeVar("F", bound=Callable[..., Any])


def _output_options(func: F) -> F:
    from leakwarden.cli.color import color_option
    from leakwarden.remediate import LANGUAGES, PLATFORMS

    decorators = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(["text", "md", "json"]),
            default="text",
            show_default=True,
            help="Output format: text (rich on a terminal), Markdown or JSON.",
        ),
        click.option(
            "--lang",
            "languages",
            multiple=True,
            type=click.Choice(list(LANGUAGES)),
            help="Only code snippets in this language; repeatable [default: all five].",
        ),
        click.option(
            "--platform",
            "platforms",
            multiple=True,
            type=click.Choice(list(PLATFORMS)),
            help="Only snippets for this secret store (env, aws, vault, conjur); repeatable.",
        ),
        click.option(
            "--rules",
            "rule_files",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="Include a rule file of your own; repeatable.",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, writable=True),
            help="Write to FILE instead of standard output.",
        ),
        color_option,
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def _write(text: str, output: str | None) -> None:
    from leakwarden.cli.options import write_file

    if output:
        write_file(output, text, "--output")
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _color(fmt: str, output: str | None, choice: str) -> bool:
    from leakwarden.cli.color import use_color

    return fmt == "text" and use_color(choice, sys.stdout, to_file=bool(output))


@click.command("guide")
@click.argument("rule_id", required=False)
@click.option(
    "--list", "list_guides", is_flag=True, help="List every rule's guide and how complete its data is."
)
@_output_options
def guide(
    rule_id: str | None,
    *,
    list_guides: bool,
    fmt: str,
    languages: tuple[str, ...],
    platforms: tuple[str, ...],
    rule_files: tuple[str, ...],
    output: str | None,
    color: str,
) -> int:
    """The incident guide of a credential type: RULE_ID (or a provider, e.g. scaleway)."""
    from leakwarden.cli.options import check_writable
    from leakwarden.remediate import render, render_list, resolve_rule, rule_guide
    from leakwarden.rules.catalog import load_catalog

    if output:
        check_writable(output, "--output")
    catalog = load_catalog(rule_files)
    if list_guides:
        rules = [r for r in catalog.rules if rule_id is None or rule_id in (r.provider, r.id)]
        if not rules:
            raise click.BadParameter(
                f"no rule or provider {rule_id!r}{catalog.nearest(rule_id or '')}", param_hint="RULE_ID"
            )
        _write(render_list([rule_guide(r, catalog) for r in rules], fmt), output)
        return EXIT_CLEAN
    if rule_id is None:
        raise click.UsageError("give a RULE_ID (see `leakwarden guide --list`)")
    rule = resolve_rule(catalog, rule_id)
    if rule is None:
        several = [r.id for r in catalog.rules if r.provider == rule_id]
        if several:
            raise click.BadParameter(
                f"provider {rule_id!r} has {len(several)} credential types; name one: {', '.join(several)}",
                param_hint="RULE_ID",
            )
        raise click.BadParameter(
            f"no rule or provider {rule_id!r}{catalog.nearest(rule_id)}", param_hint="RULE_ID"
        )
    built = rule_guide(rule, catalog, platforms or None, languages or None)
    _write(render([built], fmt, _color(fmt, output, color)), output)
    return EXIT_CLEAN


@click.command("remediate")
@click.argument("fingerprint", required=False)
@click.option(
    "--report",
    "report_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="The JSON report of a scan (`leakwarden scan … --format json -o report.json`).",
)
@_output_options
def remediate(
    fingerprint: str | None,
    *,
    report_file: str,
    fmt: str,
    languages: tuple[str, ...],
    platforms: tuple[str, ...],
    rule_files: tuple[str, ...],
    output: str | None,
    color: str,
) -> int:
    """The guide of each finding of a JSON report, or of the one FINGERPRINT (a prefix will do):
    where it was found, what it is bound to, what will stop working, what to do."""
    from leakwarden.cli.options import check_writable
    from leakwarden.cli.report_input import read_report, restore
    from leakwarden.errors import InputError
    from leakwarden.remediate import finding_guide, finding_info, render, select
    from leakwarden.rules.catalog import load_catalog

    if output:
        check_writable(output, "--output")
    everything = read_report(report_file)
    catalog = load_catalog(rule_files)
    chosen = select(everything, fingerprint, report_file)
    unknown = sorted({f.finding.rule_id for f in chosen if catalog.get(f.finding.rule_id) is None})
    if unknown:
        raise InputError(f"{report_file}: unknown rule {unknown[0]!r}; pass its rule file with --rules")
    raw_bytes, still_redacted = restore(everything, catalog)
    texts = {path: data.decode("utf-8", "replace") for path, data in raw_bytes.items()}
    pool = [item.finding for item in everything]
    fingerprints = {id(item.finding): item.fingerprint for item in everything}

    guides = []
    for item in chosen:
        info = finding_info(
            item.finding,
            texts=texts,
            pool=pool,
            redacted=item.fingerprint in still_redacted,
            fingerprint=item.fingerprint,
            fingerprint_of=lambda f: fingerprints.get(id(f), f.fingerprint),
        )
        guides.append(finding_guide(item.finding, catalog, info, platforms or None, languages or None))
    if not guides:
        click.echo("The report holds no findings: nothing to remediate.", err=True)
        return EXIT_CLEAN
    _write(render(guides, fmt, _color(fmt, output, color)), output)
    return EXIT_CLEAN
