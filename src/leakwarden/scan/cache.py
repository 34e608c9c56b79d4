"""The compiled Hyperscan database, cached on disk keyed by everything that shapes it.

A pre-commit hook must start in a blink: compiling a few hundred patterns takes far longer than
loading the serialized database. A corrupt, stale or unwritable cache costs a recompile, never a
failed scan.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from leakwarden import __version__
from leakwarden.matching.engine import ENGINE_FORMAT, Engine, HyperscanEngine, build_engine, hyperscan_version
from leakwarden.rules.catalog import Catalog


def cache_dir() -> Path:
    override = os.environ.get("LEAKWARDEN_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("leakwarden"))


def _key(catalog: Catalog) -> str:
    material = f"{catalog.digest}:{__version__}:{ENGINE_FORMAT}:{hyperscan_version()}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def cached_engine(catalog: Catalog, kind: str = "auto", use_cache: bool = True) -> Engine:
    """An engine for `catalog`, loading and saving the Hyperscan database through the cache."""
    if kind == "python" or not use_cache:
        return build_engine(catalog, kind)
    path = cache_dir() / f"hsdb-{_key(catalog)}.bin"
    try:
        serialized: bytes | None = path.read_bytes()
    except OSError:
        serialized = None
    engine = build_engine(catalog, kind, serialized)
    if serialized is None and isinstance(engine, HyperscanEngine):
        _write_atomically(path, engine.serialize())
    return engine


def _write_atomically(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: scans still work, they just compile each time
