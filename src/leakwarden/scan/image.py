"""`scan_image`: a container image on disk, its layers read by expand's tar reader.

`expand.archives.walk` is not used for layers: it passes over a member whose content it has
seen, and every whiteout is the same empty file, so a layer's deletions would be lost. The
layer is read one level deep with the tar reader `walk` itself uses, under one budget per
layer; a file in a layer that is an archive is a blob like any other for the scanner.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from leakwarden.expand import DEFAULT_DEPTH
from leakwarden.expand.archive_budget import Budget, WalkStopped
from leakwarden.expand.archive_tar import tar_entries
from leakwarden.expand.archives import ArchiveLimits, Stopped, archive_kind
from leakwarden.model import Confidence, ScanResult
from leakwarden.rules.catalog import Catalog
from leakwarden.scan.runner import Progress
from leakwarden.sources.files import DEFAULT_MAX_FILE_SIZE
from leakwarden.sources.image import (
    DEFAULT_MAX_IMAGE_BYTES,
    DEFAULT_MAX_LAYER_BYTES,
    ImageSource,
    LayerFile,
    LayerProblem,
    LayerReader,
)

# Not a layer's fault: entries the tar reader reports and the image source counts instead.
_SPECIAL = "member is "
_STREAMS = frozenset({"gz", "bz2", "xz", "zst"})


def layer_reader(limits: ArchiveLimits) -> LayerReader:
    def read(data: bytes, label: str, allowance: int) -> Iterator[LayerFile | LayerProblem]:
        kind = archive_kind(label, data[:65536])
        if kind in _STREAMS:  # a layer is a tar; a head too damaged to show it is still one
            kind = f"tar.{kind}"
        if kind is None or not (kind == "tar" or kind.startswith("tar.")):
            if data:
                yield LayerProblem("", "corrupt layer", f"not a tar ({kind or 'unknown format'})")
            return
        budget = Budget(replace(limits, max_total_bytes=min(limits.max_total_bytes, allowance)), len(data))
        try:
            for entry in tar_entries(data, kind[4:] or None, (label,), budget):
                if not isinstance(entry, Stopped):
                    yield LayerFile(entry[0], entry[1])
                    continue
                path = "/".join(entry.path[1:])
                if entry.reason.startswith(_SPECIAL):
                    yield LayerFile(path, None)
                elif entry.reason.startswith("larger than"):
                    yield LayerProblem(path, "too large", entry.reason)
                else:
                    yield LayerProblem(path, "corrupt layer", entry.reason)
        except WalkStopped as stop:  # a limit, not damage: the layer may be fine, only too big
            spent = stop.reason.startswith("expanded more than max_total_bytes")
            yield LayerProblem("", "too large", f"{stop.reason}; the rest of the layer was not read", spent)

    return read


def scan_image(
    path: str,
    *,
    platform: str | None = None,
    all_platforms: bool = False,
    max_layer_size: int = DEFAULT_MAX_LAYER_BYTES,
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    max_total_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
    include_binary: bool = False,
    exclude: Sequence[str] = (),
    catalog: Catalog | None = None,
    engine: str = "auto",
    min_confidence: Confidence = Confidence.MEDIUM,
    jobs: int = 0,
    progress: Progress | None = None,
    decode_depth: int = DEFAULT_DEPTH,
) -> ScanResult:
    """Every file of every layer of the image at `path` (an OCI layout directory or archive, a
    `docker save` tarball), its config and its annotations; see `sources.image`."""
    from leakwarden.scan import scan_source

    limits = ArchiveLimits(
        max_member_bytes=max_file_size,
        # A layer is one archive and often a large one: these bound a bomb, not a real layer.
        max_total_bytes=max_total_bytes,
        max_seconds=600.0,
        max_depth=1,
    )
    source = ImageSource(
        path,
        layer_reader(limits),
        platform,
        all_platforms,
        max_layer_size,
        include_binary,
        exclude,
        max_total_bytes,
    )
    return scan_source(
        source,
        catalog=catalog,
        engine=engine,
        min_confidence=min_confidence,
        jobs=jobs,
        progress=progress,
        target=source.target,
        decode_depth=decode_depth,
    )
