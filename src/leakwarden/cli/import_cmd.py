"""`leakwarden import`: take over a peer scanner's ignores and allowlists.

The glue around the pure importers: find and read the peers' files, re-scan the places they
name (a peer's ignore names a file and line or a hash; ours key on our own fingerprints), then
append to the reviewed ignore file and merge into `.leakwarden.toml`. Everything is computed
before anything is written, so a refusal leaves both files as they were.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import subprocess
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from leakwarden.cli.main import EXIT_CLEAN
from leakwarden.reports.common import count_of

TOOLS = ("gitleaks", "detect-secrets", "ggshield")


class _ScanLookup:
    """Findings for the resolver: each named file scanned once (the named commit's version when
    there is one), the whole project scanned only when a peer names a secret by its hash."""

    def __init__(self, root: Path, config: Any) -> None:
        from leakwarden.cli.options import project_catalog

        self.root, self.config = root, config
        self.catalog = project_catalog(config)
        self.files: dict[tuple[str, str], Any] = {}
        self._everywhere: list[Any] | None = None

    def _options(self) -> dict[str, Any]:
        from leakwarden.model import Confidence

        # Every finding, whatever its confidence: a lower `min_confidence` later must not
        # bring back what the team had accepted.
        return {"catalog": self.catalog, "min_confidence": Confidence.LOW}

    def _relative(self, path: str) -> str:
        try:
            return Path(path).resolve().relative_to(self.root).as_posix()
        except ValueError:
            return path

    def prefetch(self, paths: Sequence[str]) -> None:
        """Scan every working-tree file named by a plan in one go."""
        from dataclasses import replace

        from leakwarden.ignore.importers.resolve import FileScan
        from leakwarden.scan import scan_paths

        inside = {p for p in paths if not posixpath.isabs(p) and not p.startswith("../")}
        present = sorted(p for p in inside if (self.root / p).is_file())
        found: dict[str, list[Any]] = {p: [] for p in present}
        if present:
            result = scan_paths(
                [str(self.root / p) for p in present],
                max_file_size=self.config.max_file_size,
                **self._options(),
            )
            for finding in result.findings:
                by_path: dict[str, list[Any]] = {}
                for occurrence in finding.occurrences:
                    by_path.setdefault(self._relative(occurrence.provenance.path), []).append(occurrence)
                for path, occurrences in by_path.items():
                    found.setdefault(path, []).append(replace(finding, occurrences=occurrences))
        for path, findings in found.items():
            self.files[(path, "")] = FileScan(findings)

    def _at_commit(self, path: str, commit: str) -> Any:
        from leakwarden.ignore.importers.resolve import FileScan
        from leakwarden.scan import scan_bytes

        try:
            done = subprocess.run(
                ["git", "-C", str(self.root), "cat-file", "blob", f"{commit}:{path}"],
                capture_output=True,
                check=False,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode != 0:
            return None
        return FileScan(scan_bytes(done.stdout, label=path, **self._options()).findings)

    def file(self, path: str, commit: str) -> Any:
        from leakwarden.ignore.importers.resolve import FileScan

        path = posixpath.normpath(path)
        key = (path, commit)
        if key not in self.files and not commit:
            self.prefetch([path])
            self.files.setdefault(key, FileScan(None, f"{path} does not exist (any more)"))
        if key not in self.files:
            scanned = self._at_commit(path, commit)
            if scanned is None:
                tree = self.file(path, "")
                note = f"commit {commit[:12]} is not in this repository: the working tree's version was read"
                scanned = tree if tree.findings is None else FileScan(tree.findings, note)
            self.files[key] = scanned
        return self.files[key]

    def everywhere(self) -> list[Any]:
        if self._everywhere is None:
            from leakwarden.scan import scan_paths

            result = scan_paths(
                [str(self.root)],
                exclude=self.config.exclude,
                max_file_size=self.config.max_file_size,
                **self._options(),
            )
            self._everywhere = result.findings
        return self._everywhere


def _plans(root: Path, tools: Sequence[str]) -> list[Any]:
    from leakwarden.errors import ConfigError, InputError
    from leakwarden.ignore import importers

    parsers = {
        ".gitleaksignore": importers.parse_gitleaksignore,
        ".gitleaks.toml": importers.parse_gitleaks_config,
        ".secrets.baseline": importers.parse_secrets_baseline,
        ".gitguardian.yaml": importers.parse_gitguardian,
        ".gitguardian.yml": importers.parse_gitguardian,
    }
    plans = []
    for tool in tools:
        names = [n for n in importers.PEER_FILES[tool] if (root / n).is_file()]
        for name in names[:1] if tool == "ggshield" else names:  # ggshield reads one of its two names
            path = root / name
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputError(f"{path}: cannot read: {exc}") from None
            try:
                plans.append(parsers[name](text, name))
            except ConfigError as exc:
                raise ConfigError(f"{path}{str(exc).removeprefix(name)}") from None
    if not plans:
        wanted = ", ".join(n for t in tools for n in importers.PEER_FILES[t])
        raise InputError(f"{root}: nothing to import (none of {wanted})")
    return plans


def _print_outcomes(plans: Sequence[Any], resolution: Any) -> None:
    for plan in plans:
        mine = [o for o in resolution.outcomes if (o.origin.tool, o.origin.file) == (plan.tool, plan.file)]
        click.echo(f"{plan.tool} {plan.file}: {count_of(len(mine), 'entry', 'entries')}")
        for outcome in mine:
            what = outcome.what or outcome.origin.note
            source = f"  <- {outcome.origin.note}" if outcome.what and outcome.origin.note else ""
            click.echo(f"  {outcome.status:<15} {what}{source}")
            if outcome.why:
                click.echo(f"  {'':<15}   {outcome.why}")


def _config_additions(resolution: Any) -> dict[str, list[tuple[str, str]]]:
    def note(item: Any) -> str:
        text = f"{item.origin.tool} {item.origin.file}: {item.origin.note}"
        return f"{text} (approximately: {item.approximation})" if item.approximation else text

    return {
        "allow_paths": [(item.glob, note(item)) for item in resolution.allow_paths],
        "allow_secrets": [(item.regex, note(item)) for item in resolution.allow_secrets],
    }


def _pyproject_keys(root: Path) -> set[str]:
    try:
        with (root / "pyproject.toml").open("rb") as handle:
            table = tomllib.load(handle).get("tool", {}).get("leakwarden", {})
    except (OSError, tomllib.TOMLDecodeError, AttributeError):
        return set()
    return set(table) if isinstance(table, dict) else set()


def _new_config(root: Path, additions: dict[str, list[tuple[str, str]]]) -> tuple[Path, str | None]:
    """The config file and its merged text (None when there is nothing to add)."""
    from leakwarden.config import CONFIG_FILE
    from leakwarden.errors import InputError
    from leakwarden.ignore.importers.toml_merge import MergeRefused, merge_arrays, render_key

    target = root / CONFIG_FILE
    wanted = {k: v for k, v in additions.items() if v}
    if not wanted:
        return target, None
    existing = target.read_text(encoding="utf-8") if target.is_file() else None
    try:
        defined = set(tomllib.loads(existing)) if existing is not None else set()
        shadowed = sorted((set(wanted) & _pyproject_keys(root)) - defined)
        if shadowed:
            raise MergeRefused(
                f"pyproject.toml [tool.leakwarden] sets {', '.join(shadowed)}, "
                f"which {CONFIG_FILE} would replace"
            )
        header = '# leakwarden configuration: see README, "Configuration and accepted findings".\n'
        return target, merge_arrays(existing if existing is not None else header, wanted)
    except (MergeRefused, tomllib.TOMLDecodeError) as exc:
        click.echo(f"Add to the configuration by hand ({target} or [tool.leakwarden]):")
        for key, values in wanted.items():
            click.echo(render_key(key, values), nl=False)
        raise InputError(f"{target}: cannot merge safely ({exc}); nothing was written") from None


def _new_ignore_file(path: Path, entries: Sequence[Any]) -> tuple[str, str] | None:
    """The ignore file's new text and the part of it that is new."""
    from leakwarden.ignore.policy import parse_ignore_file, render_ignore_entry

    if not entries:
        return None
    added = "\n".join(render_ignore_entry(e) for e in entries)
    parse_ignore_file(added, "the imported entries")  # refuse to write what could not be read back
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Reviewed exceptions: see README.\n"
    return existing.rstrip("\n") + "\n\n" + added, added


def _write(path: Path, text: str) -> None:
    from leakwarden.errors import InputError
    from leakwarden.fileio import replace_file

    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None


@click.command("import")
@click.argument("project_dir", default=".", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--from",
    "source",
    type=click.Choice([*TOOLS, "all"]),
    default="all",
    show_default=True,
    help="Which scanner's files to read.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be imported and written; write nothing.")
def import_command(project_dir: str, source: str, dry_run: bool) -> int:
    """Take over gitleaks', detect-secrets' and ggshield's ignores and allowlists in PROJECT_DIR."""
    from leakwarden.cli.policy_cmd import _who
    from leakwarden.config import load_config
    from leakwarden.ignore.importers import PlaceIgnore
    from leakwarden.ignore.importers.resolve import ALREADY, APPROXIMATE, IMPORTED, NOT_TRANSLATED, resolve
    from leakwarden.ignore.policy import load_ignore_file

    root = Path(project_dir).resolve()
    plans = _plans(root, TOOLS if source == "all" else (source,))
    config = load_config(start=root)
    ignore_path = root / config.ignore_file
    if not dry_run:  # before the re-scan: a file that cannot be written must not cost it
        from leakwarden.cli.options import check_writable
        from leakwarden.config import CONFIG_FILE

        for target in (ignore_path, root / CONFIG_FILE):
            check_writable(target, "")
    lookup = _ScanLookup(root, config)
    lookup.prefetch(
        [
            posixpath.normpath(i.path)
            for p in plans
            for i in p.items
            if isinstance(i, PlaceIgnore) and not i.commit
        ]
    )
    resolution = resolve(
        plans,
        lookup,
        existing_ignores=load_ignore_file(ignore_path),
        existing_allow_paths=config.allow_paths,
        existing_allow_secrets=config.allow_secrets,
        added_by=_who() or "leakwarden import",
        added_on=dt.date.today().isoformat(),
    )
    _print_outcomes(plans, resolution)
    config_path, config_text = _new_config(root, _config_additions(resolution))
    ignore_text = _new_ignore_file(ignore_path, resolution.ignores)
    counts = ", ".join(f"{resolution.count(s)} {s}" for s in (IMPORTED, APPROXIMATE, ALREADY, NOT_TRANSLATED))
    # (file, its new text, what a dry run shows of it)
    writes = (
        [(ignore_path, ignore_text[0], f"would add to {ignore_path}:\n{ignore_text[1]}")]
        if ignore_text
        else []
    )
    if config_text is not None:
        writes.append((config_path, config_text, f"would write {config_path}:\n{config_text}"))
    if dry_run:
        for _, _, shown in writes:
            click.echo(f"--- {shown}", nl=not shown.endswith("\n"))
        click.echo(f"{counts}; dry run: nothing written", err=True)
        return EXIT_CLEAN
    for path, text, _ in writes:
        _write(path, text)
    wrote = ", ".join(str(p) for p, _, _ in writes) or "nothing to write"
    click.echo(f"{counts}; {wrote}", err=True)
    return EXIT_CLEAN
