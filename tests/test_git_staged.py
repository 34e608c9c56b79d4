"""`scan_staged`: the index's version of each changed file, new secrets only by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from leakwarden.errors import InputError
from leakwarden.model import ScanResult
from leakwarden.scan import scan_staged
from tests.git_repo import ISOLATED, Repo, scw_env, scw_pair


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ISOLATED.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def keys(result: ScanResult) -> set[str]:
    return {f.parts["access_key"] for f in result.findings}


def numbered(lines: int, middle: str = "", top: str = "", bottom: str = "") -> str:
    body = [f"line {i}\n" for i in range(lines)]
    body.insert(lines // 2, middle)
    return top + "".join(body) + bottom


def test_only_secrets_the_head_version_did_not_have(repo: Repo) -> None:
    repo.commit("old secret", {"app.env": scw_env(1), "other.txt": "x\n"})
    repo.write("app.env", scw_env(1) + "\n# and another\n" + scw_env(2))
    repo.git("add", "app.env")

    result = scan_staged(str(repo.path))
    assert keys(result) == {scw_pair(2)[0]}
    assert result.findings[0].occurrences[0].provenance.kind == "staged"
    assert result.findings[0].occurrences[0].location.line == 6
    assert result.summary.suppressed_by_kind() == {"already in HEAD": 1}
    assert any("1 secret already in the HEAD version" in note for note in result.summary.notes)
    assert result.summary.blobs == 1  # only the staged file: other.txt did not change

    assert keys(scan_staged(str(repo.path), report_all=True)) == {scw_pair(1)[0], scw_pair(2)[0]}


def test_an_old_secret_does_not_block_an_unrelated_edit(repo: Repo) -> None:
    repo.commit("old secret", {"app.env": scw_env(3)})
    repo.write("app.env", "# tidy\n" + scw_env(3))
    repo.git("add", "app.env")
    result = scan_staged(str(repo.path))
    assert result.findings == []
    assert result.summary.suppressed_by_kind() == {"already in HEAD": 1}


def test_the_index_not_the_working_tree_is_scanned(repo: Repo) -> None:
    """`git add -p` staged the top hunk only: the secret at the bottom is not committed."""
    repo.commit("base", {"f.txt": numbered(30)})
    repo.write("f.txt", numbered(30, top=scw_env(4), bottom=scw_env(5)))
    repo.git("add", "-p", "f.txt", input="y\nn\n")
    staged = repo.git("show", ":f.txt")
    assert scw_pair(4)[0] in staged
    assert scw_pair(5)[0] not in staged

    assert keys(scan_staged(str(repo.path))) == {scw_pair(4)[0]}

    # Staged, then removed from the working tree: still in what the commit would record.
    repo.write("g.env", scw_env(6))
    repo.git("add", "g.env")
    (repo.path / "g.env").write_text("clean\n")
    assert keys(scan_staged(str(repo.path))) == {scw_pair(4)[0], scw_pair(6)[0]}


def test_a_renamed_file_keeps_its_old_secrets_quiet(repo: Repo) -> None:
    repo.commit("old", {"conf/app.env": scw_env(7) + numbered(20)})
    repo.git("mv", "conf/app.env", "conf/prod.env")
    repo.write("conf/new.env", scw_env(8))
    repo.git("add", "-A")
    result = scan_staged(str(repo.path))
    assert keys(result) == {scw_pair(8)[0]}


def test_initial_commit_reports_everything_staged(repo: Repo) -> None:
    repo.write("a.env", scw_env(9))
    repo.write("b.txt", "nothing\n")
    repo.git("add", "-A")
    result = scan_staged(str(repo.path))
    assert keys(result) == {scw_pair(9)[0]}
    assert result.summary.blobs == 2


def test_nothing_staged_is_clean_and_deletions_are_ignored(repo: Repo) -> None:
    repo.commit("old", {"a.env": scw_env(10)})
    assert scan_staged(str(repo.path)).summary.blobs == 0
    repo.git("rm", "-q", "a.env")
    assert scan_staged(str(repo.path)).findings == []


def test_binary_and_oversized_staged_files_are_skipped(repo: Repo) -> None:
    repo.commit("base", {"a.txt": "a\n"})
    repo.write("img.bin", b"\x00\x01" + scw_env(11).encode())
    repo.write("big.env", scw_env(12) + "#" * 3000)
    repo.git("add", "-A")
    result = scan_staged(str(repo.path), max_file_size=1024)
    assert result.findings == []
    assert result.summary.skipped_by_reason() == {"binary": 1, "too large": 1}


def test_bare_repository_has_nothing_staged(tmp_path: Path) -> None:
    bare = Repo(tmp_path / "bare.git", bare=True)
    with pytest.raises(InputError, match="bare repository"):
        scan_staged(str(bare.path))
