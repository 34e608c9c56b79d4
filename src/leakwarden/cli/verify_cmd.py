"""`leakwarden verify RULE_ID [SECRET]`: is this credential still live, and whose is it?

The question every incident starts from. The secret is read from standard input when it is not
given (so it stays out of shell history). Exit 1 when the provider accepted it (live), 0 when it
did not or could not say, 2 on a usage error. `--dry-run` prints the request, redacted, and
sends nothing.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from leakwarden.cli.main import EXIT_CLEAN, EXIT_FINDINGS
from leakwarden.cli.options import format_option, rule_files_option, timeout_option

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
        from leakwarden.rules.verify_schema import LocalCheck

        # a private key spans lines: read it whole (`verify private_key.openssh < id_ed25519`)
        whole = isinstance(rule.verify, LocalCheck)
        secret = (sys.stdin.read() if whole else sys.stdin.readline()).strip()
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
@click.argument("rule_id", required=False)
@click.argument("secret", required=False)
@click.option(
    "--report",
    "report_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Check the findings of a saved JSON report instead (RULE_ID then names one by fingerprint "
    "prefix); redacted secrets are read back from the files the report names.",
)
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
@format_option("text", "json")
@timeout_option
@rule_files_option
def verify(
    *,
    rule_id: str | None,
    secret: str | None,
    report_file: str | None,
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
    secret), SECRET is the first half and --partner the second. With --report, every finding of a
    saved JSON report is checked (or the one whose fingerprint starts with RULE_ID)."""
    from leakwarden import __version__
    from leakwarden.model import Verdict, VerdictStatus
    from leakwarden.net import Net, NetSettings
    from leakwarden.verify import check, describe, plan_check

    if report_file:
        if secret or partner:
            raise click.UsageError(
                "with --report, give at most a fingerprint prefix (the secrets are in the report)"
            )
        return _verify_report(
            report_file,
            prefix=rule_id,
            context=context,
            no_cache=no_cache,
            dry_run=dry_run,
            fmt=fmt,
            timeout=timeout,
            rule_files=rule_files,
        )
    if not rule_id:
        raise click.UsageError("give a RULE_ID and its SECRET, or --report FILE")
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
    from leakwarden.verify.cache import cache_key, default_cache

    cache = default_cache()
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


@click.command()
@click.argument("rule_id")
@click.argument("secret", required=False)
@click.option("--partner", help="The other half of a paired credential.")
@click.option(
    "--context",
    "context",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value the revocation needs (e.g. account=acme); repeatable.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@click.option(
    "--dry-run", is_flag=True, help="Print what would be sent, redacted, and what it does; send nothing."
)
@timeout_option
@rule_files_option
def revoke(
    *,
    rule_id: str,
    secret: str | None,
    partner: str | None,
    context: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    timeout: float,
    rule_files: tuple[str, ...],
) -> int:
    """Revoke a leaked credential through its provider's API, where the provider has one.

    Do it once the replacement is in place (the guide's rotation order): whatever still uses the
    credential stops working. Shows what will be sent and what it does, then asks you to type the
    provider's name (--yes for scripts). Exit 0 when the provider revoked it, 1 when it did not,
    2 on a usage error or a type without a revocation API."""
    from leakwarden import __version__
    from leakwarden.errors import InputError
    from leakwarden.model import Verdict, VerdictStatus
    from leakwarden.net import Net, NetSettings
    from leakwarden.reports.common import safe
    from leakwarden.verify import describe
    from leakwarden.verify.cache import cache_key, default_cache
    from leakwarden.verify.revoke import Revocation, RevokeStatus, plan_revoke
    from leakwarden.verify.revoke import revoke as send_revoke

    from_stdin = secret is None or secret == "-"
    _, rule, values = resolve_credential(rule_id, secret, partner, context, rule_files)
    planned = plan_revoke(rule, values)
    if isinstance(planned, Revocation):
        raise InputError(f"cannot revoke {rule.id}: {planned.reason}")
    assert rule.revoke is not None
    click.echo(f"{rule.name} ({rule.id}) at {planned.request.host}")
    click.echo(
        f"  effect  {rule.revoke.effect}" + ("" if rule.revoke.reversible else " This cannot be undone.")
    )
    click.echo("  request " + describe(planned).replace("\n", "\n          "))
    if dry_run:
        click.echo("(dry run: nothing was sent)", err=True)
        return EXIT_CLEAN
    if not yes:
        if from_stdin or not sys.stdin.isatty():
            raise InputError(
                "confirming needs a terminal: give the secret as an argument there, or pass --yes"
            )
        typed = click.prompt(f"Type {rule.provider_name} to revoke it", default="", show_default=False)
        if typed.strip().lower() not in (rule.provider_name.lower(), rule.provider.lower()):
            click.echo("Not confirmed: nothing was sent.", err=True)
            return EXIT_FINDINGS
    with Net(NetSettings(timeout_s=timeout, user_agent=f"leakwarden/{__version__}")) as net:
        outcome = send_revoke(rule, values, net)
    click.echo(safe(f"{rule.id}: {outcome.status.upper()} — {outcome.reason}"))
    if outcome.status == RevokeStatus.REVOKED:
        # A check right after would say the same, for a week; never let a stale "live" speak.
        default_cache().put(
            cache_key(rule.id, values),
            Verdict(
                VerdictStatus.DEAD,
                f"revoked with leakwarden revoke ({outcome.reason})",
                outcome.at,
                outcome.host,
            ),
        )
        click.echo(f"Next: check its use while it was live (leakwarden guide {rule.id}, step 5).")
        return EXIT_CLEAN
    return EXIT_FINDINGS


def _verify_report(
    report_file: str,
    *,
    prefix: str | None,
    context: tuple[str, ...],
    no_cache: bool,
    dry_run: bool,
    fmt: str,
    timeout: float,
    rule_files: tuple[str, ...],
) -> int:
    """Verdicts for a saved report's findings: exit 1 when any is live."""
    from leakwarden import __version__
    from leakwarden.cli.report_input import read_report, restore
    from leakwarden.errors import InputError
    from leakwarden.model import Verdict, VerdictStatus
    from leakwarden.net import Net, NetSettings
    from leakwarden.remediate import select
    from leakwarden.reports.common import safe
    from leakwarden.rules.catalog import load_catalog
    from leakwarden.verify import describe, verify_findings
    from leakwarden.verify import dry_run as plan_all
    from leakwarden.verify.cache import default_cache

    everything = read_report(report_file)
    catalog = load_catalog(rule_files)
    chosen = select(everything, prefix, report_file)
    unknown = sorted({f.finding.rule_id for f in chosen if catalog.get(f.finding.rule_id) is None})
    if unknown:
        raise InputError(f"{report_file}: unknown rule {unknown[0]!r}; pass its rule file with --rules")
    _, still_redacted = restore(everything, catalog)
    lost = {item.fingerprint for item in chosen if item.fingerprint in still_redacted}
    checkable = [item.finding for item in chosen if item.fingerprint not in lost]
    by_fingerprint = {id(item.finding): item.fingerprint for item in chosen}
    values = _pairs(context)
    if dry_run:
        for finding, (_, planned) in zip(checkable, plan_all(checkable, catalog, values), strict=True):
            head = f"{by_fingerprint[id(finding)][:16]}  {finding.rule_id}"
            if isinstance(planned, Verdict):
                click.echo(safe(f"{head}: no request: {planned.reason}"))
            else:
                click.echo(f"{head}\n{describe(planned)}\n")
        click.echo("(dry run: nothing was sent)", err=True)
        return EXIT_CLEAN
    cache = None if no_cache else default_cache()
    with Net(NetSettings(timeout_s=timeout, user_agent=f"leakwarden/{__version__}")) as net:
        found = verify_findings(checkable, catalog, net, cache=cache, context=values)
    rows = []
    for item in chosen:
        if item.fingerprint in lost:
            path = item.finding.occurrences[0].provenance.path
            verdict = Verdict(
                VerdictStatus.NOT_CHECKABLE,
                f"the report redacts it and {path} no longer holds it "
                "(scan with --show-secrets, or verify RULE_ID SECRET)",
            )
        else:
            verdict = found.get(item.finding.fingerprint) or Verdict(VerdictStatus.NOT_CHECKABLE)
        rows.append((item, verdict))
    rows.sort(key=lambda row: row[1].status != VerdictStatus.LIVE)  # live first
    _show_rows(rows, fmt)
    live = any(v.status == VerdictStatus.LIVE for _, v in rows)
    return EXIT_FINDINGS if live else EXIT_CLEAN


def _show_rows(rows: list[tuple[Any, Any]], fmt: str) -> None:
    from leakwarden.reports.common import safe, verdict_fields, verdict_line

    if fmt == "json":
        document = [
            {"fingerprint": item.fingerprint, "rule_id": item.finding.rule_id, "verdict": verdict_fields(v)}
            for item, v in rows
        ]
        click.echo(json.dumps(document, indent=2))
    else:
        for item, v in rows:
            place = item.finding.occurrences[0]
            where = f"{place.provenance.path}:{place.location.line}"
            click.echo(safe(f"{item.fingerprint[:16]}  {item.finding.rule_id}  {where}"))
            click.echo(f"  {verdict_line(v)}")
