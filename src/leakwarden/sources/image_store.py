"""Where an image's blobs are read from: a directory (an OCI image layout, or a `docker save`
tarball unpacked) or an archive of one (OCI archive, `docker save` output, optionally gzipped).

Names are the paths inside the layout (`index.json`, `blobs/sha256/HEX`, `HEX/layer.tar`).
An archive is opened with random access (tarfile's seeking mode) so that each blob is read
once, when it is needed, and nothing is extracted to disk.
"""

from __future__ import annotations

import os
import posixpath
import tarfile
from typing import Protocol

from leakwarden.errors import InputError


class ImageStore(Protocol):
    label: str

    def names(self) -> set[str]: ...

    def size(self, name: str) -> int: ...

    def read(self, name: str, limit: int) -> bytes: ...

    def close(self) -> None: ...


class BlobTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _normal(name: str) -> str:
    return posixpath.normpath(name.lstrip("/")).removeprefix("./")


class DirectoryStore:
    def __init__(self, root: str) -> None:
        self.root = root
        self.label = os.path.basename(os.path.normpath(root)) or root

    def _path(self, name: str) -> str:
        name = _normal(name)
        if name.startswith("..") or os.path.isabs(name):
            raise FileNotFoundError(name)  # a manifest naming a path outside the layout
        return os.path.join(self.root, *name.split("/"))

    def names(self) -> set[str]:
        found: set[str] = set()
        for directory, _dirs, files in os.walk(self.root):
            relative = os.path.relpath(directory, self.root)
            for file in files:
                found.add(_normal(posixpath.join(relative.replace(os.sep, "/"), file)))
        return found

    def size(self, name: str) -> int:
        return os.stat(self._path(name)).st_size

    def read(self, name: str, limit: int) -> bytes:
        path = self._path(name)
        size = os.stat(path).st_size
        if size > limit:
            raise BlobTooLarge(size)
        with open(path, "rb") as handle:
            return handle.read()

    def close(self) -> None:
        return None


class TarStore:
    def __init__(self, path: str) -> None:
        self.label = os.path.basename(path)
        try:
            self._tar = tarfile.open(path, "r:*")  # noqa: SIM115 (closed by close())
            self._members = {
                _normal(m.name): m for m in self._tar.getmembers() if m.isreg() or m.islnk() or m.issym()
            }
        except (tarfile.TarError, EOFError, OSError) as error:
            raise InputError(
                f"{path}: not a readable image archive ({type(error).__name__}: {error})"
            ) from None

    def names(self) -> set[str]:
        return set(self._members)

    def size(self, name: str) -> int:
        return self._member(name).size

    def _member(self, name: str) -> tarfile.TarInfo:
        member = self._members.get(_normal(name))
        if member is None:
            raise FileNotFoundError(name)
        return member

    def read(self, name: str, limit: int) -> bytes:
        member = self._member(name)
        if member.size > limit:
            raise BlobTooLarge(member.size)
        handle = self._tar.extractfile(member)  # follows links inside the archive
        if handle is None:
            raise FileNotFoundError(name)
        with handle:
            data = handle.read()
        if len(data) < member.size:
            raise EOFError(f"truncated after {len(data)} of {member.size} bytes")
        return data

    def close(self) -> None:
        self._tar.close()


def open_store(path: str) -> ImageStore:
    if os.path.isdir(path):
        return DirectoryStore(path)
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file or directory")
    return TarStore(path)
