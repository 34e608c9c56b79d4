"""`leakwarden inventory FINGERPRINT|SECRET|-`: every place the store saw a credential or its
pair partner, grouped by scan target, newest first. Exit 0 when the store knows it, 1 when it
does not (so a script can ask "was this ever seen?"), 2 on a usage error."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

import click

from leakwarden.cli.incidents_cmd import _db_option, _open
from leakwarden.cli.main import EXIT_CLEAN, EXIT_FINDINGS
from leakwarden.cli.options import format_option


def _values(text: str) -> list[str]:
    """What stdin holds: the whole text (a multi-line private key) and each line (a key id and
    its secret, one a line)."""
    whole = text.strip("\r\n")
    lines = [line.strip() for line in whole.splitlines() if line.strip()]
    return list(dict.fromkeys([whole.strip(), *lines]))


def _read_secret() -> str:
    """Standard input, or at a terminal a prompt that does not echo what is typed."""
    if sys.stdin.isatty():
        return str(click.prompt("Secret (not shown)", hide_input=True, err=True))
    return sys.stdin.read()


@click.command("inventory")
@click.argument("credential", metavar="FINGERPRINT|SECRET|-")
@_db_option
@format_option("text", "json")
def inventory(*, credential: str, db: str | None, fmt: str) -> int:
    """Which services will break when I revoke it? Every repository, directory, file, commit,
    image layer, package and CI configuration where the store saw the credential or its pair
    partner, grouped by what was scanned, newest first. Give 8+ hex digits of its fingerprint,
    or `-` to read the secret (or one half of a pair; or both, one a line) from stdin: it is
    hashed with the store key and never shown."""
    from leakwarden.errors import InputError
    from leakwarden.incidents.inventory import (
        NotInventoried,
        by_fingerprint,
        inventory_of_fingerprint,
        inventory_of_secret,
    )

    store = _open(db)
    try:
        if credential == "-":
            found = inventory_of_secret(store, _values(_read_secret()))
        else:
            fingerprint = by_fingerprint(store, credential)
            found = (
                inventory_of_fingerprint(store, fingerprint)
                if fingerprint
                else inventory_of_secret(store, [credential])
            )
    except NotInventoried as exc:
        raise InputError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(_document(found), indent=2))
    else:
        _text(found)
    return EXIT_CLEAN if found.found else EXIT_FINDINGS


def _document(found: Any) -> dict[str, Any]:
    return {
        "found": found.found,
        "asked": found.asked,
        "credentials": [{**asdict(c.credential), "why": c.why} for c in found.credentials],
        "targets": [asdict(t) for t in found.targets],
    }


def _text(found: Any) -> None:
    from leakwarden.reports.common import safe

    if not found.found:
        what = "secret" if found.asked == "secret" else "fingerprint"
        click.echo(f"No credential with that {what} in the store.")
        return
    lines = ["Credentials:"]
    for related in found.credentials:
        c = related.credential
        incident = f"  incident #{c.incident_id} {c.state}" if c.incident_id is not None else ""
        resolution = f" ({c.resolution})" if c.resolution else ""
        why = "" if related.why == "matched" else f"  [{related.why}]"
        lines.append(f"  {c.rule_id}  {c.preview}  {c.fingerprint[:16]}{incident}{resolution}{why}")
    several = len(found.credentials) > 1
    for group in found.targets:
        count = len(group.places)
        lines.append(f"{group.target}  ({count} place{'s' if count != 1 else ''}, newest first)")
        for p in group.places:
            commit = (
                f"  commit {p.commit_id[:12]} {p.author or ''} {p.commit_date or ''}" if p.commit_id else ""
            )
            which = f"  {p.rule_id}" if several else ""
            lines.append(
                f"  [{p.category}] {p.path}:{p.line}:{p.col}{which}{commit}  (first seen {p.first_seen})"
            )
    click.echo("\n".join(safe(line) for line in lines))
