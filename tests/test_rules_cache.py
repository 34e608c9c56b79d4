"""The parsed built-in catalogue is cached keyed by the rule files and the parsing code."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakwarden.rules import cache as rules_cache
from leakwarden.rules.catalog import builtin_files, load_catalog, parse_files


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LEAKWARDEN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_cached_catalogue_equals_a_fresh_parse(cache_dir: Path) -> None:
    fresh = load_catalog(use_cache=False)
    written = load_catalog()
    (entry,) = cache_dir.glob("catalog-*.pickle")
    read = load_catalog()
    assert written.rules == read.rules == fresh.rules
    assert written.digest == read.digest == fresh.digest
    assert entry.stat().st_size > 0


def test_a_cached_catalogue_is_not_parsed_again(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_catalog()

    def no_parse() -> list[object]:
        raise AssertionError("parsed although the cache holds the catalogue")

    files = [(f.name, f.text) for f in builtin_files()]
    assert len(rules_cache.cached_rules(files, no_parse)) == len(load_catalog(use_cache=False))


def test_changed_rule_files_miss_the_cache(cache_dir: Path) -> None:
    files = builtin_files()
    parsed = parse_files(files)
    pairs = [(f.name, f.text) for f in files]
    rules_cache.cached_rules(pairs, lambda: parsed)
    changed = [(pairs[0][0], pairs[0][1] + b"\n# edited\n"), *pairs[1:]]
    assert rules_cache.key(changed) != rules_cache.key(pairs)
    calls: list[int] = []
    rules_cache.cached_rules(changed, lambda: calls.append(1) or parsed)
    assert calls == [1]


def test_corrupt_or_foreign_entries_are_rebuilt(cache_dir: Path) -> None:
    expected = load_catalog(use_cache=False).rules
    load_catalog()
    (entry,) = cache_dir.glob("catalog-*.pickle")
    for content in (b"not a pickle", b"\x80\x05\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x2a.", b""):
        entry.write_bytes(content)
        assert load_catalog().rules == expected


def test_unwritable_cache_directory_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LEAKWARDEN_CACHE_DIR", str(blocker / "cache"))
    assert len(load_catalog()) == len(load_catalog(use_cache=False))
