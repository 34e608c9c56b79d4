"""Every way of running a scan reports the same findings: serial or forked workers, Hyperscan or
the Python engine, files on disk or the blobs of a git history. Optimisations of the runner, the
engines or the git sources must keep these equal (issue 6: never trade findings for speed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leakwarden.model import Confidence, ScanResult
from leakwarden.rules.catalog import Catalog
from leakwarden.scan import scan_git, scan_paths
from leakwarden.sources.files import SHARD_FILES
from tests.git_repo import Repo

Key = tuple[str, str, str, int, int, int]

FILLER = "".join(
    f"value_{i} = compute({i}, 'x{i:04d}')  # ordinary code around the example\n" for i in range(40)
)


Corpus = tuple[Path, dict[str, str]]


def _corpus(catalog: Catalog) -> dict[str, str]:
    """One file per rule example, buried in ordinary text, in folders of many files so that the
    file source hands out several shards and the runner forks its workers."""
    files: dict[str, str] = {}
    for rule in catalog.rules:
        for index, example in enumerate(rule.examples):
            files[f"{rule.provider}/{rule.id}-{index}.txt"] = FILLER + example + "\n" + FILLER
    return files


def _keys(result: ScanResult, root: str) -> set[Key]:
    keys: set[Key] = set()
    for finding in result.findings:
        for occurrence in finding.occurrences:
            path = os.path.relpath(occurrence.provenance.path, root) if root else occurrence.provenance.path
            loc = occurrence.location
            keys.add((finding.rule_id, finding.fingerprint, path, loc.line, loc.column, loc.end_column))
    return keys


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> tuple[Path, dict[str, str]]:
    repo = Repo(tmp_path_factory.mktemp("stable") / "repo")
    files = _corpus(catalog)
    names = sorted(files)
    third = len(names) // 3
    for part, chunk in enumerate((names[:third], names[third : 2 * third], names[2 * third :])):
        repo.commit(f"part {part}", {name: files[name] for name in chunk})
    return repo.path, files


def test_the_corpus_is_big_enough_to_fork(corpus: Corpus) -> None:
    assert len(corpus[1]) > 2 * SHARD_FILES


def test_serial_python_and_forked_hyperscan_agree(corpus: Corpus, catalog: Catalog) -> None:
    root, _ = corpus
    serial = scan_paths([str(root)], catalog=catalog, engine="python", jobs=1, min_confidence=Confidence.LOW)
    forked = scan_paths(
        [str(root)], catalog=catalog, engine="hyperscan", jobs=2, min_confidence=Confidence.LOW
    )
    assert _keys(serial, str(root)) == _keys(forked, str(root))
    assert len(_keys(serial, str(root))) >= len(corpus[1])
    assert serial.summary.blobs == forked.summary.blobs == len(corpus[1])


def test_history_scan_agrees_with_the_files(corpus: Corpus, catalog: Catalog) -> None:
    root, _ = corpus
    files = scan_paths([str(root)], catalog=catalog, jobs=2, min_confidence=Confidence.LOW)
    for jobs in (1, 2):
        history = scan_git(str(root), catalog=catalog, jobs=jobs, min_confidence=Confidence.LOW)
        assert _keys(history, "") == _keys(files, str(root))


def test_every_example_is_found_where_it_was_put(corpus: Corpus, catalog: Catalog) -> None:
    root, files = corpus
    result = scan_paths([str(root)], catalog=catalog, jobs=2, min_confidence=Confidence.LOW)
    found: dict[str, set[str]] = {}
    for rule_id, _fp, path, *_ in _keys(result, str(root)):
        found.setdefault(path, set()).add(rule_id)
    missing = []
    for path in files:
        rule_id = path.split("/", 1)[1].rsplit("-", 1)[0]
        rule = catalog[rule_id]
        # a pair's half may be reported as the pair it completes; either counts as found
        expected = {rule_id} | {
            r.id for r in catalog.rules if r.pair and rule_id in (r.pair.anchor, r.pair.partner)
        }
        if rule.pair is not None:
            expected |= {rule.pair.anchor, rule.pair.partner}
        if not found.get(path, set()) & expected:
            missing.append(path)
    assert missing == []
