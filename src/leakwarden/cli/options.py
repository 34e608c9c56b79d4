"""Options every scan command shares, and the one way a scan's result leaves the program."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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
    decode_depth: int
    jobs: int
    engine: str
    include_binary: bool
    quiet: bool
    config: Any  # leakwarden.config.Config, imported lazily
    policy: Any  # leakwarden.ignore.policy.Policy
    verify: bool = False
    only_live: bool = False
    verify_dry_run: bool = False
    record: bool = False
    db: str | None = None
    color: str = "auto"  # --color: auto, always, never (leakwarden.cli.color decides)


# Options that make no sense for a stream (it is one blob, read by one worker, never skipped).
NOT_FOR_STREAMS = ("exclude", "max_file_size", "jobs", "include_binary")


def format_option(*choices: str, help: str = "Output format.") -> Callable[[F], F]:
    """`--format` for the commands that are not scans (a scan's formats are the reporters')."""
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=choices[0], show_default=True, help=help
    )


rule_files_option = click.option(
    "--rules",
    "rule_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Include a rule file of your own; repeatable.",
)

timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(0.5, 120),
    default=10.0,
    show_default=True,
    help="Seconds to wait for the provider.",
)


def scan_options(func: F) -> F:
    """The options every scan command shares."""
    return _add_scan_options(func, ())


def stream_scan_options(func: F) -> F:
    """The shared options less those with no meaning for one stream (`--help` lists only what
    applies)."""
    return _add_scan_options(func, NOT_FOR_STREAMS)


def _add_scan_options(func: F, omit: tuple[str, ...]) -> F:
    from leakwarden.cli.color import color_option
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
            "--decode-depth",
            type=click.IntRange(0, 8),
            metavar="N",
            help="Decode encoded content (base64, hex, percent, escapes, UTF-16, gzip...) up to N "
            "decodings deep and scan what it holds; 0 turns decoding off [default: 2, or the config's].",
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
            help="Report only findings whose fingerprints the baseline FILE does not hold [default: the "
            "config's `baseline`, else .leakwarden-baseline.json at the project root when it exists, as "
            "`leakwarden baseline create` writes it].",
        ),
        click.option(
            "--no-baseline",
            is_flag=True,
            help="Use no baseline: report the findings it would hide.",
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
        click.option(
            "--verify/--no-verify",
            default=None,
            help="Ask each finding's issuing provider whether it is live, and whose it is (sends the "
            "credential to the hosts its rule declares, nowhere else) [default: off, or the config's "
            "`verify`].",
        ),
        click.option(
            "--only-live",
            is_flag=True,
            help="Report only findings their provider accepted (implies --verify).",
        ),
        click.option(
            "--record/--no-record",
            default=None,
            help="Write the scan, its findings and their places into the findings store, opening an "
            "incident per new credential [default: off, or the config's `record`].",
        ),
        click.option(
            "--db",
            metavar="URL",
            help="The findings store for --record: a SQLAlchemy URL or a SQLite file [default: the "
            "config's `db`, else LEAKWARDEN_DB, else findings.db in the user data directory].",
        ),
        click.option(
            "--verify-dry-run",
            is_flag=True,
            help="Print, redacted, the request each finding's check would send; send nothing.",
        ),
        color_option,
    ]
    for decorator in reversed(decorators):
        probe = decorator(lambda: None)  # what parameter the decorator adds, read off a throwaway
        if not any(param.name in omit for param in getattr(probe, "__click_params__", ())):
            func = decorator(func)
    return func


def check_writable(path: str | os.PathLike[str], what: str) -> None:
    """InputError (exit 2) unless a file can be written at `path`: checked before the work,
    so a typo in a directory name does not throw away a whole scan."""
    from leakwarden.errors import InputError

    target = Path(path)
    where = f"{what} {path}" if what else str(path)
    if target.is_dir():
        raise InputError(f"{where}: is a directory, not a file")
    parent = target.parent
    if not parent.is_dir():
        problem = "does not exist" if not parent.exists() else "is not a directory"
        raise InputError(f"{where}: cannot write there: {parent} {problem}")
    writable = os.access(target, os.W_OK) if target.exists() else os.access(parent, os.W_OK | os.X_OK)
    if not writable:
        raise InputError(f"{where}: cannot write there: permission denied")


def write_file(path: str | os.PathLike[str], text: str, what: str) -> None:
    """Write `text` to `path`; a failure (a full disk, say) is an InputError naming the path."""
    from leakwarden.errors import InputError

    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        where = f"{what} {path}" if what else str(path)
        raise InputError(f"{where}: cannot write: {exc.strerror or exc}") from None


def scan_args(kwargs: dict[str, Any]) -> ScanArgs:
    """The scan's settings: the project's configuration, overridden by the command line."""
    from leakwarden.config import load_config, project_root
    from leakwarden.ignore.policy import load_policy
    from leakwarden.model import Confidence

    for name, default in (("exclude", ()), ("max_file_size", None), ("jobs", 0), ("include_binary", False)):
        kwargs.setdefault(name, default)  # options a command does not offer (NOT_FOR_STREAMS)
    if kwargs.get("output"):
        check_writable(kwargs["output"], "--output")
    config_file, baseline = kwargs.pop("config_file"), kwargs.pop("baseline")
    no_baseline = kwargs.pop("no_baseline", False)
    if baseline and no_baseline:
        raise click.UsageError("give either --baseline or --no-baseline, not both")
    explicit = Path(config_file) if config_file else None
    config = load_config(explicit=explicit)
    config = config.with_overrides(
        "command line",
        min_confidence=Confidence.parse(kwargs["min_confidence"]) if kwargs["min_confidence"] else None,
        max_file_size=kwargs["max_file_size"],
        decode_depth=kwargs.pop("decode_depth", None),
        exclude=config.exclude + tuple(kwargs["exclude"]) if kwargs["exclude"] else None,
        rules=config.rules + tuple(kwargs["rules"]) if kwargs["rules"] else None,
        baseline=baseline,
        verify=kwargs.get("verify"),
        record=kwargs.get("record"),
        db=kwargs.get("db"),
    )
    policy = load_policy(config, project_root(explicit), use_baseline=not no_baseline)
    names = set(ScanArgs.__dataclass_fields__) - {"config", "policy"}
    values = {k: kwargs.pop(k) for k in list(kwargs) if k in names}
    values.update(
        min_confidence=config.min_confidence.label,
        max_file_size=config.max_file_size,
        decode_depth=config.decode_depth,
        exclude=config.exclude,
        rules=config.rules,
        verify=bool(config.verify or values.get("only_live")),
        record=config.record,
        db=config.db,
    )
    return ScanArgs(**values, config=config, policy=policy)


class ProgressBar:
    """A transient progress line on a terminal, shown only once a scan has run for a moment."""

    DELAY_S = 0.5

    def __init__(self, enabled: bool, color: bool = False) -> None:
        self.enabled = enabled
        self.color = color
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
                console=Console(stderr=True, no_color=not self.color),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("")
        from leakwarden.reports.common import count_of, human_size

        rate = human_size(nbytes / max(now - self.started, 1e-9))
        self._progress.update(
            self._task, description=f"{count_of(blobs, 'blob')}, {human_size(nbytes)}, {rate}/s"
        )

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def project_catalog(config: Any) -> Any:
    """The catalogue a project's configuration asks for: its rule files, `enable`, `disable`."""
    from leakwarden.rules.catalog import load_catalog

    return load_catalog(config.rules).select(config.enable, config.disable, config.origins)


def load_catalog_for(args: ScanArgs) -> Any:
    return project_catalog(args.config)


def emit(
    result: Any, catalog: Any, args: ScanArgs, chosen_skips_count: bool = True, source: str = "path"
) -> int:
    """Apply the team's policy (ignore file, baseline, allowlists), write the report and the
    summary line, and return the exit code: 1 with findings; else 2 when the result cannot be
    called clean (nothing was scanned, or part of a history could not be read), else 0.
    `chosen_skips_count=False` for commits and pushes, where binaries and symlinks alone are
    nothing to scan."""
    from leakwarden.cli.main import EXIT_USAGE
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
    hidden = sum(1 for item in suppressed if item.reason == "baseline")
    if hidden:
        result.summary.notes.append(
            f"the baseline {args.policy.baseline_file} hid {hidden} finding{'s' if hidden != 1 else ''} "
            "it holds (--no-baseline reports them)"
        )

    if args.verify_dry_run:
        _verify_dry_run(result, catalog)
    elif args.verify:
        _verify(result, catalog, args)

    if args.record:
        _record(result, catalog, args, source)

    if args.fmt == "text":
        from leakwarden.cli.color import use_color

        color = use_color(args.color, sys.stdout, to_file=bool(args.output))
        report = render_text(result, catalog, args.show_secrets, color=color)
    else:
        report = render(args.fmt, result, catalog, args.show_secrets)
    if args.output:
        write_file(args.output, report, "--output")
    else:
        sys.stdout.write(report)
        sys.stdout.flush()
    if not args.quiet:
        click.echo(summary_line(result.summary, len(result.findings)), err=True)
    if result.findings:
        return EXIT_FINDINGS
    problem = result.summary.untrusted(chosen_skips_count)
    if problem:
        from leakwarden.reports.common import safe

        click.echo(safe(f"leakwarden: error: {problem}; this is not a clean result"), err=True)
        return EXIT_USAGE
    return EXIT_CLEAN


def _verify_dry_run(result: Any, catalog: Any) -> None:
    """What `--verify` would send, redacted, on stderr (the report on stdout stays a report)."""
    from leakwarden.model import Verdict
    from leakwarden.verify import describe, dry_run

    for fingerprint, planned in dry_run(result.findings, catalog):
        if isinstance(planned, Verdict):
            click.echo(f"{fingerprint[:16]}  no request: {planned.reason}", err=True)
        else:
            click.echo(f"{fingerprint[:16]}  {planned.rule_id}\n{describe(planned)}\n", err=True)
    click.echo("(verify dry run: nothing was sent)", err=True)


def _verify(result: Any, catalog: Any, args: ScanArgs) -> None:
    """Verdicts on every finding; live ones first in every report; `--only-live` keeps those."""
    from leakwarden import __version__
    from leakwarden.model import VerdictStatus
    from leakwarden.net import Net, NetSettings
    from leakwarden.verify import verify_findings
    from leakwarden.verify.cache import default_cache

    if not result.findings:
        return
    with Net(NetSettings(user_agent=f"leakwarden/{__version__}")) as net:
        verdicts = verify_findings(result.findings, catalog, net, cache=default_cache())
    for finding in result.findings:
        finding.verdict = verdicts.get(finding.fingerprint)
    counts: dict[str, int] = {}
    for finding in result.findings:
        status = finding.verdict.status if finding.verdict else VerdictStatus.NOT_CHECKABLE
        counts[status] = counts.get(status, 0) + 1
    result.summary.verified = dict(sorted(counts.items()))
    live = [f for f in result.findings if f.verdict is not None and f.verdict.status == VerdictStatus.LIVE]
    rest = [f for f in result.findings if f.verdict is None or f.verdict.status != VerdictStatus.LIVE]
    if args.only_live:
        if rest:
            result.summary.notes.append(
                f"--only-live set aside {len(rest)} finding{'s' if len(rest) != 1 else ''} the provider did "
                "not accept or could not be asked about (--verify without --only-live lists them)"
            )
        result.findings = live
    else:
        result.findings = live + rest


def _record(result: Any, catalog: Any, args: ScanArgs, source: str) -> None:
    """Into the findings store, after the policy and the verdicts, before the report."""
    from leakwarden.incidents.service import record
    from leakwarden.store import open_store

    store = open_store(args.db)
    try:
        done = record(store, result, catalog, source=source)
    finally:
        store.close()
    if not args.quiet:
        parts = [f"{len(done.opened)} new incident{'s' if len(done.opened) != 1 else ''}"]
        if done.reopened:
            parts.append(f"{len(done.reopened)} reopened")
        parts.append(f"{done.new_places} new place{'s' if done.new_places != 1 else ''}")
        click.echo(f"recorded in {store.url.split('@')[-1]}: " + ", ".join(parts), err=True)
