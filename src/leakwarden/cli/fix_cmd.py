"""`leakwarden fix PATH... [--apply]`: rewrite hardcoded credentials into environment lookups.

The diff goes to stdout (a patch, secrets redacted unless --show-secrets); what was planned,
refused and must be rotated goes to stderr. Exit 0: nothing to fix; 1: fixes proposed or
applied, or files to fix by hand; 2: usage or input error.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from leakwarden.cli.main import EXIT_CLEAN, EXIT_FINDINGS
from leakwarden.reports.common import count_of

ROTATE = {
    False: "Rotate this credential now: it is already leaked (git history, clones, CI logs, backups). "
    "Removing it from the code does not un-leak it: revoke it at the provider, then put the new value "
    "in {env}.",
    True: "Rotate these credentials now: they are already leaked (git history, clones, CI logs, backups). "
    "Removing them from the code does not un-leak them: revoke them at the provider, then put the new "
    "values in {env}.",
}


@click.command("fix")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--apply", "apply_changes", is_flag=True, help="Write the changes (default: only show the diff)."
)
@click.option("--show-secrets", is_flag=True, help="Print secrets in full in the diff (redacted by default).")
@click.option(
    "--env-file",
    default=".env",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="Environment file the values go to (git-ignored); their names go to FILE.example.",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB; repeatable.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Configuration file (rules, confidence, ignore file, baseline, allowlists) [default: found "
    "from the working directory up].",
)
def fix(
    paths: tuple[str, ...],
    *,
    apply_changes: bool,
    show_secrets: bool,
    env_file: str,
    exclude: tuple[str, ...],
    config_file: str | None,
) -> int:
    """Rewrite hardcoded credentials under PATHS into environment lookups (dry run unless --apply)."""
    from leakwarden.fix import apply, plan_fixes, render_diff

    config, catalog, keep = _policy(config_file)
    plan = plan_fixes(
        list(paths),
        env_file=env_file,
        catalog=catalog,
        min_confidence=config.min_confidence,
        exclude=(*config.exclude, *exclude),
        keep=keep,
    )
    sys.stdout.write(render_diff(plan, show_secrets))
    sys.stdout.flush()
    _summary(plan, catalog, show_secrets)
    if plan.changes:
        if apply_changes:
            written = apply(plan)
            click.echo(f"Applied: {count_of(len(written), 'file')} written.", err=True)
        else:
            click.echo(
                "Dry run: nothing was changed. Run again with --apply to write these changes.", err=True
            )
    if plan.findings:
        _rotation_reminder(plan, catalog, show_secrets)
    return EXIT_FINDINGS if plan.needs_action else EXIT_CLEAN


def _policy(config_file: str | None) -> tuple[Any, Any, Any]:
    """The project's configuration, catalogue, and a filter applying its ignore policy (the
    ignore file, the baseline, the allowlists), as `scan` applies them."""
    from leakwarden.cli.options import project_catalog
    from leakwarden.config import load_config, project_root
    from leakwarden.ignore.policy import apply_policy, load_policy

    explicit = Path(config_file) if config_file else None
    config = load_config(explicit=explicit)
    catalog = project_catalog(config)
    policy = load_policy(config, project_root(explicit))
    return config, catalog, lambda findings: apply_policy(findings, policy)[0]


def _summary(plan: Any, catalog: Any, show_secrets: bool) -> None:
    from leakwarden.fix import Status
    from leakwarden.reports.common import safe

    def echo(text: str) -> None:
        click.echo(text, err=True)

    if not plan.findings:
        echo("leakwarden fix: no hardcoded credentials found.")
        return
    echo(
        f"leakwarden fix: {count_of(len(plan.findings), 'credential')} "
        f"in {count_of(len(plan.outcomes), 'file')}"
    )
    for outcome in plan.outcomes:
        line = f"  {outcome.status:<11} {safe(outcome.path)}"
        if outcome.names:
            line += f"  ({', '.join(outcome.names)})"
        if outcome.reason and outcome.status != Status.REWRITE:
            line += f": {outcome.reason}"
        echo(line)
        for note in outcome.notes:
            echo(f"              note: {note}")
    rewritten = {Path(o.path) for o in plan.outcomes if o.status == Status.REWRITE}
    for change in plan.changes:
        if change.path not in rewritten:
            verb = "create" if change.old is None else "update"
            echo(f"  {verb:<11} {safe(str(change.path))}")
    if plan.entries:
        echo(
            f"  {count_of(len(plan.entries), 'variable')} for {plan.env_file}: "
            + ", ".join(e.name for e in plan.entries)
        )
    for note in plan.notes:
        echo(f"Note: {note}")


def _rotation_reminder(plan: Any, catalog: Any, show_secrets: bool) -> None:
    from leakwarden.reports.common import display, safe

    click.echo("", err=True)
    click.echo(ROTATE[len(plan.findings) > 1].format(env=plan.env_file), err=True)
    for finding in plan.findings:
        rule = catalog.get(finding.rule_id)
        name = rule.name if rule is not None else finding.rule_id
        shown = ", ".join(display(v, show_secrets) for v in finding.parts.values()) or display(
            finding.secret, show_secrets
        )
        revoke = (
            f" — revoke it {rule.playbook.revoke_at}" if rule is not None and rule.playbook.revoke_at else ""
        )
        click.echo(f"  - {name} ({safe(shown)}){revoke}", err=True)
