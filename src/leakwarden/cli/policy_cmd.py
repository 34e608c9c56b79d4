"""`leakwarden config show`, `baseline create|update`, `ignore`: what a team accepts, and why."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import click

from leakwarden.cli.main import EXIT_CLEAN, FullHelpGroup


@click.group("config", cls=FullHelpGroup)
def config_group() -> None:
    """Show the effective configuration."""


@config_group.command("show")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Read this file only.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format: a table for people, or JSON.",
)
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
            "quiet": True, "config_file": None, "baseline": None, "no_baseline": True,
        }
    )  # fmt: skip
    result = scan_paths(
        list(paths or (".",)),
        exclude=args.exclude,
        max_file_size=args.max_file_size,
        catalog=load_catalog_for(args),
        min_confidence=Confidence.parse(args.min_confidence),
        decode_depth=args.decode_depth,
    )
    return baseline_entries(result.findings, args.policy)


@click.group("baseline", cls=FullHelpGroup)
def baseline_group() -> None:
    """Record today's findings so that scans report only new ones."""


def _write_baseline(entries: list[Any], output: Path, keep: Any = ()) -> int:
    from leakwarden.cli.options import write_file
    from leakwarden.ignore.policy import render_baseline

    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    known = {e.fingerprint for e in entries}
    kept = [e for e in keep if e.fingerprint not in known]
    write_file(output, render_baseline([*entries, *kept], created), "baseline")
    count = len(known) + len(kept)
    from leakwarden.reports.common import count_of

    click.echo(f"baseline {output}: {count_of(count, 'fingerprint')} (no secrets are stored in it)", err=True)
    return EXIT_CLEAN


def _baseline_output(output: str | None) -> Path:
    """Where the baseline goes: --output, else where scans look for it by default."""
    from leakwarden.cli.options import check_writable
    from leakwarden.config import baseline_file, load_config, project_root

    target = Path(output) if output else baseline_file(load_config(), project_root())
    check_writable(target, "--output" if output else "baseline")
    return target


_OUTPUT_HELP = (
    "Where to write the baseline [default: the config's `baseline`, else .leakwarden-baseline.json at "
    "the project root (the directory of .leakwarden.toml or pyproject.toml, else of .git, else the "
    "working directory), which every scan then uses]."
)


@baseline_group.command("create")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", type=click.Path(dir_okay=False), help=_OUTPUT_HELP)
@click.option(
    "--from-report", type=click.Path(exists=True, dir_okay=False), help="Take the findings of a JSON report."
)
def baseline_create(paths: tuple[str, ...], output: str | None, from_report: str | None) -> int:
    """Write a baseline of the findings in PATHS (default: .) or in a JSON report. Scans then
    report only findings it does not hold (`--no-baseline` shows them all)."""
    target = _baseline_output(output)
    return _write_baseline(_current_entries(paths, from_report), target)


@baseline_group.command("update")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--output", "-o", type=click.Path(dir_okay=False), help=_OUTPUT_HELP)
@click.option(
    "--from-report", type=click.Path(exists=True, dir_okay=False), help="Take the findings of a JSON report."
)
def baseline_update(paths: tuple[str, ...], output: str | None, from_report: str | None) -> int:
    """Add today's findings to an existing baseline, keeping what it holds."""
    from leakwarden.errors import InputError
    from leakwarden.ignore.policy import read_baseline

    target = _baseline_output(output)
    if not target.exists():
        raise InputError(f"{target}: no baseline to update (use `leakwarden baseline create`)")
    existing = read_baseline(target)
    return _write_baseline(_current_entries(paths, from_report), target, keep=existing)


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


def _known_fingerprints(report: str | None, root: Path, config: Any) -> tuple[dict[str, str], str]:
    """Fingerprints a prefix may stand for (fingerprint -> rule id), and where they were found:
    the JSON report given, else the project's baseline and a scan of the project at every
    confidence (what any report of it could have shown)."""
    from leakwarden.cli.options import project_catalog
    from leakwarden.config import baseline_file
    from leakwarden.ignore.policy import read_baseline
    from leakwarden.model import Confidence
    from leakwarden.scan import scan_paths

    if report:
        return {e.fingerprint: e.rule_id for e in _entries_from_report(report)}, report
    known: dict[str, str] = {}
    baseline = baseline_file(config, root)
    searched = f"a scan of {root}"
    if config.baseline is not None or baseline.is_file():
        known.update((e.fingerprint, e.rule_id) for e in read_baseline(baseline))
        searched += f" or the baseline {baseline}"
    result = scan_paths(
        [str(root)],
        exclude=config.exclude,
        max_file_size=config.max_file_size,
        catalog=project_catalog(config),
        min_confidence=Confidence.LOW,
        decode_depth=config.decode_depth,
    )
    known.update((f.fingerprint, f.rule_id) for f in result.findings)
    return (
        known,
        searched + " (for a finding of another scan: --from-report REPORT.json, or the full fingerprint)",
    )


@click.command("ignore")
@click.argument("fingerprint")
@click.option("--reason", required=True, help="Why this finding is acceptable (recorded, required).")
@click.option("--path", "paths", multiple=True, metavar="GLOB", help="Accept it only there; repeatable.")
@click.option("--rule", "rule_id", default="", help="The finding's rule id [default: the finding's].")
@click.option(
    "--file", "ignore_file", type=click.Path(dir_okay=False), help="The ignore file [default: the config's]."
)
@click.option(
    "--from-report",
    type=click.Path(exists=True, dir_okay=False),
    help="Resolve a fingerprint prefix among the findings of this JSON report [default: scan the project].",
)
def ignore_command(
    fingerprint: str,
    *,
    reason: str,
    paths: tuple[str, ...],
    rule_id: str,
    ignore_file: str | None,
    from_report: str | None,
) -> int:
    """Accept one finding by FINGERPRINT in the reviewed ignore file. FINGERPRINT is the full
    fingerprint (JSON, SARIF, the baseline) or a unique prefix of at least 8 hex digits (the text
    report shows 16), found among the findings of --from-report or of a scan of the project; the
    file always records the full fingerprint."""
    from leakwarden.cli.options import check_writable, write_file
    from leakwarden.config import load_config, project_root
    from leakwarden.errors import InputError
    from leakwarden.ignore.fingerprints import check_prefix, is_full, resolve_prefix
    from leakwarden.ignore.policy import IgnoreEntry, load_ignore_file, parse_ignore_file, render_ignore_entry

    if not reason.strip():
        raise click.BadParameter("give a reason (it is recorded for reviewers)", param_hint="--reason")
    wanted = check_prefix(fingerprint, "FINGERPRINT")
    config = load_config()
    root = project_root()
    target = Path(ignore_file) if ignore_file else None
    if target is None:
        configured = Path(config.ignore_file)
        target = configured if configured.is_absolute() else root / configured
    check_writable(target, "--file" if ignore_file else "ignore file")
    existing_entries = load_ignore_file(target)
    if is_full(wanted) and not from_report:
        full = wanted
    else:
        known, searched = _known_fingerprints(from_report, root, config)
        full = resolve_prefix(wanted, known, "FINGERPRINT", searched)
        rule_id = rule_id or known[full]
    if any(e.fingerprint == full for e in existing_entries):
        raise InputError(f"{target}: {full} is already ignored")
    entry = IgnoreEntry(full, reason.strip(), rule_id, paths, _who(), dt.date.today().isoformat())
    text = render_ignore_entry(entry)
    parse_ignore_file(text, "the new entry")  # refuse to write what could not be read back
    existing = (
        target.read_text(encoding="utf-8") if target.exists() else "# Reviewed exceptions: see README.\n"
    )
    write_file(target, existing.rstrip("\n") + "\n\n" + text, "ignore file")
    click.echo(f"{target}: ignoring {full} ({reason.strip()})", err=True)
    return EXIT_CLEAN
