"""What every source provides: blobs, and an account of what it did not scan."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol, runtime_checkable

from leakwarden.model import Blob, Provenance, Skipped
from leakwarden.sniff import encoded_text


class Source(Protocol):
    """One method that streams blobs; `skipped` fills as the stream goes, and `notes` carries
    whatever else a reader must know to trust the result (a shallow clone, say)."""

    skipped: list[Skipped]
    notes: list[str]

    def blobs(self) -> Iterator[Blob]: ...


@runtime_checkable
class ShardableSource(Source, Protocol):
    """A source whose work splits into shards that another process can read on its own: the
    scanner then reads and scans shards in parallel. `shards()` must be cheap (no content is
    read); `read_shard` runs in a worker and records what it skips in `skipped`."""

    def shards(self) -> Iterator[Any]: ...

    def read_shard(self, shard: Any) -> Iterator[Blob]: ...


@runtime_checkable
class AttributingSource(Source, Protocol):
    """A source that can say where a blob came from only at a cost (git history: which commit
    introduced it, at which paths). The scanner calls `attribute` once, after scanning, with the
    ids of the blobs that had matches; each returned list replaces that blob's provenance (the
    most telling first), and the mapping's order is the order those blobs are reported in.
    Blobs it leaves out keep the provenance they were yielded with; an empty list means the
    blob is not to be reported after all (every place it was seen is excluded)."""

    def attribute(self, blob_ids: Sequence[str]) -> dict[str, list[Provenance]]: ...


BINARY_PROBE = 8000


def looks_binary(data: bytes) -> bool:
    """Git's own heuristic, a NUL byte in the first 8000 bytes, except for text the scanner
    decodes: a compressed stream or UTF-16 (whose ASCII characters are half NUL bytes)."""
    probe = data[:BINARY_PROBE]
    return b"\x00" in probe and not encoded_text(probe)
