"""Scanning git: a repository's history (or a range of it) and the staged changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from leakwarden.expand import DEFAULT_DEPTH, Limits
from leakwarden.matching.engine import Engine
from leakwarden.model import Confidence, Finding, ScanResult, SuppressedItem
from leakwarden.rules.catalog import Catalog, load_catalog
from leakwarden.scan.cache import cached_engine
from leakwarden.scan.runner import Progress, ScanOptions, run_scan
from leakwarden.sources.git_history import DEFAULT_MAX_FILE_SIZE, GitHistorySource
from leakwarden.sources.git_staged import StagedSource

PREEXISTING = "already in HEAD"


def scan_git(
    repo: str = ".",
    *,
    all_objects: bool = False,
    rev_range: str | None = None,
    since: str | None = None,
    branches: Sequence[str] = (),
    exclude: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    include_binary: bool = False,
    catalog: Catalog | None = None,
    engine: str = "auto",
    min_confidence: Confidence = Confidence.MEDIUM,
    jobs: int = 0,
    progress: Progress | None = None,
    decode_depth: int = DEFAULT_DEPTH,
) -> ScanResult:
    """Every distinct blob of the history, scanned once; each finding's occurrences name the
    commit that first introduced the blob at each path (earliest first). By default every ref
    (branches, tags, remotes, notes, every stash entry); `rev_range` ("A..B", "NEW --not --all")
    or `branches` narrow it to what those commits introduce, `since` to commits after a date;
    `all_objects` adds unreachable and dangling objects (rewritten history)."""
    source = GitHistorySource(
        repo,
        all_objects=all_objects,
        rev_range=rev_range,
        since=since,
        branches=branches,
        exclude=exclude,
        max_file_size=max_file_size,
        include_binary=include_binary,
    )
    scope = (
        "every object"
        if all_objects
        else f"range {rev_range}"
        if rev_range
        else f"branch {', '.join(branches)}"
        if branches
        else "every ref"
    )
    if since:
        scope += f", since {since}"
    options = ScanOptions(
        min_confidence=min_confidence, jobs=jobs, progress=progress, limits=Limits(depth=decode_depth)
    )
    catalog = catalog if catalog is not None else load_catalog()
    return run_scan(source, cached_engine(catalog, engine), options, f"{repo} (git: {scope})")


def scan_staged(
    repo: str = ".",
    *,
    report_all: bool = False,
    exclude: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    include_binary: bool = False,
    catalog: Catalog | None = None,
    engine: str = "auto",
    min_confidence: Confidence = Confidence.MEDIUM,
    jobs: int = 0,
    progress: Progress | None = None,
    decode_depth: int = DEFAULT_DEPTH,
) -> ScanResult:
    """What `git commit` would record now. Unless `report_all`, a secret the HEAD version of the
    same file already held is not reported (it is counted, as set aside "already in HEAD"), so an
    old secret does not block every later commit to its file."""
    source = StagedSource(repo, exclude, max_file_size, include_binary)
    catalog = catalog if catalog is not None else load_catalog()
    scanner = cached_engine(catalog, engine)
    options = ScanOptions(
        min_confidence=min_confidence, jobs=jobs, progress=progress, limits=Limits(depth=decode_depth)
    )
    result = run_scan(source, scanner, options, f"{repo} (staged)")
    if not report_all and result.findings:
        _drop_preexisting(result, source, scanner, options.limits)
    return result


def _drop_preexisting(result: ScanResult, source: StagedSource, engine: Engine, limits: Limits) -> None:
    """Scan the HEAD version of each file with a finding (and only those) and drop the staged
    occurrences of secrets it already held."""
    paths = {o.provenance.path for f in result.findings for o in f.occurrences}
    head = run_scan(
        source.head_versions(paths), engine, ScanOptions(min_confidence=Confidence.LOW, jobs=1, limits=limits)
    )
    known: dict[str, set[str]] = {}
    for finding in head.findings:
        for occ in finding.occurrences:
            known.setdefault(occ.provenance.path, set()).add(finding.fingerprint)
    for item in head.summary.suppressed:  # allowed inline at HEAD: still not new
        known.setdefault(item.path, set()).add(item.fingerprint)
    kept: list[Finding] = []
    preexisting = 0
    for finding in result.findings:
        new = []
        for occ in finding.occurrences:
            before = source.head_path(occ.provenance.path)
            if before is not None and finding.fingerprint in known.get(before, ()):
                result.summary.suppressed.append(
                    SuppressedItem(
                        finding.rule_id,
                        finding.fingerprint,
                        occ.provenance.path,
                        occ.location.line,
                        PREEXISTING,
                        f"the HEAD version of {before} already contains it",
                    )
                )
            else:
                new.append(occ)
        if new:
            kept.append(
                finding if len(new) == len(finding.occurrences) else replace(finding, occurrences=new)
            )
        else:
            preexisting += 1
    result.findings = kept
    if preexisting:
        result.summary.notes.append(
            f"{preexisting} secret{'s' if preexisting != 1 else ''} already in the HEAD version of "
            f"{'their files' if preexisting != 1 else 'its file'} not reported (`scan staged --all` "
            "reports them)"
        )
