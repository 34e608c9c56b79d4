"""The one orchestrator: blobs from a source, through the engine, into findings.

Two ways to spread the work over cores:
- a source that can be split into shards (plain files: batches of paths) is scanned by worker
  processes that each read and scan whole shards and send back only their matches — reading and
  per-blob bookkeeping are Python work that threads would serialise on the GIL;
- any other source streams its blobs to worker threads that share the engine (Hyperscan releases
  the GIL while it scans), batched so that a task outweighs the cost of handing it over.
Either way at most `2 x workers` tasks are in flight, which bounds memory on any source size.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from itertools import chain, islice
from typing import Any

from leakwarden.expand import OFF, Limits, Stopped
from leakwarden.ignore.inline import Allow, allow_reasons
from leakwarden.matching.engine import Engine
from leakwarden.model import (
    Blob,
    Confidence,
    Finding,
    Location,
    Match,
    Occurrence,
    Provenance,
    ScanResult,
    ScanSummary,
    Skipped,
    SuppressedItem,
    fingerprint,
)
from leakwarden.scan.decoded import DecodeStats, decoded_matches
from leakwarden.scan.locate import locate
from leakwarden.sources.base import AttributingSource, ShardableSource, Source

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BlobHits:
    """The matches of one blob, located; the blob's bytes are not kept."""

    blob_id: str | None
    provenance: tuple[Provenance, ...]
    matches: list[Match]
    occurrences: list[list[Occurrence]]  # per match, one per provenance
    allowed: list[tuple[Match, Location, str]] = field(default_factory=list)  # inline allows


@dataclass
class ScanOptions:
    min_confidence: Confidence = Confidence.MEDIUM
    jobs: int = 0  # 0: one per core
    dedupe: bool = True
    progress: Progress | None = None
    notes: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits)  # decoding of encoded content (depth 0: none)


def scan_blob(
    engine: Engine, blob: Blob, limits: Limits = OFF, stats: DecodeStats | None = None
) -> BlobHits | None:
    """The located matches of one blob and of what it encodes (down to `limits.depth`), or None
    when it has none. Matches on a line with an inline allow comment are set aside with the
    comment's reason. What decoding cost and declined is added to `stats`."""
    matches = engine.scan(blob.data)
    chains: list[tuple[str, ...]] = [()] * len(matches)
    views: list[tuple[bytes, Match] | None] = [None] * len(matches)
    if limits.depth > 0:
        stats = stats if stats is not None else DecodeStats()
        decoded = decoded_matches(engine, blob.data, limits, matches, stats)
        matches, chains, views = matches + decoded.matches, chains + decoded.chains, views + decoded.views
        if decoded.stopped:
            stats.skipped.extend(_stopped_items(blob, decoded.stopped))
        kept = _longest(matches)
        if len(kept) < len(matches):
            matches, chains, views = (
                [matches[i] for i in kept],
                [chains[i] for i in kept],
                [views[i] for i in kept],
            )
    if blob.owned is not None:
        low, high = blob.owned
        kept = [i for i, m in enumerate(matches) if low <= m.start < high]
        matches, chains, views = (
            [matches[i] for i in kept],
            [chains[i] for i in kept],
            [views[i] for i in kept],
        )
    if not matches:
        return None
    located = _located(blob, matches, views)
    # Allow markers of the blob's own text are found once for all its matches (a long line of
    # many secrets stays linear); a decoded view is its own text, looked at alone.
    plain = [i for i, view in enumerate(views) if view is None]
    allows: dict[int, Allow] = dict(
        zip(
            plain,
            allow_reasons(blob.data, [(matches[i].secret_start, matches[i].secret_end) for i in plain]),
            strict=True,
        )
    )
    hits = BlobHits(blob.id, blob.provenance, [], [])
    for index, (match, decoding, view, location) in enumerate(
        zip(matches, chains, views, located, strict=True)
    ):
        allow = allows.get(index)
        if allow is None:
            assert view is not None
            text, at = view
            allow = allow_reasons(text, [(at.secret_start, at.secret_end)])[0]
        if allow.reason is not None:
            hits.allowed.append((match, location, allow.reason))
            continue
        hits.matches.append(match)
        hits.occurrences.append(
            [Occurrence(p, location, blob.id, match.captures, decoding, allow.note) for p in blob.provenance]
        )
    return hits


def _longest(matches: list[Match]) -> list[int]:
    """Indices of the matches to keep: of those of one rule starting at one place, the one with
    the longest secret. A partly decoded piece (the outer escapes undone, not the inner ones)
    shows a rule only the head of a secret, up to the first escape left; the fully decoded
    piece shows all of it, and only that one is the secret."""
    best: dict[tuple[str, int], int] = {}
    for index, match in enumerate(matches):
        key = (match.rule_id, match.secret_start)
        held = best.get(key)
        if held is None or len(match.secret) > len(matches[held].secret):
            best[key] = index
    return sorted(best.values())


def _located(blob: Blob, matches: list[Match], views: list[tuple[bytes, Match] | None]) -> list[Location]:
    """Each match's location: in the blob, or in the transcoded text it was found in (UTF-16)."""
    plain = [i for i, view in enumerate(views) if view is None]
    located: list[Location | None] = [None] * len(matches)
    spans = [(matches[i].secret_start, matches[i].secret_end) for i in plain]
    for i, location in zip(plain, locate(blob.data, spans, blob.line_base), strict=True):
        located[i] = location
    for i, view in enumerate(views):
        if view is not None:
            text, at = view
            located[i] = locate(text, [(at.secret_start, at.secret_end)], blob.line_base)[0]
    return [location for location in located if location is not None]


def _stopped_items(blob: Blob, stopped: list[Stopped]) -> Iterator[Skipped]:
    path = blob.provenance[0].path if blob.provenance else ""
    lines = locate(blob.data, [item.span for item in stopped], blob.line_base)
    for item, where in zip(stopped, lines, strict=True):
        steps = " > ".join(item.chain) if item.chain else "decoding"
        yield Skipped(path, item.reason, f"line {where.line} ({steps}): {item.detail}")


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


@dataclass
class _Batch:
    """What one task reports back: hits, plus the counts the summary needs."""

    hits: list[BlobHits] = field(default_factory=list)
    blobs: int = 0
    bytes: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    decoded: DecodeStats = field(default_factory=DecodeStats)


def _scan_blobs(engine: Engine, blobs: Iterable[Blob], limits: Limits) -> _Batch:
    batch = _Batch()
    for blob in blobs:
        batch.blobs += 1
        batch.bytes += len(blob.data)
        hit = scan_blob(engine, blob, limits, batch.decoded)
        if hit is not None:
            batch.hits.append(hit)
    return batch


# --- worker processes (shardable sources) -------------------------------------------------------

# Set in the parent just before the pool forks, so workers inherit the compiled engine and the
# source's configuration instead of unpickling them.
_FORKED: dict[str, tuple[Engine, ShardableSource, Limits]] = {}


def _run_shard(shard: Any) -> _Batch:
    engine, source, limits = _FORKED["state"]
    del source.skipped[:]
    batch = _scan_blobs(engine, source.read_shard(shard), limits)
    batch.skipped = list(source.skipped)
    return batch


def _fork_available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


# --- the pipeline ----------------------------------------------------------------------------------

BATCH_BYTES = 4 * 1024 * 1024
BATCH_BLOBS = 512


def _blob_batches(blobs: Iterator[Blob]) -> Iterator[list[Blob]]:
    batch: list[Blob] = []
    size = 0
    for blob in blobs:
        batch.append(blob)
        size += len(blob.data)
        if size >= BATCH_BYTES or len(batch) >= BATCH_BLOBS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _pipelined(
    pool: Executor, submit: Callable[[Any], Future[_Batch]], tasks: Iterator[Any], depth: int
) -> Iterator[_Batch]:
    pending: deque[Future[_Batch]] = deque()
    for task in tasks:
        pending.append(submit(task))
        if len(pending) >= depth:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _distinct(blobs: Iterable[Blob], summary: ScanSummary, dedupe: bool) -> Iterator[Blob]:
    seen: set[str] = set()
    for blob in blobs:
        if dedupe and blob.id is not None:
            if blob.id in seen:
                summary.duplicates += 1
                continue
            seen.add(blob.id)
        yield blob


def _batches(
    source: Source, engine: Engine, workers: int, summary: ScanSummary, options: ScanOptions
) -> Iterator[_Batch]:
    limits, dedupe = options.limits, options.dedupe
    if workers > 1 and isinstance(source, ShardableSource) and _fork_available():
        shards = source.shards()
        head = list(islice(shards, 2))
        if len(head) < 2:  # too little work to be worth a process
            for shard in head:
                yield _scan_blobs(engine, source.read_shard(shard), limits)
            return
        engine.prepare()  # compile every regex once here rather than once in each worker
        _FORKED["state"] = (engine, source, limits)
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
                yield from _pipelined(
                    pool, lambda s: pool.submit(_run_shard, s), chain(head, shards), 2 * workers
                )
        finally:
            _FORKED.clear()
        return
    # A source that yields each id once anyway (git) spares the scanner a set of every id.
    blobs = _distinct(source.blobs(), summary, dedupe and not getattr(source, "distinct_ids", False))
    if workers == 1:
        for chunk in _blob_batches(blobs):
            yield _scan_blobs(engine, chunk, limits)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="leakwarden-scan") as pool:
        yield from _pipelined(
            pool,
            lambda chunk: pool.submit(_scan_blobs, engine, chunk, limits),
            _blob_batches(blobs),
            2 * workers,
        )


def _allowed_items(hit: BlobHits) -> Iterator[SuppressedItem]:
    for match, location, reason in hit.allowed:
        for provenance in hit.provenance:
            key = fingerprint(match.rule_id, match.secret, match.parts)
            yield SuppressedItem(match.rule_id, key, provenance.path, location.line, "inline", reason)


def group_findings(
    engine: Engine,
    hits: Iterable[BlobHits],
    min_confidence: Confidence,
    suppressed: list[SuppressedItem] | None = None,
) -> list[Finding]:
    """One finding per (rule, secret), occurrences in the order seen; inline allows of the
    reported confidence go to `suppressed`."""
    by_key: dict[str, Finding] = {}
    for hit in hits:
        if suppressed is not None:
            suppressed.extend(
                item
                for item in _allowed_items(hit)
                if engine.catalog[item.rule_id].confidence >= min_confidence
            )
        for match, occurrences in zip(hit.matches, hit.occurrences, strict=True):
            rule = engine.catalog[match.rule_id]
            if rule.confidence < min_confidence:
                continue
            key = fingerprint(match.rule_id, match.secret, match.parts)
            finding = by_key.get(key)
            if finding is None:
                finding = Finding(match.rule_id, match.secret, rule.confidence, dict(match.parts), [])
                by_key[key] = finding
            finding.occurrences.extend(occurrences)
    return sorted(by_key.values(), key=_finding_order)


def _finding_order(finding: Finding) -> tuple[str, int, int, str]:
    first = finding.occurrences[0]
    return (first.provenance.path, first.location.line, first.location.column, finding.rule_id)


def _reported(engine: Engine, hit: BlobHits, min_confidence: Confidence) -> bool:
    found = chain(hit.matches, (match for match, _, _ in hit.allowed))
    return any(engine.catalog[m.rule_id].confidence >= min_confidence for m in found)


def attributed(
    source: AttributingSource, engine: Engine, hits: list[BlobHits], min_confidence: Confidence
) -> list[BlobHits]:
    """Hits with the provenance an attributing source gives their blobs (one call for all of
    them, only for blobs with something to report), in the order it gives them."""
    ids = list(dict.fromkeys(h.blob_id for h in hits if h.blob_id and _reported(engine, h, min_confidence)))
    found = source.attribute(ids) if ids else {}
    if not found:
        return hits
    order = {blob_id: index for index, blob_id in enumerate(found)}
    rebuilt = []
    for hit in hits:
        provenance = tuple(found.get(hit.blob_id or "", ()))
        if not provenance and hit.blob_id in found:
            continue  # every place the source knows for this blob is excluded
        if not provenance or not all(hit.occurrences):
            rebuilt.append(hit)
            continue
        occurrences = [[replace(per[0], provenance=p) for p in provenance] for per in hit.occurrences if per]
        rebuilt.append(replace(hit, provenance=provenance, occurrences=occurrences))
    return sorted(rebuilt, key=lambda h: order.get(h.blob_id or "", len(order)))


def run_scan(source: Source, engine: Engine, options: ScanOptions, target: str = "") -> ScanResult:
    """Scan every blob `source` yields; account for every one it skipped."""
    started = time.perf_counter()
    summary = ScanSummary(engine=engine.name, rules=len(engine.catalog), decode_depth=options.limits.depth)
    workers = options.jobs if options.jobs > 0 else cores()
    skipped_in_workers: list[Skipped] = []

    def hits() -> Iterator[BlobHits]:
        for batch in _batches(source, engine, workers, summary, options):
            summary.blobs += batch.blobs
            summary.bytes += batch.bytes
            summary.decoded_pieces += batch.decoded.pieces
            summary.decoded_bytes += batch.decoded.bytes
            skipped_in_workers.extend(batch.skipped)
            skipped_in_workers.extend(batch.decoded.skipped)
            if options.progress is not None:
                options.progress(summary.blobs, summary.bytes)
            yield from batch.hits

    found: Iterable[BlobHits] = hits()
    if isinstance(source, AttributingSource):
        found = attributed(source, engine, list(found), options.min_confidence)
    findings = group_findings(engine, found, options.min_confidence, summary.suppressed)
    summary.decoded_findings = sum(all(o.decoding for o in f.occurrences) for f in findings)
    summary.skipped = sorted([*source.skipped, *skipped_in_workers], key=lambda s: (s.path, s.reason))
    summary.notes = list(source.notes) + list(options.notes)
    summary.duration_s = time.perf_counter() - started
    return ScanResult(findings, summary, target)
