"""Scanning use cases: the library API the CLI calls (`scan_git` and `scan_staged` live in
`scan/git.py`).

Every function returns a `ScanResult` (typed findings plus a summary of what was covered and
skipped). Options common to all: `catalog` (default: the built-in catalogue), `engine`
(`auto`, `hyperscan` or `python`), `min_confidence`, `jobs`, `progress`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from leakwarden.expand import DEFAULT_DEPTH, Limits
from leakwarden.model import Blob, Confidence, ScanResult, Skipped, StdinProvenance
from leakwarden.rules.catalog import Catalog, load_catalog
from leakwarden.scan.cache import cached_engine
from leakwarden.scan.git import scan_git, scan_staged
from leakwarden.scan.runner import Progress, ScanOptions, run_scan
from leakwarden.sources.base import Source
from leakwarden.sources.files import DEFAULT_MAX_FILE_SIZE, FileSource, StdinSource

__all__ = [
    "ScanOptions",
    "scan_blobs",
    "scan_bytes",
    "scan_git",
    "scan_paths",
    "scan_source",
    "scan_staged",
    "scan_stdin",
]


def scan_source(
    source: Source,
    *,
    catalog: Catalog | None = None,
    engine: str = "auto",
    min_confidence: Confidence = Confidence.MEDIUM,
    jobs: int = 0,
    progress: Progress | None = None,
    target: str = "",
    decode_depth: int = DEFAULT_DEPTH,
) -> ScanResult:
    catalog = catalog if catalog is not None else load_catalog()
    options = ScanOptions(
        min_confidence=min_confidence, jobs=jobs, progress=progress, limits=Limits(depth=decode_depth)
    )
    return run_scan(source, cached_engine(catalog, engine), options, target)


def scan_paths(
    paths: Sequence[str],
    *,
    exclude: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    include_binary: bool = False,
    respect_gitignore: bool = False,
    catalog: Catalog | None = None,
    engine: str = "auto",
    min_confidence: Confidence = Confidence.MEDIUM,
    jobs: int = 0,
    progress: Progress | None = None,
    decode_depth: int = DEFAULT_DEPTH,
) -> ScanResult:
    """Every regular file under `paths` (symlinks are not followed; `.git` folders are pruned)."""
    source = FileSource(paths, exclude, max_file_size, include_binary, respect_gitignore)
    return scan_source(
        source,
        catalog=catalog,
        engine=engine,
        min_confidence=min_confidence,
        jobs=jobs,
        progress=progress,
        target=", ".join(paths),
        decode_depth=decode_depth,
    )


def scan_stdin(
    stream: BinaryIO,
    *,
    label: str = "<stdin>",
    catalog: Catalog | None = None,
    engine: str = "auto",
    min_confidence: Confidence = Confidence.MEDIUM,
    decode_depth: int = DEFAULT_DEPTH,
) -> ScanResult:
    return scan_source(
        StdinSource(stream, label),
        catalog=catalog,
        engine=engine,
        min_confidence=min_confidence,
        jobs=1,
        target=label,
        decode_depth=decode_depth,
    )


@dataclass
class _BlobList:
    items: Sequence[Blob]
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def blobs(self) -> Iterator[Blob]:
        yield from self.items


def scan_blobs(blobs: Sequence[Blob], **kwargs: object) -> ScanResult:
    """Blobs the caller already holds."""
    return scan_source(_BlobList(blobs), **kwargs)  # type: ignore[arg-type]


def scan_bytes(data: bytes, *, label: str = "<bytes>", **kwargs: object) -> ScanResult:
    """One in-memory buffer, reported under `label`."""
    return scan_blobs([Blob(data, (StdinProvenance(label),))], **kwargs)
