"""The compiled database is cached by catalogue digest; a bad cache costs a compile, not a scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakwarden.matching.engine import HyperscanEngine
from leakwarden.rules.catalog import Catalog
from leakwarden.scan import cache as cache_module
from leakwarden.scan.cache import cached_engine

PAIR = b"SCW_ACCESS_KEY=SCWFSJWESQRAQJXM9X4O\nSCW_SECRET_KEY=eb9bff35-ec2b-4bb4-ba81-d752c751e3de\n"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEAKWARDEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_database_is_written_then_loaded_without_compiling(
    catalog: Catalog, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cached_engine(catalog)
    (entry,) = cache_dir.glob("hsdb-*.bin")
    assert entry.stat().st_size > 0

    def no_compile(*_args: object) -> None:
        raise AssertionError("compiled although the cache holds the database")

    monkeypatch.setattr(HyperscanEngine, "_compile", classmethod(lambda cls, rules: no_compile()))
    second = cached_engine(catalog)
    assert (
        [m.rule_id for m in second.scan(PAIR)]
        == [m.rule_id for m in first.scan(PAIR)]
        == ["scaleway.api_key"]
    )


def test_corrupt_cache_entry_is_recompiled(catalog: Catalog, cache_dir: Path) -> None:
    cached_engine(catalog)
    (entry,) = cache_dir.glob("hsdb-*.bin")
    entry.write_bytes(b"not a database")
    engine = cached_engine(catalog)
    assert [m.rule_id for m in engine.scan(PAIR)] == ["scaleway.api_key"]


def test_unwritable_cache_directory_still_scans(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LEAKWARDEN_CACHE_DIR", str(blocker / "cache"))
    engine = cached_engine(catalog)
    assert [m.rule_id for m in engine.scan(PAIR)] == ["scaleway.api_key"]


def test_key_changes_with_the_catalogue(catalog: Catalog) -> None:
    narrowed = catalog.select(enable=["scaleway"])
    assert cache_module._key(narrowed) != cache_module._key(catalog)
    assert {r.provider for r in narrowed.rules} == {"scaleway"}
