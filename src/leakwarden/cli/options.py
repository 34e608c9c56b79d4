"""Options every scan command shares, and the one way a scan's result leaves the program."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from leakwarden.cli.main import EXIT_CLEAN, EXIT_FINDINGS

F = TypeVar("F", bound=Callable[..., Any])


class SizeParam(click.ParamType):  # type: ignore[type-arg]
    """Byte sizes such as 500000, 10MB, 64MiB."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from leakwarden.config import parse_size

        try:
            return parse_size(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@dataclass
class ScanArgs:
    fmt: str
    output: str | None
    show_secrets: bool
    rules: tuple[str, ...]
    min_confidence: str
    exclude: tuple[str, ...]
    max_file_size: int
    jobs: int
    engine: str
    include_binary: bool
    quiet: bool
    config: Any  # leakwarden.config.Config, imported lazily
    policy: Any  # leakwarden.ignore.policy.Policy


def scan_options(func: F) -> F:
    from leakwarden.reports import FORMATS

    decorators = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="text",
            show_default=True,
            help="Report format.",
        ),
        click.option(
            "--output",
            "-o",
            type=click.Path(dir_okay=False, writable=True),
            help="Write the report to FILE instead of standard output.",
        ),
        click.option(
            "--show-secrets",
            is_flag=True,
            help="Print secrets in full (every format redacts them by default).",
        ),
        click.option(
            "--rules",
            "rules",
            multiple=True,
            type=click.Path(exists=True, dir_okay=False),
            help="Extra rule file (same schema and checks as the built-ins); repeatable.",
        ),
        click.option(
            "--min-confidence",
            type=click.Choice(["low", "medium", "high"]),
            help="Report findings of at least this confidence [default: medium, or the config's].",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="GLOB",
            help="Skip paths matching GLOB (gitignore syntax); repeatable.",
        ),
        click.option(
            "--max-file-size",
            type=SizeParam(),
            help="Skip files larger than this [default: 64MiB, or the config's].",
        ),
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            help="Configuration file [default: .leakwarden.toml or pyproject.toml [tool.leakwarden], found "
            "from the working directory up].",
        ),
        click.option(
            "--baseline",
            type=click.Path(dir_okay=False),
            help="Report only findings whose fingerprints the baseline FILE does not hold.",
        ),
        click.option(
            "--jobs", "-j", type=click.IntRange(0, 256), default=0, help="Workers (0: one per core)."
        ),
        click.option(
            "--engine",
            type=click.Choice(["auto", "hyperscan", "python"]),
            default="auto",
            show_default=True,
            help="Matching engine; both report the same findings.",
        ),
        click.option("--binary", "include_binary", is_flag=True, help="Scan binary files too."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar or summary line on stderr."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def scan_args(kwargs: dict[str, Any]) -> ScanArgs:
    """The scan's settings: the project's configuration, overridden by the command line."""
    from pathlib import Path

    from leakwarden.config import find_project_dir, load_config
    from leakwarden.ignore.policy import Policy, load_ignore_file, parse_baseline
    from leakwarden.model import Confidence

    config_file, baseline = kwargs.pop("config_file"), kwargs.pop("baseline")
    config = load_config(explicit=Path(config_file) if config_file else None)
    config = config.with_overrides(
        "command line",
        min_confidence=Confidence.parse(kwargs["min_confidence"]) if kwargs["min_confidence"] else None,
        max_file_size=kwargs["max_file_size"],
        exclude=config.exclude + tuple(kwargs["exclude"]) if kwargs["exclude"] else None,
        rules=config.rules + tuple(kwargs["rules"]) if kwargs["rules"] else None,
        baseline=baseline,
    )
    root = Path(config_file).resolve().parent if config_file else find_project_dir(Path.cwd())
    ignore_file = Path(config.ignore_file)
    ignore_file = ignore_file if ignore_file.is_absolute() else root / ignore_file
    baseline_ids: frozenset[str] = frozenset()
    if config.baseline:
        try:
            baseline_ids = parse_baseline(Path(config.baseline).read_text(encoding="utf-8"), config.baseline)
        except OSError as exc:
            from leakwarden.errors import ConfigError

            raise ConfigError(f"{config.baseline}: cannot read baseline: {exc.strerror or exc}") from None
    policy = Policy(
        root=root,
        ignores=load_ignore_file(ignore_file),
        baseline=baseline_ids,
        allow_paths=config.allow_paths,
        allow_secrets=config.allow_secrets,
    )
    names = set(ScanArgs.__dataclass_fields__) - {"config", "policy"}
    values = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
    values.update(
        min_confidence=config.min_confidence.label,
        max_file_size=config.max_file_size,
        exclude=config.exclude,
        rules=config.rules,
    )
    return ScanArgs(**values, config=config, policy=policy)


class ProgressBar:
    """A transient progress line on a terminal, shown only once a scan has run for a moment."""

    DELAY_S = 0.5

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.monotonic()
        self._progress: Any = None
        self._task: Any = None
        self._last = 0.0

    def __call__(self, blobs: int, nbytes: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 or now - self.started < self.DELAY_S:
            return
        self._last = now
        if self._progress is None:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("")
        rate = nbytes / 1e6 / max(now - self.started, 1e-9)
        self._progress.update(
            self._task, description=f"{blobs} blobs, {nbytes / 1e6:.1f} MB, {rate:.1f} MB/s"
        )

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def load_catalog_for(args: ScanArgs) -> Any:
    from leakwarden.rules.catalog import load_catalog

    return load_catalog(args.rules).select(enable=args.config.enable, disable=args.config.disable)


def emit(result: Any, catalog: Any, args: ScanArgs) -> int:
    """Apply the team's policy (ignore file, baseline, allowlists), write the report and the
    summary line, and return the exit code."""
    from leakwarden.ignore.policy import apply_policy
    from leakwarden.model import SuppressedItem
    from leakwarden.reports import render
    from leakwarden.reports.text import render_text, summary_line

    result.findings, suppressed = apply_policy(result.findings, args.policy)
    for item in suppressed:
        kind, _, reason = item.reason.partition(": ")
        result.summary.suppressed.extend(
            SuppressedItem(
                item.finding.rule_id,
                item.finding.fingerprint,
                o.provenance.path,
                o.location.line,
                kind,
                reason,
            )
            for o in item.finding.occurrences
        )

    if args.fmt == "text":
        color = args.output is None and sys.stdout.isatty()
        report = render_text(result, catalog, args.show_secrets, color=color)
    else:
        report = render(args.fmt, result, catalog, args.show_secrets)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(report)
    else:
        sys.stdout.write(report)
        sys.stdout.flush()
    if not args.quiet:
        click.echo(summary_line(result.summary, len(result.findings)), err=True)
    return EXIT_FINDINGS if result.findings else EXIT_CLEAN
