"""Container images built in the tests with tarfile and json: OCI image layouts (directory or
archive), `docker save` tarballs and multi-platform indexes. Nothing is pulled."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import random
import string
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def fake_aws_key_id(rng: random.Random) -> str:
    return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


def fake_aws_secret(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "/+") for _ in range(39)) + "Q"


def layer_tar(files: Sequence[tuple[str, bytes | None]], compress: bool = True) -> bytes:
    """A layer: (path, content) pairs; content None makes a symbolic link to /dev/null."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if data is None:
                info.type = tarfile.SYMTYPE
                info.linkname = "/dev/null"
                archive.addfile(info)
                continue
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    raw = buffer.getvalue()
    return gzip.compress(raw, mtime=0) if compress else raw


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Step:
    """One Dockerfile step: its created_by and, for a step that makes a layer, the layer."""

    created_by: str
    layer: bytes | None = None


@dataclass
class Image:
    steps: list[Step]
    env: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    cmd: list[str] = field(default_factory=lambda: ["/app/run"])
    os: str = "linux"
    architecture: str = "amd64"
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def layers(self) -> list[bytes]:
        return [s.layer for s in self.steps if s.layer is not None]

    def config(self) -> bytes:
        history: list[dict[str, Any]] = []
        for step in self.steps:
            entry: dict[str, Any] = {"created": "2024-05-01T00:00:00Z", "created_by": step.created_by}
            if step.layer is None:
                entry["empty_layer"] = True
            history.append(entry)
        document = {
            "architecture": self.architecture,
            "os": self.os,
            "config": {"Env": self.env, "Labels": self.labels, "Cmd": self.cmd},
            "rootfs": {"type": "layers", "diff_ids": [digest(_plain(layer)) for layer in self.layers]},
            "history": history,
        }
        return json.dumps(document).encode()


def _plain(layer: bytes) -> bytes:
    try:
        return gzip.decompress(layer) if layer[:2] == b"\x1f\x8b" else layer
    except EOFError:  # a layer a test truncated on purpose
        return layer


class Layout:
    """The blobs and index of an OCI image layout, written as a directory or an archive."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.index: dict[str, Any] = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": []}

    def add_blob(self, data: bytes) -> dict[str, Any]:
        self.blobs[digest(data)] = data
        return {"digest": digest(data), "size": len(data)}

    def manifest(self, image: Image) -> dict[str, Any]:
        """Store the image's blobs; the descriptor of its manifest."""
        config = {"mediaType": "application/vnd.oci.image.config.v1+json", **self.add_blob(image.config())}
        layers = [{"mediaType": OCI_LAYER, **self.add_blob(layer)} for layer in image.layers]
        document: dict[str, Any] = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": config,
            "layers": layers,
        }
        if image.annotations:
            document["annotations"] = image.annotations
        descriptor = {"mediaType": OCI_MANIFEST, **self.add_blob(json.dumps(document).encode())}
        descriptor["platform"] = {"os": image.os, "architecture": image.architecture}
        return descriptor

    def add(self, image: Image, ref: str = "") -> dict[str, Any]:
        descriptor = self.manifest(image)
        if ref:
            descriptor["annotations"] = {"org.opencontainers.image.ref.name": ref}
        self.index["manifests"].append(descriptor)
        return descriptor

    def files(self) -> dict[str, bytes]:
        files = {
            "oci-layout": b'{"imageLayoutVersion": "1.0.0"}',
            "index.json": json.dumps(self.index).encode(),
        }
        for name, data in self.blobs.items():
            files["blobs/sha256/" + name.split(":")[1]] = data
        return files

    def write_dir(self, root: Path) -> Path:
        for name, data in self.files().items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        return root

    def write_tar(self, path: Path) -> Path:
        return write_tar(path, self.files())


def write_tar(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def docker_save(path: Path, image: Image, tag: str = "app:1.0") -> Path:
    """The older `docker save` form: manifest.json, HEX.json config, HEX/layer.tar layers."""
    config = image.config()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    files = {config_name: config}
    names = []
    for layer in image.layers:
        plain = _plain(layer)
        name = hashlib.sha256(plain).hexdigest() + "/layer.tar"
        files[name] = plain
        names.append(name)
    files["manifest.json"] = json.dumps(
        [{"Config": config_name, "RepoTags": [tag], "Layers": names}]
    ).encode()
    return write_tar(path, files)
