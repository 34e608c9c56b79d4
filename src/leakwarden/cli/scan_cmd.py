"""`leakwarden scan …`: one subcommand per source, all with the same options and exit codes."""

from __future__ import annotations

import sys
from typing import Any

import click

from leakwarden.cli.options import ProgressBar, ScanArgs, emit, load_catalog_for, scan_args, scan_options


@click.group()
def scan() -> None:
    """Scan a source for leaked credentials."""


def _catalog(args: ScanArgs) -> Any:
    catalog = load_catalog_for(args)
    if args.rules:
        from leakwarden.errors import RuleError
        from leakwarden.lint import check_catalog

        user_ids = [r.id for r in catalog.rules if not r.source.startswith("builtin:")]
        problems = check_catalog(catalog, only=user_ids)
        if problems:
            first = problems[0]
            raise RuleError(first.source, first.rule_id, first.field, first.message)
    return catalog


def _confidence(args: ScanArgs) -> Any:
    from leakwarden.model import Confidence

    return Confidence.parse(args.min_confidence)


@scan.command("path")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--respect-gitignore", is_flag=True, help="Skip what .gitignore files ignore (default: scan every file)."
)
@scan_options
def scan_path(paths: tuple[str, ...], respect_gitignore: bool, **kwargs: Any) -> int:
    """Scan every regular file under PATHS (symlinks are not followed; .git folders are skipped)."""
    from leakwarden.scan import scan_paths

    args = scan_args(kwargs)
    catalog = _catalog(args)
    progress = ProgressBar(enabled=not args.quiet and sys.stderr.isatty())
    try:
        result = scan_paths(
            list(paths),
            exclude=args.exclude,
            max_file_size=args.max_file_size,
            include_binary=args.include_binary,
            respect_gitignore=respect_gitignore,
            catalog=catalog,
            engine=args.engine,
            min_confidence=_confidence(args),
            jobs=args.jobs,
            progress=progress,
        )
    finally:
        progress.close()
    return emit(result, catalog, args)


@scan.command("stdin")
@click.option(
    "--label", default="<stdin>", show_default=True, help="The path reports show for standard input."
)
@scan_options
def scan_stdin_cmd(label: str, **kwargs: Any) -> int:
    """Scan standard input as one blob (e.g. `cat app.log | leakwarden scan stdin`)."""
    from leakwarden.scan import scan_stdin

    args = scan_args(kwargs)
    catalog = _catalog(args)
    result = scan_stdin(
        sys.stdin.buffer, label=label, catalog=catalog, engine=args.engine, min_confidence=_confidence(args)
    )
    return emit(result, catalog, args)
