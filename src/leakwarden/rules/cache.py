"""The parsed built-in catalogue, cached on disk keyed by everything that shapes it.

Parsing validates every rule (its regexes are compiled to be checked), which costs more than a
hook can spend before it has read a byte. The key covers the rule files' names and bytes, the
code that parses them and the interpreter, so a stale entry is never used; a corrupt, foreign or
unwritable cache only costs a parse. The cache directory is the user's own (or
`LEAKWARDEN_CACHE_DIR`), the same trust as the program's own files.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from leakwarden import __version__
from leakwarden.fileio import replace_file
from leakwarden.rules import schema

_FORMAT = b"leakwarden-catalog-cache:1"


def cache_dir() -> Path:
    """Where leakwarden keeps what it can rebuild: compiled rules, parsed catalogues."""
    override = os.environ.get("LEAKWARDEN_CACHE_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("leakwarden"))


def _code_digest() -> bytes:
    digest = hashlib.sha256(_FORMAT + __version__.encode() + sys.version.encode())
    for module in (schema, sys.modules["leakwarden.rules.verify_schema"], sys.modules["leakwarden.model"]):
        origin = getattr(module, "__file__", None)
        if origin:
            try:
                digest.update(Path(origin).read_bytes())
            except OSError:
                digest.update(origin.encode())
    return digest.digest()


def key(files: Sequence[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(_code_digest())
    for name, text in files:
        digest.update(name.encode() + b"\x00" + hashlib.sha256(text).digest())
    return digest.hexdigest()[:32]


def cached_rules(
    files: Sequence[tuple[str, bytes]], parse: Callable[[], list[schema.Rule]]
) -> list[schema.Rule]:
    """`parse()`'s rules for `files`, from the cache when an entry for exactly these files exists."""
    path = cache_dir() / f"catalog-{key(files)}.pickle"
    try:
        loaded = pickle.loads(path.read_bytes())
        if isinstance(loaded, list) and all(isinstance(rule, schema.Rule) for rule in loaded):
            return loaded
    except Exception:  # any unreadable entry is rebuilt, never fatal
        pass
    rules = parse()
    write_atomically(path, pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL))
    return rules


def write_atomically(path: Path, data: bytes) -> None:
    """Save a cache entry; a read-only home costs a rebuild next time, never a failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_file(path, data)
    except OSError:
        pass
