"""Options every scan command shares, and the one way a scan's result leaves the program."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import click

from leakwarden.cli.main import EXIT_CLEAN, EXIT_FINDINGS

F = TypeVar("F", bound=Callable[..., Any])

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}


class SizeParam(click.ParamType):  # type: ignore[type-arg]
    """Byte sizes such as 500000, 10MB, 64MiB."""

    name = "size"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        match = _SIZE_RE.match(str(value))
        if not match:
            self.fail(f"{value!r} is not a size (examples: 500000, 10MB, 64MiB)", param, ctx)
        unit = (match.group(2) or "").lower().removesuffix("b")
        return int(float(match.group(1)) * _UNITS[unit])


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
            default="medium",
            show_default=True,
            help="Report findings of at least this confidence.",
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
            default="64MiB",
            show_default=True,
            help="Skip files larger than this.",
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
    names = ScanArgs.__dataclass_fields__
    return ScanArgs(**{k: kwargs.pop(k) for k in list(kwargs) if k in names})


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

    return load_catalog(args.rules)


def emit(result: Any, catalog: Any, args: ScanArgs) -> int:
    """Write the report, the summary line, and return the exit code."""
    from leakwarden.reports import render
    from leakwarden.reports.text import render_text, summary_line

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
