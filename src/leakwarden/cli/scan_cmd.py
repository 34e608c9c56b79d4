"""`leakwarden scan …`: one subcommand per source, all with the same options and exit codes."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from leakwarden.cli.main import FullHelpGroup
from leakwarden.cli.options import (
    ProgressBar,
    ScanArgs,
    SizeParam,
    emit,
    load_catalog_for,
    scan_args,
    scan_options,
    stream_scan_options,
)

T = TypeVar("T")


@click.group(cls=FullHelpGroup)
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


def _run(
    args: ScanArgs, catalog: Any, scan_function: Callable[..., T], *positional: Any, **specific: Any
) -> T:
    """Call a library scan with the options every scan command shares, under a progress bar."""
    from leakwarden.cli.color import use_color

    progress = ProgressBar(not args.quiet and sys.stderr.isatty(), use_color(args.color, sys.stderr))
    try:
        return scan_function(
            *positional,
            **specific,
            exclude=args.exclude,
            max_file_size=args.max_file_size,
            include_binary=args.include_binary,
            decode_depth=args.decode_depth,
            catalog=catalog,
            engine=args.engine,
            min_confidence=_confidence(args),
            jobs=args.jobs,
            progress=progress,
        )
    finally:
        progress.close()


@scan.command("path")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--respect-gitignore", is_flag=True, help="Skip what .gitignore files ignore (default: scan every file)."
)
@scan_options
def scan_path(paths: tuple[str, ...], respect_gitignore: bool, **kwargs: Any) -> int:
    """Scan every regular file under PATHS, by default `.` (symlinks are not followed; .git folders
    are skipped)."""
    from leakwarden.scan import scan_paths

    args = scan_args(kwargs)
    catalog = _catalog(args)
    result = _run(
        args,
        catalog,
        scan_paths,
        list(paths or (".",)),
        respect_gitignore=respect_gitignore,
    )
    return emit(result, catalog, args)


@scan.command("image")
@click.argument("image", type=click.Path(exists=True))
@click.option(
    "--platform",
    metavar="OS/ARCH[/VARIANT]",
    help="Which image of a multi-platform index to scan [default: the host's, e.g. linux/amd64].",
)
@click.option("--all-platforms", is_flag=True, help="Scan the image of every platform the index offers.")
@click.option(
    "--max-layer-size",
    type=SizeParam(),
    help="Skip layers whose blob is larger than this [default: 2GiB].",
)
@scan_options
def scan_image_cmd(
    image: str, platform: str | None, all_platforms: bool, max_layer_size: int | None, **kwargs: Any
) -> int:
    """Scan a container image on disk, no Docker daemon needed: an OCI image layout (directory or
    archive) or a `docker save` tarball. Every file of every layer is read (a file a later layer
    deleted still ships in the image, and is reported as such), and the config's Env, Labels,
    Cmd, Entrypoint and build history (where Dockerfile ARG and ENV values leak)."""
    from leakwarden.scan.image import scan_image
    from leakwarden.sources.image import DEFAULT_MAX_LAYER_BYTES

    if platform and all_platforms:
        raise click.UsageError("give either --platform or --all-platforms, not both")
    args = scan_args(kwargs)
    catalog = _catalog(args)
    result = _run(
        args,
        catalog,
        scan_image,
        image,
        platform=platform,
        all_platforms=all_platforms,
        max_layer_size=max_layer_size or DEFAULT_MAX_LAYER_BYTES,
    )
    return emit(result, catalog, args, source="image")


@scan.command("stdin")
@click.option(
    "--label", default="<stdin>", show_default=True, help="The path reports show for standard input."
)
@stream_scan_options
def scan_stdin_cmd(label: str, **kwargs: Any) -> int:
    """Scan standard input, however long: `cat app.log | leakwarden scan stdin`."""
    from leakwarden.scan import scan_stdin

    args = scan_args(kwargs)
    catalog = _catalog(args)
    result = scan_stdin(
        sys.stdin.buffer,
        label=label,
        catalog=catalog,
        engine=args.engine,
        min_confidence=_confidence(args),
        decode_depth=args.decode_depth,
    )
    return emit(result, catalog, args, source="stdin")


@scan.command("git")
@click.argument("repo", required=False, default=".", type=click.Path(file_okay=False))
@click.option(
    "--all-objects",
    is_flag=True,
    help="Also scan unreachable and dangling objects (amended, rebased or dropped history).",
)
@click.option(
    "--range",
    "rev_range",
    metavar="A..B",
    help="Only what the commits of this range introduce (e.g. origin/main..HEAD, or 'NEW --not --all').",
)
@click.option(
    "--since",
    metavar="DATE",
    help="Only what commits after DATE introduce: an ISO date (2024-01-31, its midnight, local time), "
    "an ISO date and time (2024-01-31T12:00:00+01:00) or 'N days ago' (seconds … years); anything "
    "else is an error.",
)
@click.option(
    "--branch",
    "branches",
    multiple=True,
    metavar="NAME",
    help="Only history reachable from NAME; repeatable.",
)
@scan_options
def scan_git_cmd(
    repo: str,
    all_objects: bool,
    rev_range: str | None,
    since: str | None,
    branches: tuple[str, ...],
    **kwargs: Any,
) -> int:
    """Scan every blob of a repository's history once (default: reachable from any ref: branches,
    tags, stash, notes), each finding attributed to the commit that introduced it."""
    from leakwarden.scan import scan_git

    if all_objects and (rev_range or since or branches):
        raise click.UsageError("--all-objects cannot be combined with --range, --since or --branch")
    if rev_range and branches:
        raise click.UsageError("give either --range or --branch, not both")
    args = scan_args(kwargs)
    catalog = _catalog(args)
    result = _run(
        args,
        catalog,
        scan_git,
        repo,
        all_objects=all_objects,
        rev_range=rev_range,
        since=since,
        branches=branches,
    )
    return emit(result, catalog, args, source="git")


@scan.command("staged")
@click.argument("repo", required=False, default=".", type=click.Path(file_okay=False))
@click.option(
    "--all",
    "report_all",
    is_flag=True,
    help="Report every secret in the staged files, also those their HEAD version already held.",
)
@scan_options
def scan_staged_cmd(repo: str, report_all: bool, **kwargs: Any) -> int:
    """Scan what `git commit` would record now (the index, so `git add -p` is respected); by
    default only secrets the HEAD version of each file did not already contain."""
    from leakwarden.scan import scan_staged

    args = scan_args(kwargs)
    catalog = _catalog(args)
    result = _run(
        args,
        catalog,
        scan_staged,
        repo,
        report_all=report_all,
    )
    return emit(result, catalog, args, chosen_skips_count=False, source="staged")


@scan.command("ci")
@click.argument("repo", required=False, default=".", type=click.Path(file_okay=False))
@click.option(
    "--base",
    metavar="REV",
    help="Start of the range, overriding what the CI provider says (also: LEAKWARDEN_CI_BASE).",
)
@click.option(
    "--deepen",
    type=click.IntRange(1, 1_000_000),
    metavar="N",
    help="In a shallow clone missing a commit the range needs: git fetch --deepen=N until it is there.",
)
@click.option("--unshallow", is_flag=True, help="In a shallow clone missing a commit: git fetch --unshallow.")
@scan_options
def scan_ci_cmd(repo: str, base: str | None, deepen: int | None, unshallow: bool, **kwargs: Any) -> int:
    """Scan what this CI run brought: the pushed commits (before..after; for a new branch, what no
    other branch holds) or the pull request's (base..head), detected from the provider's
    environment (GitHub Actions, GitLab CI/CD, CircleCI, Travis CI, Jenkins, Bitbucket
    Pipelines, Azure Pipelines)."""
    import os

    from leakwarden.ci import Fetch, detect, load_github_event, scan_ci
    from leakwarden.reports.common import safe

    ctx = detect(os.environ, load_github_event(os.environ), base=base)
    args = scan_args(kwargs)
    catalog = _catalog(args)
    result, drawn = _run(
        args,
        catalog,
        scan_ci,
        repo,
        ctx,
        fetch=Fetch(deepen=deepen or 0, unshallow=unshallow),
    )
    # Always on stderr, --quiet or not: a CI log must say which commits were (not) scanned.
    click.echo(safe(f"leakwarden: {ctx.describe()}: scanning {drawn.description}"), err=True)
    if args.fmt != "text" or args.output:  # a text report on stdout lists the notes itself
        for note in drawn.notes:
            click.echo(safe(f"leakwarden: note: {note}"), err=True)
    return emit(result, catalog, args, chosen_skips_count=False, source="ci")
