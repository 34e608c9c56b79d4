"""A container image on disk, without a Docker daemon: an OCI image layout (directory or
archive) or a `docker save` tarball, one platform of a multi-platform index or all of them.

Blobs: every regular file of every layer (read from the layer blob in memory, never
extracted), and the image's metadata texts, the config's `Env`, `Labels`, `Cmd`,
`Entrypoint` and every `history[].created_by` (where a Dockerfile's ARG and ENV values
leak), and the manifests' and index's annotations.

Layer files carry git's blob id, so a content that several layers, paths or platforms hold
is scanned once; the scanner then asks `attribute` for every place of the blobs that had
matches. Only then is it known which later layer deleted or replaced each file (whiteouts,
`image_hidden`), so provenance is given there, with the layer that hid the file.

The layer tar is read by a `LayerReader` the caller passes in: the archive reader lives in
`expand`, which a source may not import (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from leakwarden.errors import InputError
from leakwarden.globs import gitignore_spec
from leakwarden.model import (
    Blob,
    ImageConfigProvenance,
    ImageLayerProvenance,
    Provenance,
    Skipped,
    git_blob_id,
    short_digest,
)
from leakwarden.sources.base import looks_binary
from leakwarden.sources.image_hidden import LayerListing, hidden_by
from leakwarden.sources.image_layout import ImageLayout, ImageManifest, read_layout
from leakwarden.sources.image_store import BlobTooLarge, open_store

DEFAULT_MAX_LAYER_BYTES = 2 * 1024 * 1024 * 1024
# Every file of every layer together, as read out of the layers (a bound on work, not memory:
# files are read one at a time).
DEFAULT_MAX_IMAGE_BYTES = 32 * 1024 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LayerFile:
    """One entry of a layer tar; `data` is None for a link, device or FIFO (not scanned)."""

    path: str
    data: bytes | None


@dataclass(frozen=True, slots=True)
class LayerProblem:
    """Part of a layer not read: reason `too large` (one file) or `corrupt layer`."""

    path: str  # inside the layer; "" for the layer as a whole
    reason: str
    detail: str = ""
    allowance_spent: bool = False  # the layer used up the bytes the image had left


# (layer bytes, a label for messages, bytes the image has left to read) -> the layer's entries
LayerReader = Callable[[bytes, str, int], Iterable[LayerFile | LayerProblem]]


@dataclass(slots=True)
class _Counts:
    binary: int = 0
    special: int = 0


@dataclass(slots=True)
class _Place:
    image: int
    layer: int
    path: str


@dataclass
class ImageSource:
    path: str
    read_layer: LayerReader
    platform: str | None = None
    all_platforms: bool = False
    max_layer_bytes: int = DEFAULT_MAX_LAYER_BYTES
    include_binary: bool = False
    exclude: Sequence[str] = ()  # gitignore-style patterns over paths inside the layers
    max_total_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _places: dict[str, list[_Place]] = field(default_factory=dict)
    _listings: dict[str, LayerListing] = field(default_factory=dict)
    _layout: ImageLayout | None = None
    _read: int = 0  # bytes read out of layers so far

    def __post_init__(self) -> None:
        self._exclude = gitignore_spec(self.exclude) if self.exclude else None
        # Read the structure now, so that a path that is no image fails before any scanning.
        store = open_store(self.path)
        try:
            self._layout = read_layout(store, self.platform, self.all_platforms)
        finally:
            store.close()
        for where, reason, detail in self._layout.problems:
            self.skipped.append(Skipped(where, reason, detail))
        if not self._layout.manifests and not self._layout.problems:
            raise InputError(f"{self.path}: the image lists no manifest")

    @property
    def layout(self) -> ImageLayout:
        assert self._layout is not None
        return self._layout

    @property
    def target(self) -> str:
        return ", ".join(
            f"{m.reference}@{m.digest}" + (f" ({m.platform})" if m.platform else "")
            for m in self.layout.manifests
        )

    def blobs(self) -> Iterator[Blob]:
        layout = self.layout
        if len(layout.platforms) > 1 and not self.all_platforms:
            chosen = ", ".join(m.platform for m in layout.manifests)
            self.notes.append(
                f"{layout.label} offers {', '.join(layout.platforms)}; scanned {chosen} "
                "(--all-platforms scans every one)"
            )
        for key, value in layout.index_annotations.items():
            if layout.manifests:
                first = layout.manifests[0]
                index_prov = ImageConfigProvenance(
                    first.reference, layout.index_digest, "", "index", f"annotations[{key}]"
                )
                yield Blob(f"{key}={value}".encode(), (index_prov,))
        store = open_store(self.path)
        try:
            for number, image in enumerate(layout.manifests):
                yield from self._metadata(image)
                counts = _Counts()
                steps = layer_steps(image.config)
                for index, layer in enumerate(image.layers):
                    listing = self._listings.get(layer.digest)
                    if listing is not None:
                        self._place_again(listing, number, index)
                        continue
                    prov = ImageLayerProvenance(
                        image.reference,
                        image.digest,
                        image.platform,
                        layer.digest,
                        index,
                        "",
                        _at(steps, index),
                    )
                    label = prov.path.rsplit("!", 1)[0]
                    if self._read >= self.max_total_bytes:
                        self.skipped.append(Skipped(label, "too large", self._over_total("layer not read")))
                        continue
                    try:
                        data = store.read(layer.name, self.max_layer_bytes)
                    except BlobTooLarge as big:
                        self.skipped.append(
                            Skipped(
                                label, "too large", f"layer of {big.size} bytes, over {self.max_layer_bytes}"
                            )
                        )
                        continue
                    except FileNotFoundError:
                        self.skipped.append(
                            Skipped(label, "missing layer", f"{layer.digest} is not in the image")
                        )
                        continue
                    except (OSError, EOFError) as error:
                        self.skipped.append(
                            Skipped(label, "corrupt layer", f"{type(error).__name__}: {error}")
                        )
                        continue
                    listing = LayerListing()
                    self._listings[layer.digest] = listing
                    yield from self._layer_blobs(data, label, prov, listing, number=number, counts=counts)
                self._count_notes(image, counts)
        finally:
            store.close()

    def _layer_blobs(
        self,
        data: bytes,
        label: str,
        prov: ImageLayerProvenance,
        listing: LayerListing,
        *,
        number: int,
        counts: _Counts,
    ) -> Iterator[Blob]:
        for entry in self.read_layer(data, label, max(self.max_total_bytes - self._read, 1)):
            if isinstance(entry, LayerProblem):
                if entry.allowance_spent:
                    self._read = self.max_total_bytes
                    self.skipped.append(
                        Skipped(label, entry.reason, self._over_total("the rest of the layer not read"))
                    )
                    continue
                where = f"{label}!{entry.path}" if entry.path else label
                self.skipped.append(Skipped(where, entry.reason, entry.detail))
                continue
            if entry.data is None:
                listing.add(entry.path, None)
                counts.special += 1
                continue
            self._read += len(entry.data)
            if self._read >= self.max_total_bytes:
                self.skipped.append(
                    Skipped(label, "too large", self._over_total("the rest of the layer not read"))
                )
                return
            content_id = git_blob_id(entry.data)
            if listing.add(entry.path, content_id):
                continue  # a whiteout: an empty marker, nothing to scan
            if self._exclude is not None and self._exclude.match_file(entry.path):
                continue
            if not self.include_binary and looks_binary(entry.data):
                counts.binary += 1
                continue
            self._places.setdefault(content_id, []).append(_Place(number, prov.layer_index, entry.path))
            yield Blob(entry.data, (_with_path(prov, entry.path),), id=content_id)

    def _over_total(self, what: str) -> str:
        return f"the image's files passed max total bytes ({self.max_total_bytes}); {what}"

    def _place_again(self, listing: LayerListing, number: int, index: int) -> None:
        """A layer this scan already read, in another manifest or again in this one: its
        files are not read twice, but each is reported at this place too."""
        for path, content_id in listing.files.items():
            if content_id is not None and content_id in self._places:
                self._places[content_id].append(_Place(number, index, path))

    def _metadata(self, image: ImageManifest) -> Iterator[Blob]:
        def blob(text: str, document: str, name: str, step: str = "") -> Blob:
            prov = ImageConfigProvenance(image.reference, image.digest, image.platform, document, name, step)
            return Blob(text.encode("utf-8", "surrogateescape"), (prov,))

        for name, text in config_texts(image.config):
            yield blob(text, "config", name, text if name.startswith("history[") else "")
        for key, value in image.annotations.items():
            yield blob(f"{key}={value}", "manifest", f"annotations[{key}]")

    def _count_notes(self, image: ImageManifest, counts: _Counts) -> None:
        what = []
        if counts.binary:
            what.append(f"{_many(counts.binary, 'binary file')} not scanned (--binary scans them)")
        if counts.special:
            what.append(
                f"{_many(counts.special, 'link or special file', 'links and special files')} not followed"
            )
        if what:
            self.notes.append(f"{image.reference}@{short_digest(image.digest)}: " + "; ".join(what))

    def attribute(self, blob_ids: Sequence[str]) -> dict[str, list[Provenance]]:
        found: dict[str, list[Provenance]] = {}
        for blob_id in blob_ids:
            places = self._places.get(blob_id)
            if places:
                found[blob_id] = [self._provenance(place, blob_id) for place in places]
        return found

    def _provenance(self, place: _Place, content_id: str) -> ImageLayerProvenance:
        image = self.layout.manifests[place.image]
        steps = layer_steps(image.config)
        layer = image.layers[place.layer]
        later = [
            (j, self._listings[image.layers[j].digest])
            for j in range(place.layer + 1, len(image.layers))
            if image.layers[j].digest in self._listings
        ]
        hidden = hidden_by(place.path, content_id, later)
        prov = ImageLayerProvenance(
            image.reference,
            image.digest,
            image.platform,
            layer.digest,
            place.layer,
            place.path,
            _at(steps, place.layer),
        )
        if hidden is None:
            return prov
        index, how = hidden
        return ImageLayerProvenance(
            prov.image,
            prov.digest,
            prov.platform,
            prov.layer_digest,
            prov.layer_index,
            prov.layer_path,
            prov.history_step,
            hidden_by_index=index,
            hidden_by_digest=image.layers[index].digest,
            hidden_by_step=_at(steps, index),
            hidden_how=how,
        )


def _many(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def _with_path(prov: ImageLayerProvenance, path: str) -> ImageLayerProvenance:
    return ImageLayerProvenance(
        prov.image, prov.digest, prov.platform, prov.layer_digest, prov.layer_index, path, prov.history_step
    )


def _at(steps: Sequence[str], index: int) -> str:
    return steps[index] if index < len(steps) else ""


def layer_steps(config: dict[str, Any]) -> list[str]:
    """The Dockerfile step of each layer, in layer order: history entries marked
    `empty_layer` (ENV, ARG, LABEL...) made no layer."""
    history = config.get("history") if isinstance(config, dict) else None
    if not isinstance(history, list):
        return []
    return [
        str(step.get("created_by", ""))
        for step in history
        if isinstance(step, dict) and not step.get("empty_layer")
    ]


def config_texts(config: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(field, text) of every config value a secret can end up in."""
    found = config.get("config")
    settings: dict[str, Any] = found if isinstance(found, dict) else {}
    for i, value in enumerate(settings.get("Env") or []):
        yield f"Env[{i}]", str(value)
    labels = settings.get("Labels")
    if isinstance(labels, dict):
        for key, value in labels.items():
            yield f"Labels[{key}]", f"{key}={value}"
    for name in ("Entrypoint", "Cmd"):
        value = settings.get(name)
        if isinstance(value, list) and value:
            yield name, " ".join(str(v) for v in value)
        elif isinstance(value, str) and value:
            yield name, value
    health = settings.get("Healthcheck")
    if isinstance(health, dict) and isinstance(health.get("Test"), list):
        yield "Healthcheck.Test", " ".join(str(v) for v in health["Test"])
    history = config.get("history")
    for i, step in enumerate(history if isinstance(history, list) else []):
        if isinstance(step, dict) and step.get("created_by"):
            yield f"history[{i}].created_by", str(step["created_by"])
