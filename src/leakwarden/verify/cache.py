"""Verdicts remembered for a while, so that a re-scan does not ask the provider again.

Keyed by a hash of the rule and every value the check used (never the values themselves), one
small JSON file per verdict under the user cache directory, written atomically. A dead
credential stays dead for a week; a live one is asked again after an hour (it may be revoked in
the meantime, which is the point of the incident); unknown answers and errors are not kept.
Safe to delete.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path

from leakwarden.fileio import replace_file
from leakwarden.model import Verdict, VerdictStatus

LIVE_TTL_S = 3600.0
DEAD_TTL_S = 7 * 86400.0
_FORMAT = "1"


def cache_key(rule_id: str, values: Mapping[str, str]) -> str:
    digest = hashlib.sha256(f"leakwarden-verdict:{_FORMAT}\x00{rule_id}".encode())
    for name in sorted(values):
        digest.update(b"\x00" + name.encode() + b"=" + values[name].encode())
    return digest.hexdigest()


def default_cache() -> VerdictCache:
    """The user's verdict cache, beside the compiled rules (`LEAKWARDEN_CACHE_DIR` moves both)."""
    from leakwarden.rules.cache import cache_dir

    return VerdictCache(cache_dir() / "verdicts")


class VerdictCache:
    def __init__(
        self,
        directory: Path,
        *,
        clock: Callable[[], float] = time.time,
        live_ttl_s: float = LIVE_TTL_S,
        dead_ttl_s: float = DEAD_TTL_S,
    ) -> None:
        self.directory = directory
        self.clock = clock
        self.ttl = {VerdictStatus.LIVE: live_ttl_s, VerdictStatus.DEAD: dead_ttl_s}

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> Verdict | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            verdict = Verdict(**entry["verdict"])
            fresh = self.clock() - float(entry["stored_at"]) < self.ttl.get(verdict.status, 0.0)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, stale format or damaged: ask again
        return verdict if fresh else None

    def put(self, key: str, verdict: Verdict) -> None:
        if verdict.status not in self.ttl:
            return
        path = self._path(key)
        entry = {
            "stored_at": self.clock(),
            "verdict": {**asdict(verdict), "identity": dict(verdict.identity)},
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, json.dumps(entry).encode(), mode=0o600)
        except OSError:
            pass  # a cache that cannot be written only costs a request next time
