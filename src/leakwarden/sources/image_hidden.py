"""Which later layer hides a file of an earlier one: the "deleted but shipped" question.

A layer deletes a path of the layers below with a whiteout file `.wh.NAME` beside it, and
empties a directory of everything below with `.wh..wh..opq` inside it (the OCI image spec,
https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts); writing a path
again replaces it. None of this touches the earlier layer's
tar, which still ships in the image with the file in it.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field

WHITEOUT = ".wh."
OPAQUE = ".wh..wh..opq"


@dataclass(slots=True)
class LayerListing:
    """Every path one layer writes (regular files with their content id, links and other
    entries with None), deletes, and empties."""

    files: dict[str, str | None] = field(default_factory=dict)
    whiteouts: set[str] = field(default_factory=set)
    opaque: set[str] = field(default_factory=set)  # directories, "" for the root

    def add(self, path: str, content_id: str | None) -> bool:
        """Record one entry; True when it is a whiteout (nothing to scan)."""
        directory, name = posixpath.split(path)
        if name == OPAQUE:
            self.opaque.add(directory)
            return True
        if name.startswith(WHITEOUT):
            self.whiteouts.add(posixpath.join(directory, name[len(WHITEOUT) :]))
            return True
        self.files[path] = content_id
        return False


def _ancestors(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:n]) for n in range(1, len(parts))]


def hidden_by(
    path: str, content_id: str, later: Sequence[tuple[int, LayerListing]]
) -> tuple[int, str] | None:
    """The first later layer that deletes or replaces `path`, and how; None when the file is
    in the final filesystem (also when a later layer writes the same content there again)."""
    ancestors = _ancestors(path)
    for index, listing in later:
        if path in listing.files:
            return None if listing.files[path] == content_id else (index, "overwritten")
        if path in listing.whiteouts:
            return index, "deleted by a whiteout"
        for ancestor in ancestors:
            if ancestor in listing.whiteouts:
                return index, f"deleted by a whiteout of {ancestor}/"
            if ancestor in listing.files:
                return index, f"replaced: {ancestor} became a file"
        for directory in ("", *ancestors):
            if directory in listing.opaque:
                return index, f"deleted by an opaque whiteout of {directory or '/'}"
    return None
