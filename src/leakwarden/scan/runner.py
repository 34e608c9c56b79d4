"""The one orchestrator: blobs from a source, through the engine on worker threads, into findings.

Hyperscan releases the GIL while it scans, so threads share one compiled database (each with its
own scratch). At most `2 × jobs` blobs are in flight, which bounds memory on any source size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from leakwarden.matching.engine import Engine
from leakwarden.model import (
    Blob,
    Confidence,
    Finding,
    Match,
    Occurrence,
    ScanResult,
    ScanSummary,
    fingerprint,
)
from leakwarden.scan.locate import locate
from leakwarden.sources.base import Source

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BlobHits:
    blob: Blob
    matches: list[Match]
    occurrences: list[list[Occurrence]]  # per match, one per provenance


@dataclass
class ScanOptions:
    min_confidence: Confidence = Confidence.MEDIUM
    jobs: int = 0  # 0: one per core
    dedupe: bool = True
    progress: Progress | None = None
    notes: list[str] = field(default_factory=list)


def _scan_blob(engine: Engine, blob: Blob) -> BlobHits:
    matches = engine.scan(blob.data)
    if not matches:
        return BlobHits(blob, [], [])
    locations = locate(blob.data, [(m.secret_start, m.secret_end) for m in matches])
    occurrences = [
        [Occurrence(p, loc, blob.id, m.captures) for p in blob.provenance]
        for m, loc in zip(matches, locations, strict=True)
    ]
    return BlobHits(blob, matches, occurrences)


def _workers(jobs: int) -> int:
    import os

    return jobs if jobs > 0 else max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _distinct(blobs: Iterable[Blob], summary: ScanSummary, dedupe: bool) -> Iterator[Blob]:
    seen: set[str] = set()
    for blob in blobs:
        if dedupe and blob.id is not None:
            if blob.id in seen:
                summary.duplicates += 1
                continue
            seen.add(blob.id)
        yield blob


def _hits(engine: Engine, blobs: Iterator[Blob], workers: int) -> Iterator[BlobHits]:
    if workers == 1:
        for blob in blobs:
            yield _scan_blob(engine, blob)
        return
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="leakwarden-scan") as pool:
        pending: list[Future[BlobHits]] = []
        for blob in blobs:
            pending.append(pool.submit(_scan_blob, engine, blob))
            if len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


def group_findings(engine: Engine, hits: Iterable[BlobHits], min_confidence: Confidence) -> list[Finding]:
    """One finding per (rule, secret), occurrences in the order seen."""
    by_key: dict[str, Finding] = {}
    for hit in hits:
        for match, occurrences in zip(hit.matches, hit.occurrences, strict=True):
            rule = engine.catalog[match.rule_id]
            if rule.confidence < min_confidence:
                continue
            key = fingerprint(match.rule_id, match.secret, match.parts)
            finding = by_key.get(key)
            if finding is None:
                finding = by_key[key] = Finding(match.rule_id, match.secret, rule.confidence, dict(match.parts), [])
            finding.occurrences.extend(occurrences)
    return sorted(by_key.values(), key=_finding_order)


def _finding_order(finding: Finding) -> tuple[str, int, int, str]:
    first = finding.occurrences[0]
    return (first.provenance.path, first.location.line, first.location.column, finding.rule_id)


def run_scan(source: Source, engine: Engine, options: ScanOptions, target: str = "") -> ScanResult:
    """Scan every blob `source` yields; account for every one it skipped."""
    started = time.perf_counter()
    summary = ScanSummary(engine=engine.name, rules=len(engine.catalog))

    def counted(blobs: Iterator[Blob]) -> Iterator[Blob]:
        for blob in blobs:
            summary.blobs += 1
            summary.bytes += len(blob.data)
            if options.progress is not None:
                options.progress(summary.blobs, summary.bytes)
            yield blob

    stream = counted(_distinct(source.blobs(), summary, options.dedupe))
    hits = (h for h in _hits(engine, stream, _workers(options.jobs)) if h.matches)
    findings = group_findings(engine, hits, options.min_confidence)
    summary.skipped = list(source.skipped)
    summary.notes = list(source.notes) + list(options.notes)
    summary.duration_s = time.perf_counter() - started
    return ScanResult(findings, summary, target)
