"""`leakwarden verify RULE_ID [SECRET]`: is this credential still live, and whose is it?

The question every incident starts from. The secret is read from standard input when it is not
given (so it stays out of shell history). Exit 1 when the provider accepted it (live), 0 when it
did not or could not say, 2 on a usage error. `--dry-run` prints the request, redacted, and
sends nothing.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from leakwarden.cli.main import EXIT_CLEAN, EXIT_FINDINGS

if TYPE_CHECKING:
    from leakwarden.rules.catalog import Catalog
    from leakwarden.rules.schema import Rule


def _pairs(items: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--context")
        values[name.strip()] = value
    return values


def resolve_credential(
    rule_id: str,
    secret: str | None,
    partner: str | None,
    context: tuple[str, ...],
    rule_files: tuple[str, ...],
) -> tuple[Catalog, Rule, dict[str, str]]:
    """The rule and the template values of a credential given on the command line (the secret
    from standard input when absent); a half given with its partner becomes its pair."""
    from leakwarden.rules.catalog import load_catalog
    from leakwarden.verify import values_for

    catalog = load_catalog(rule_files)
    rule = catalog.get(rule_id)
    if rule is None:
        raise click.BadParameter(f"no rule {rule_id!r}{catalog.nearest(rule_id)}", param_hint="RULE_ID")
    if secret is None or secret == "-":
        secret = sys.stdin.readline().strip()
    if not secret:
        raise click.BadParameter(
            "give the credential as an argument or on standard input", param_hint="SECRET"
        )
    if partner:
        for pair_rule in catalog.rules:
            if pair_rule.pair is not None and rule.id in (pair_rule.pair.anchor, pair_rule.pair.partner):
                first, second = (secret, partner) if rule.id == pair_rule.pair.anchor else (partner, secret)
                rule, secret, partner = pair_rule, first, second
                break
    parts: dict[str, str] = {}
    if rule.pair is not None:
        if not partner:
            raise click.BadParameter(
                f"{rule.id} is a pair: give its {rule.pair.partner_role} with --partner",
                param_hint="--partner",
            )
        parts = {rule.pair.anchor_role: secret, rule.pair.partner_role: partner}
        secret = partner
    elif partner:
        raise click.BadParameter(f"{rule.id} is not a paired credential", param_hint="--partner")
    return catalog, rule, values_for(rule, secret, parts, {}, _pairs(context))


@click.command()
@click.argument("rule_id")
@click.argument("secret", required=False)
@click.option(
    "--partner", help="The other half of a paired credential (e.g. the secret beside an access key id)."
)
@click.option(
    "--context",
    "context",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value the check needs (e.g. account=acme); repeatable.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Ask the provider even if a recent verdict is cached (live: 1 hour, dead: 7 days).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the request the check would send, redacted; send nothing."
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.5, 120),
    default=10.0,
    show_default=True,
    help="Seconds to wait for the provider.",
)
@click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Include a rule file of your own; repeatable.",
)
def verify(
    *,
    rule_id: str,
    secret: str | None,
    partner: str | None,
    context: tuple[str, ...],
    no_cache: bool,
    dry_run: bool,
    fmt: str,
    timeout: float,
    rule_files: tuple[str, ...],
) -> int:
    """Ask the provider that issued a credential whether it is live, and whose it is.

    SECRET is read from standard input when omitted. For a pair rule (an access key id with its
    secret), SECRET is the first half and --partner the second."""
    from leakwarden import __version__
    from leakwarden.model import Verdict, VerdictStatus
    from leakwarden.net import Net, NetSettings
    from leakwarden.verify import check, describe, plan_check

    catalog, rule, values = resolve_credential(rule_id, secret, partner, context, rule_files)
    if rule.verify is None and rule.pair is None:
        pairs = [
            p.id for p in catalog.rules if p.pair and rule.id in (p.pair.anchor, p.pair.partner) and p.verify
        ]
        if pairs:
            verdict = Verdict(
                VerdictStatus.NOT_CHECKABLE, f"half of {pairs[0]}: give the other half with --partner"
            )
            return _show(rule.id, verdict, fmt)
    if dry_run:
        planned = plan_check(rule, values)
        if isinstance(planned, Verdict):
            return _show(rule.id, planned, fmt)
        click.echo(describe(planned))
        click.echo("(dry run: nothing was sent)", err=True)
        return EXIT_CLEAN
    from leakwarden.rules.cache import cache_dir
    from leakwarden.verify.cache import VerdictCache, cache_key

    cache = VerdictCache(cache_dir() / "verdicts")
    key = cache_key(rule.id, values)
    cached = None if no_cache else cache.get(key)
    if cached is not None:
        return _show(rule.id, cached, fmt, cached=True)
    with Net(NetSettings(timeout_s=timeout, user_agent=f"leakwarden/{__version__}")) as net:
        verdict = check(rule, values, net)
    cache.put(key, verdict)
    return _show(rule.id, verdict, fmt)


def _show(rule_id: str, verdict: object, fmt: str, cached: bool = False) -> int:
    from leakwarden.model import Verdict, VerdictStatus

    assert isinstance(verdict, Verdict)
    if fmt == "json":
        row = {
            "rule_id": rule_id,
            "status": verdict.status,
            "reason": verdict.reason,
            "checked_at": verdict.checked_at,
            "host": verdict.host,
            "http_status": verdict.http_status,
            "identity": dict(verdict.identity),
            "cached": cached,
        }
        click.echo(json.dumps(row, indent=2))
    else:
        when = f" (cached, checked {verdict.checked_at})" if cached else ""
        click.echo(f"{rule_id}: {verdict.status.upper()} — {verdict.reason}{when}")
        for label, value in verdict.identity.items():
            click.echo(f"  {label:<12} {click.style(value, bold=False)}")
    return EXIT_FINDINGS if verdict.status == VerdictStatus.LIVE else EXIT_CLEAN
