"""The compiled Hyperscan database, cached on disk keyed by everything that shapes it.

A pre-commit hook must start in a blink: compiling a few hundred patterns takes far longer than
loading the serialized database. A corrupt, stale or unwritable cache costs a recompile, never a
failed scan.
"""

from __future__ import annotations

import hashlib

from leakwarden import __version__
from leakwarden.matching.engine import ENGINE_FORMAT, Engine, HyperscanEngine, build_engine, hyperscan_version
from leakwarden.rules.cache import cache_dir, write_atomically
from leakwarden.rules.catalog import Catalog


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
    # An empty database cannot be serialized (Hyperscan has nothing to compile): no rule, no cache.
    if serialized is None and isinstance(engine, HyperscanEngine) and engine.rules:
        write_atomically(path, engine.serialize())
    return engine
