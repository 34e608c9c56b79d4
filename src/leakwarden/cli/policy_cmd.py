"""`leakwarden config show`, `baseline create|update`, `ignore`: what a team accepts, and why."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import click

from leakwarden.cli.main import EXIT_CLEAN


@click.group("config")
def config_group() -> None:
    """Show the effective configuration."""


@config_group.command("show")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Read this file only.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def config_show(config_file: str | None, fmt: str) -> int:
    """Print every setting, its value and where the value came from."""
    from leakwarden.config import load_config
    from leakwarden.model import Confidence

    config = load_config(explicit=Path(config_file) if config_file else None)

    def plain(value: Any) -> Any:
        if isinstance(value, Confidence):
            return value.label
        return list(value) if isinstance(value, tuple) else value

    rows = [(key, plain(value), origin) for key, value, origin in config.items()]
    if fmt == "json":
        click.echo(json.dumps([{"key": k, "value": v, "origin": o} for k, v, o in rows], indent=2))
        return EXIT_CLEAN
    width = max(len(k) for k, _, _ in rows)
    for key, value, origin in rows:
        click.echo(f"{key:<{width}}  {json.dumps(value)}  ({origin})")
    return EXIT_CLEAN


def _entries_from_report(path: str) -> list[Any]:
    """Baseline entries from a JSON report of any scan (path, git, stdin...)."""
    from leakwarden.errors import InputError
    from leakwarden.ignore.policy import BaselineEntry

    try:
        rows = json.loads(Path(path).read_text(encoding="utf-8"))["findings"]
        return [
            BaselineEntry(
                str(row["fingerprint"]),
                str(row["rule_id"]),
                tuple(sorted({f"{o['path']}:{o['line']}" for o in row.get("occurrences", [])})),
            )
            for row in rows
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"{path}: not a leakwarden JSON report ({exc!r})") from None


def _current_entries(paths: tuple[str, ...], report: str | None) -> list[Any]:
    if report:
        return _entries_from_report(report)
    from leakwarden.cli.options import load_catalog_for, scan_args
    from leakwarden.ignore.policy import baseline_entries
    from leakwarden.model import Confidence
    from leakwarden.scan import scan_paths

    args = scan_args(
        {
            "fmt": "json", "output": None, "show_secrets": False, "rules": (), "min_confidence": None,
            "exclude": (), "max_file_size": None, "jobs": 0, "engine": "auto", "include_binary": False,
            "quiet": True, "config_file": None, "baseline": None,
        }
    )  # fmt: skip
    result = scan_paths(
        list(paths or (".",)),
        exclude=args.exclude,
        max_file_size=args.max_file_size,
        catalog=load_catalog_for(args),
        min_confidence=Confidence.parse(args.min_confidence),
    )
    return baseline_entries(result.findings, args.policy)


@click.group("baseline")
def baseline_group() -> None:
    """Record today's findings so that scans report only new ones."""


def _write_baseline(entries: list[Any], output: str, keep: Any = ()) -> int:
    from leakwarden.ignore.policy import render_baseline

    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    known = {e.fingerprint for e in entries}
    kept = [e for e in keep if e.fingerprint not in known]
    Path(output).write_text(render_baseline([*entries, *kept], created), encoding="utf-8")
    count = len(known) + len(kept)
    click.echo(f"baseline {output}: {count} fingerprints (no secrets are stored in it)", err=True)
    return EXIT_CLEAN


@baseline_group.command("create")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", default=".leakwarden-baseline.json", show_default=True, type=click.Path())
@click.option(
    "--from-report", type=click.Path(exists=True, dir_okay=False), help="Take the findings of a JSON report."
)
def baseline_create(paths: tuple[str, ...], output: str, from_report: str | None) -> int:
    """Write a baseline of the findings in PATHS (default: .) or in a JSON report."""
    return _write_baseline(_current_entries(paths, from_report), output)


@baseline_group.command("update")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", default=".leakwarden-baseline.json", show_default=True, type=click.Path())
@click.option(
    "--from-report", type=click.Path(exists=True, dir_okay=False), help="Take the findings of a JSON report."
)
def baseline_update(paths: tuple[str, ...], output: str, from_report: str | None) -> int:
    """Add today's findings to an existing baseline, keeping what it holds."""
    from leakwarden.errors import InputError
    from leakwarden.ignore.policy import parse_baseline_entries

    try:
        existing = parse_baseline_entries(Path(output).read_text(encoding="utf-8"), output)
    except FileNotFoundError:
        raise InputError(f"{output}: no baseline to update (use `leakwarden baseline create`)") from None
    return _write_baseline(_current_entries(paths, from_report), output, keep=existing)


def _who() -> str:
    try:
        done = subprocess.run(
            ["git", "var", "GIT_COMMITTER_IDENT"], capture_output=True, text=True, check=False, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        done = None
    if done is not None and done.returncode == 0 and ">" in done.stdout:
        return done.stdout.split(">", 1)[0] + ">"
    return os.environ.get("USER", "")


@click.command("ignore")
@click.argument("fingerprint")
@click.option("--reason", required=True, help="Why this finding is acceptable (recorded, required).")
@click.option("--path", "paths", multiple=True, metavar="GLOB", help="Accept it only there; repeatable.")
@click.option("--rule", "rule_id", default="", help="The finding's rule id, for readers of the file.")
@click.option(
    "--file", "ignore_file", type=click.Path(dir_okay=False), help="The ignore file [default: the config's]."
)
def ignore_command(
    fingerprint: str, reason: str, paths: tuple[str, ...], rule_id: str, ignore_file: str | None
) -> int:
    """Accept one finding by FINGERPRINT in the reviewed ignore file."""
    from leakwarden.config import find_project_dir, load_config
    from leakwarden.errors import InputError
    from leakwarden.ignore.policy import IgnoreEntry, load_ignore_file, parse_ignore_file, render_ignore_entry

    target = Path(ignore_file) if ignore_file else None
    if target is None:
        configured = Path(load_config().ignore_file)
        target = configured if configured.is_absolute() else find_project_dir(Path.cwd()) / configured
    if any(e.fingerprint == fingerprint for e in load_ignore_file(target)):
        raise InputError(f"{target}: {fingerprint} is already ignored")
    entry = IgnoreEntry(fingerprint, reason.strip(), rule_id, paths, _who(), dt.date.today().isoformat())
    text = render_ignore_entry(entry)
    parse_ignore_file(text, "the new entry")  # refuse to write what could not be read back
    existing = (
        target.read_text(encoding="utf-8") if target.exists() else "# Reviewed exceptions: see README.\n"
    )
    target.write_text(existing.rstrip("\n") + "\n\n" + text, encoding="utf-8")
    click.echo(f"{target}: ignoring {fingerprint} ({reason.strip()})", err=True)
    return EXIT_CLEAN
