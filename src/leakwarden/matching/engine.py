"""The two engines: Hyperscan (one database for the whole catalogue) and pure Python.

Both find candidates their own way and confirm them with the same `CompiledRule.confirm`, so
they report the same matches; the test suite runs every rule example through both.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from leakwarden.matching.compiled import CompiledRule
from leakwarden.matching.pairing import CompiledPair, apply_pairs
from leakwarden.model import Match
from leakwarden.rules.catalog import Catalog

_hs: Any
try:  # Hyperscan has wheels for the common platforms only; the Python engine covers the rest.
    import hyperscan as _hs
except ImportError:  # pragma: no cover - exercised on platforms without a wheel
    _hs = None

ENGINE_FORMAT = "1"

# Probing an expression costs a Hyperscan compile (tens of ms for a context pattern); the linter
# and every engine over the same catalogue ask about the same expressions.
_FLAGS: dict[bytes, int] = {}


def hyperscan_available() -> bool:
    return _hs is not None


def hyperscan_version() -> str:
    return str(getattr(_hs, "__version__", "none"))


class Engine:
    """Finds every rule's matches in one blob. Thread-safe: one engine serves all workers."""

    name = "base"

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.rules = [CompiledRule(r) for r in catalog.rules if r.pattern is not None]
        self.by_id = {c.rule.id: c for c in self.rules}
        self.pairs = [CompiledPair.build(r) for r in catalog.rules if r.pair is not None]

    def prepare(self) -> None:
        """Compile every rule's regexes now (they are otherwise compiled at their first hit)."""
        for compiled in self.rules:
            _ = compiled.regex, compiled.width, compiled.allow, compiled.nearby

    def candidates(self, data: bytes) -> list[Match]:
        raise NotImplementedError

    def scan(self, data: bytes) -> list[Match]:
        matches = self.candidates(data)
        if self.pairs and matches:
            matches = apply_pairs(data, matches, self.pairs, self.by_id)
        return sorted(matches, key=lambda m: (m.start, m.rule_id))


class PythonEngine(Engine):
    """Keyword prefilter over the lowered blob, then each surviving rule's regex."""

    name = "python"

    def candidates(self, data: bytes) -> list[Match]:
        lowered = data.lower()
        found: list[Match] = []
        for rule in self.rules:
            if any(k in lowered for k in rule.keywords):
                found.extend(rule.confirm(data))
        return found


class HyperscanEngine(Engine):
    """One Hyperscan database reports, per rule, the end of its first match in a blob; Python's
    `re` then confirms from one pattern-width before that end, which cannot miss a match."""

    name = "hyperscan"

    def __init__(self, catalog: Catalog, serialized: bytes | None = None) -> None:
        if _hs is None:
            raise RuntimeError("hyperscan is not installed")
        super().__init__(catalog)
        self._local = threading.local()
        self.database: Any = None
        if serialized is not None:
            try:
                self.database = _hs.loadb(serialized, mode=_hs.HS_MODE_BLOCK)
            except Exception:  # a stale or foreign cache entry: rebuild rather than fail
                self.database = None
        if self.database is None:
            self.database = self._compile(self.rules)

    @staticmethod
    def expression_flags(rule: CompiledRule) -> int:
        """SINGLEMATCH always; PREFILTER (a superset Hyperscan can run) for what it cannot run
        exactly, such as lookarounds."""
        assert _hs is not None
        expression = rule.hyperscan_expression
        cached = _FLAGS.get(expression)
        if cached is not None:
            return cached
        flags = int(_hs.HS_FLAG_SINGLEMATCH)
        probe = _hs.Database(mode=_hs.HS_MODE_BLOCK)
        try:
            probe.compile(expressions=[expression], ids=[0], elements=1, flags=flags)
        except _hs.error:
            flags |= int(_hs.HS_FLAG_PREFILTER)
        _FLAGS[expression] = flags
        return flags

    @classmethod
    def _compile(cls, rules: Sequence[CompiledRule]) -> Any:
        assert _hs is not None
        database = _hs.Database(mode=_hs.HS_MODE_BLOCK)
        if rules:
            database.compile(
                expressions=[r.hyperscan_expression for r in rules],
                ids=list(range(len(rules))),
                elements=len(rules),
                flags=[cls.expression_flags(r) for r in rules],
            )
        return database

    def serialize(self) -> bytes:
        assert _hs is not None
        return bytes(_hs.dumpb(self.database))

    def _scratch(self) -> Any:
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            assert _hs is not None
            scratch = self._local.scratch = _hs.Scratch(self.database)
        return scratch

    def candidates(self, data: bytes) -> list[Match]:
        if not self.rules or not data:
            return []
        first_end: dict[int, int] = {}

        def on_match(rule_index: int, _start: int, end: int, _flags: int, _ctx: object) -> None:
            first_end.setdefault(rule_index, end)

        self.database.scan(data, match_event_handler=on_match, scratch=self._scratch())
        found: list[Match] = []
        for index, end in first_end.items():
            rule = self.rules[index]
            found.extend(rule.confirm(data, max(0, end - rule.width)))
        return found


def build_engine(catalog: Catalog, kind: str = "auto", serialized: bytes | None = None) -> Engine:
    """`auto` is Hyperscan where installed, else Python."""
    if kind not in {"auto", "hyperscan", "python"}:
        raise ValueError(f"unknown engine {kind!r}")
    if kind == "python" or (kind == "auto" and _hs is None):
        return PythonEngine(catalog)
    return HyperscanEngine(catalog, serialized)
