"""An image's structure: which manifests to scan, their configs, layers and annotations.

Two layouts are read. An OCI image layout (`oci-layout`, `index.json`, `blobs/ALG/HEX`), which
`docker save` also writes since Docker 25 beside its own `manifest.json`; and the older
`docker save` form (`manifest.json`: `Config`, `RepoTags`, `Layers`), whose layers are named by
their uncompressed digest (the config's `rootfs.diff_ids`). An index may list several
platforms (and nest indexes); one is chosen (the host's by default, or `--platform`), or all.
Attestation manifests (BuildKit provenance, SBOMs) are not images and are left out.
"""

from __future__ import annotations

import hashlib
import json
import platform as host
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from leakwarden.errors import InputError
from leakwarden.sources.image_store import BlobTooLarge, ImageStore

MAX_JSON_BYTES = 16 * 1024 * 1024  # manifests and configs are kilobytes; this only stops a prank
_INDEX_TYPES = frozenset(
    {"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"}
)
_REF_NAMES = ("io.containerd.image.name", "org.opencontainers.image.ref.name")


@dataclass(frozen=True, slots=True)
class LayerRef:
    digest: str
    name: str  # inside the store


@dataclass(slots=True)
class ImageManifest:
    reference: str
    digest: str  # of the manifest; of the config (the image id) for the older docker save form
    platform: str
    config: dict[str, Any]
    layers: tuple[LayerRef, ...]
    annotations: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ImageLayout:
    label: str
    manifests: list[ImageManifest]
    index_digest: str = ""
    index_annotations: dict[str, str] = field(default_factory=dict)
    platforms: list[str] = field(default_factory=list)  # every platform the image offers
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (where, reason, detail)


def host_platform() -> str:
    machine = host.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "armv7l": "arm/v7"}
    return "linux/" + arch.get(machine, machine)


def platform_name(spec: Mapping[str, Any]) -> str:
    parts = [str(spec.get("os", "")), str(spec.get("architecture", ""))]
    if spec.get("variant"):
        parts.append(str(spec["variant"]))
    return "/".join(parts) if any(parts) else ""


def platform_matches(wanted: str, offered: str) -> bool:
    """`linux/arm64` matches `linux/arm64/v8`; a variant asked for must be the one offered."""
    want, have = wanted.split("/"), offered.split("/")
    return have[: len(want)] == want or (len(want) == 3 and want[2] == "v8" and have == want[:2])


def blob_name(digest: str) -> str:
    algorithm, _, hexdigits = digest.partition(":")
    if not hexdigits or "/" in hexdigits or "/" in algorithm or ".." in digest:
        raise ValueError(f"not a digest: {digest!r}")
    return f"blobs/{algorithm}/{hexdigits}"


def read_json(store: ImageStore, name: str) -> tuple[Any, str]:
    """The document and the sha256 digest of its bytes."""
    try:
        data = store.read(name, MAX_JSON_BYTES)
    except BlobTooLarge as big:
        raise ValueError(f"{name} is {big.size} bytes, too large for a manifest") from None
    return json.loads(data), "sha256:" + hashlib.sha256(data).hexdigest()


def read_layout(store: ImageStore, wanted: str | None, all_platforms: bool) -> ImageLayout:
    names = store.names()
    try:
        if "index.json" in names:
            return _oci(store, wanted, all_platforms)
        if "manifest.json" in names:
            return _docker(store)
    except (ValueError, OSError, EOFError, KeyError, TypeError, AttributeError) as error:
        raise InputError(f"{store.label}: not a readable image: {type(error).__name__}: {error}") from None
    raise InputError(
        f"{store.label}: not an image (no index.json of an OCI layout, no manifest.json of docker save)"
    )


def _oci(store: ImageStore, wanted: str | None, all_platforms: bool) -> ImageLayout:
    index, digest = read_json(store, "index.json")
    layout = ImageLayout(store.label, [], digest, _strings(index.get("annotations")))
    found = list(_descriptors(store, index, layout, depth=0))
    offered = [entry for entry in found if not _attestation(entry[0])]
    loaded = [_load(store, layout, descriptor, reference) for descriptor, reference in offered]
    images = [image for image in loaded if image is not None]
    layout.platforms = sorted({image.platform for image in images if image.platform})
    layout.manifests = _select(images, layout, wanted, all_platforms)
    return layout


def _descriptors(
    store: ImageStore, index: Mapping[str, Any], layout: ImageLayout, depth: int
) -> Iterator[tuple[dict[str, Any], str]]:
    for descriptor in index.get("manifests") or []:
        annotations = descriptor.get("annotations") or {}
        reference = next((str(annotations[k]) for k in _REF_NAMES if annotations.get(k)), "")
        if descriptor.get("mediaType") in _INDEX_TYPES and depth < 4:
            try:
                nested, _ = read_json(store, blob_name(descriptor["digest"]))
            except (FileNotFoundError, ValueError, KeyError) as error:
                layout.problems.append((layout.label, "unreadable image", f"nested index: {error}"))
                continue
            for inner, inner_reference in _descriptors(store, nested, layout, depth + 1):
                yield inner, inner_reference or reference
            continue
        yield descriptor, reference


def _attestation(descriptor: Mapping[str, Any]) -> bool:
    annotations = descriptor.get("annotations") or {}
    return "vnd.docker.reference.type" in annotations or platform_name(descriptor.get("platform") or {}) == (
        "unknown/unknown"
    )


def _load(
    store: ImageStore, layout: ImageLayout, descriptor: Mapping[str, Any], reference: str
) -> ImageManifest | None:
    digest = str(descriptor.get("digest", ""))
    try:
        manifest, _ = read_json(store, blob_name(digest))
        config, _ = read_json(store, blob_name(manifest["config"]["digest"]))
        layers = tuple(
            LayerRef(str(d["digest"]), blob_name(str(d["digest"]))) for d in manifest.get("layers") or []
        )
    except (FileNotFoundError, ValueError, KeyError, TypeError, EOFError, AttributeError) as error:
        layout.problems.append(
            (f"{layout.label}@{digest}", "unreadable image", f"manifest or config: {error}")
        )
        return None
    spec = descriptor.get("platform") or config
    return ImageManifest(
        reference or layout.label,
        digest,
        platform_name(spec),
        config if isinstance(config, dict) else {},
        layers,
        _strings(manifest.get("annotations")),
    )


def _select(
    images: list[ImageManifest], layout: ImageLayout, wanted: str | None, all_platforms: bool
) -> list[ImageManifest]:
    if all_platforms or (len({i.platform for i in images}) <= 1 and wanted is None):
        return images
    target = wanted or host_platform()
    chosen = [image for image in images if platform_matches(target, image.platform)]
    if not chosen:
        offered = ", ".join(layout.platforms) or "none named"
        raise InputError(
            f"{layout.label}: no image for platform {target} (offered: {offered}); "
            "choose one with --platform or scan them all with --all-platforms"
        )
    return chosen


def _docker(store: ImageStore) -> ImageLayout:
    entries, _ = read_json(store, "manifest.json")
    layout = ImageLayout(store.label, [])
    for entry in entries:
        config_name = str(entry["Config"])
        try:
            config, config_digest = read_json(store, config_name)
        except (FileNotFoundError, ValueError, EOFError) as error:
            layout.problems.append((f"{layout.label}:{config_name}", "unreadable image", f"config: {error}"))
            continue
        diff_ids = (config.get("rootfs") or {}).get("diff_ids") or []
        layers = []
        for index, name in enumerate(entry.get("Layers") or []):
            digest = str(diff_ids[index]) if index < len(diff_ids) else "sha256:" + _hex_in(str(name))
            layers.append(LayerRef(digest, str(name)))
        tags = entry.get("RepoTags") or []
        image = ImageManifest(
            str(tags[0]) if tags else layout.label,
            config_digest,
            platform_name(config),
            config,
            tuple(layers),
        )
        layout.manifests.append(image)
    layout.platforms = sorted({image.platform for image in layout.manifests if image.platform})
    return layout


def _hex_in(name: str) -> str:
    """The digest a `docker save` layer name carries (`HEX/layer.tar`, `blobs/sha256/HEX`)."""
    parts = [p for p in name.split("/") if len(p) == 64]
    return parts[-1] if parts else hashlib.sha256(name.encode()).hexdigest()


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}
