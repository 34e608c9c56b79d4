"""`leakwarden incidents …` and `leakwarden store migrate`: incidents from open to closed, from the
findings store (`scan … --record` fills it). Exit 0; 2 on a usage error (an unknown incident, an
action its state does not allow, an unreadable store)."""

from __future__ import annotations

import csv
import getpass
import io
import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from leakwarden.cli.main import EXIT_CLEAN, FullHelpGroup
from leakwarden.cli.options import format_option

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(func: F) -> F:
    return click.option(
        "--db",
        "db",
        metavar="URL",
        help="The store: a SQLAlchemy URL (postgresql://…) or a SQLite file [default: LEAKWARDEN_DB, else "
        "findings.db in the user data directory].",
    )(func)


def _open(db: str | None) -> Any:
    from leakwarden.store import open_store

    return open_store(db)


def _actor(by: str | None) -> str:
    if by:
        return by
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@click.group("incidents", cls=FullHelpGroup)
def incidents_group() -> None:
    """Incidents from open to closed: one per distinct credential, across every scan recorded."""


@incidents_group.command("list")
@_db_option
@click.option(
    "--state",
    "states",
    multiple=True,
    type=click.Choice(["open", "assigned", "resolved", "ignored"]),
    help="Only incidents in this state; repeatable [default: open and assigned].",
)
@click.option("--all", "everything", is_flag=True, help="Every incident, whatever its state.")
@click.option(
    "--provider", "providers", multiple=True, metavar="ID", help="Only this provider's; repeatable."
)
@click.option(
    "--confidence",
    "confidences",
    multiple=True,
    type=click.Choice(["low", "medium", "high"]),
    help="Only this confidence; repeatable.",
)
@click.option(
    "--live/--not-live", "live", default=None, help="Only those whose latest verdict is (not) live."
)
@click.option(
    "--target", metavar="PATH", help="Only credentials seen in this scan target (a directory, a repository)."
)
@click.option("--since", metavar="DATE", help="Only incidents opened on or after DATE (YYYY-MM-DD).")
@format_option("text", "json", "csv")
def list_cmd(
    *,
    db: str | None,
    states: tuple[str, ...],
    everything: bool,
    providers: tuple[str, ...],
    confidences: tuple[str, ...],
    live: bool | None,
    target: str | None,
    since: str | None,
    fmt: str,
) -> int:
    """List incidents, oldest first."""
    import datetime as dt

    from leakwarden.reports.common import safe
    from leakwarden.store.rows import Filters, list_incidents

    if since:
        try:
            dt.date.fromisoformat(since)
        except ValueError:
            raise click.BadParameter(f"{since!r} is not a date (YYYY-MM-DD)", param_hint="--since") from None
    if everything and states:
        raise click.UsageError("give either --all or --state, not both")
    chosen = () if everything else (states or ("open", "assigned"))
    store = _open(db)
    with store.begin() as tx:
        found = list_incidents(tx, Filters(chosen, providers, confidences, live, target, since))
    columns = (
        "id",
        "state",
        "resolution",
        "assignee",
        "rule_id",
        "confidence",
        "preview",
        "places",
        "last_verdict",
        "opened_at",
        "last_seen",
        "fingerprint",
    )
    rows = [{c: getattr(i, c) for c in columns} for i in found]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        for i in found:
            verdict = f"  verdict {i.last_verdict}" if i.last_verdict else ""
            who = f" ({i.assignee})" if i.assignee else ""
            state = i.state + (f": {i.resolution}" if i.resolution else "") + who
            click.echo(
                safe(
                    f"#{i.id:<5} {state:<24} {i.rule_id}  {i.preview}  {i.places} "
                    f"place{'s' if i.places != 1 else ''}{verdict}  {i.fingerprint[:16]}"
                )
            )
        if not found:
            click.echo(
                "No incidents"
                + (
                    " in that selection."
                    if providers or confidences or live is not None or target or since or states
                    else " open."
                )
            )
    return EXIT_CLEAN


@incidents_group.command("show")
@click.argument("incident")
@_db_option
@format_option("text", "json")
def show_cmd(*, incident: str, db: str | None, fmt: str) -> int:
    """Show one incident: places, verdicts, events and guide.

    Every place the credential was seen is listed newest first, then its verdicts and its audit
    trail, then its incident guide. INCIDENT is its number or 8+ digits of its fingerprint."""
    from dataclasses import asdict

    from leakwarden.incidents.service import show
    from leakwarden.remediate import render, rule_guide
    from leakwarden.reports.common import safe
    from leakwarden.rules.catalog import load_catalog

    store = _open(db)
    view = show(store, _resolve(store, incident))
    if fmt == "json":
        document = {
            "incident": asdict(view.incident),
            "places": [asdict(p) for p in view.places],
            "verdicts": [asdict(v) for v in view.verdicts],
            "events": [asdict(e) for e in view.events],
        }
        click.echo(json.dumps(document, indent=2))
        return EXIT_CLEAN
    i = view.incident
    lines = [
        f"Incident #{i.id} — {i.rule_id} {i.preview} — {i.state}"
        + (f" ({i.resolution})" if i.resolution else ""),
        f"  fingerprint {i.fingerprint}",
        f"  opened {i.opened_at}, updated {i.updated_at}"
        + (f", assigned to {i.assignee}" if i.assignee else ""),
        f"Places ({len(view.places)}, newest first):",
    ]
    for p in view.places:
        commit = f"  commit {p.commit_id[:12]} {p.author or ''} {p.commit_date or ''}" if p.commit_id else ""
        lines.append(f"  {p.path}:{p.line}:{p.col}  in {p.target}{commit}  (first seen {p.first_seen})")
    if view.verdicts:
        lines.append("Verdicts:")
        lines += [f"  {v.checked_at}  {v.status}  {v.reason}" for v in view.verdicts]
    lines.append("Events:")
    lines += [
        f"  {e.at}  {e.actor}  {e.kind} → {e.state}" + (f"  {e.note}" if e.note else "") for e in view.events
    ]
    click.echo("\n".join(safe(line) for line in lines))
    catalog = load_catalog()
    rule = catalog.get(i.rule_id)
    if rule is not None:
        click.echo("")
        click.echo(render([rule_guide(rule, catalog)], "text"), nl=False)
    return EXIT_CLEAN


def _resolve(store: Any, key: str) -> int:
    from leakwarden.errors import InputError
    from leakwarden.incidents.service import UnknownIncident, resolve_key

    try:
        return resolve_key(store, key)
    except UnknownIncident as exc:
        raise InputError(str(exc)) from None


def _act(store_db: str | None, key: str, action: str, by: str | None, **values: Any) -> int:
    from leakwarden.errors import InputError
    from leakwarden.incidents import TransitionError
    from leakwarden.incidents.service import act
    from leakwarden.reports.common import safe

    store = _open(store_db)
    try:
        updated = act(store, _resolve(store, key), action, actor=_actor(by), **values)
    except TransitionError as exc:
        raise InputError(f"incident {key}: {exc}") from None
    state = updated.state + (f" ({updated.resolution})" if updated.resolution else "")
    click.echo(safe(f"#{updated.id} {updated.rule_id}: {state}"))
    return EXIT_CLEAN


_by = click.option("--by", metavar="NAME", help="Who does it, for the audit trail [default: your user name].")
_note = click.option("--note", default="", help="Why, for the audit trail.")


@incidents_group.command("assign")
@click.argument("incident")
@click.option("--to", "assignee", required=True, metavar="NAME", help="Who handles it.")
@_by
@_note
@_db_option
def assign_cmd(*, incident: str, assignee: str, by: str | None, note: str, db: str | None) -> int:
    """Assign an open incident to someone."""
    return _act(db, incident, "assign", by, assignee=assignee, note=note)


@incidents_group.command("resolve")
@click.argument("incident")
@click.option(
    "--as",
    "resolution",
    required=True,
    type=click.Choice(["revoked", "rotated", "false_positive", "test_credential", "accepted_risk"]),
    help="How it was resolved.",
)
@_by
@_note
@_db_option
def resolve_cmd(*, incident: str, resolution: str, by: str | None, note: str, db: str | None) -> int:
    """Close an incident with its reason. It reopens by itself when the credential shows up in a new
    place, or is verified live after being marked revoked."""
    return _act(db, incident, "resolve", by, resolution=resolution, note=note)


@incidents_group.command("ignore")
@click.argument("incident")
@_by
@_note
@_db_option
def ignore_cmd(*, incident: str, by: str | None, note: str, db: str | None) -> int:
    """Set an incident aside without resolving it."""
    return _act(db, incident, "ignore", by, note=note)


@incidents_group.command("reopen")
@click.argument("incident")
@_by
@_note
@_db_option
def reopen_cmd(*, incident: str, by: str | None, note: str, db: str | None) -> int:
    """Reopen a resolved or ignored incident."""
    return _act(db, incident, "reopen", by, note=note)


@incidents_group.command("note")
@click.argument("incident")
@click.argument("text")
@_by
@_db_option
def note_cmd(*, incident: str, text: str, by: str | None, db: str | None) -> int:
    """Add a note to an incident's audit trail."""
    return _act(db, incident, "note", by, note=text)


@click.group("store", cls=FullHelpGroup)
def store_group() -> None:
    """The findings store itself."""


@store_group.command("migrate")
@_db_option
def migrate_cmd(*, db: str | None) -> int:
    """Bring the store's schema up to date and say its revision.

    Every command that opens the store does this too; this one says where the store stands."""
    from leakwarden.store.migrate import current, head

    store = _open(db)
    click.echo(f"{store.url.split('@')[-1]}: schema revision {current(store)} (newest: {head()})")
    return EXIT_CLEAN


@store_group.command("export")
@_db_option
@click.option(
    "-o",
    "--output",
    metavar="FILE",
    default="-",
    help="Write to FILE (replaced whole, never half-written) [default: standard output].",
)
def export_cmd(*, db: str | None, output: str) -> int:
    """Every row of the store as JSON lines: a header (schema revision, the key's fingerprint),
    then one object per row with its `table`, parents first. No secret: the store holds none."""
    import datetime as dt

    from leakwarden import __version__
    from leakwarden.store.transfer import export_lines

    store = _open(db)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        with click.open_file(output, "w", encoding="utf-8", atomic=output != "-") as out:
            for line in export_lines(store, now=stamp, tool_version=__version__):
                out.write(line + "\n")
    except OSError as exc:
        from leakwarden.errors import InputError

        raise InputError(f"{output}: cannot write the export: {exc.strerror}") from None
    return EXIT_CLEAN


@store_group.command("import")
@click.argument("file", metavar="FILE|-")
@_db_option
def import_cmd(*, file: str, db: str | None) -> int:
    """Read an export into this store, in one transaction (all or nothing), idempotently: rows
    already there are left as they are, events keep their times and actors. The file must come
    from a store at this store's schema revision."""
    from leakwarden.errors import InputError
    from leakwarden.store.transfer import import_lines

    store = _open(db)
    name = "<stdin>" if file == "-" else file
    try:
        with click.open_file(file, "r", encoding="utf-8", errors="strict") as handle:
            done = import_lines(store, handle, name=name)
    except OSError as exc:
        raise InputError(f"{name}: cannot read it: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{name}: not UTF-8 text: not a leakwarden store export") from None
    for warning in done.warnings:
        click.echo(f"leakwarden: warning: {warning}", err=True)
    added = ", ".join(f"{table} {count}" for table, count in sorted(done.added.items())) or "nothing"
    click.echo(
        f"imported {sum(done.added.values())} rows ({added}); {sum(done.present.values())} already present"
    )
    return EXIT_CLEAN
