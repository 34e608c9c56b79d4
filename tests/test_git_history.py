"""`scan_git`: every blob of a real repository's history, once, attributed to the commit that
introduced it. Each test builds its repository with `git` in a temporary directory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from leakwarden.errors import InputError
from leakwarden.model import CommitProvenance, Finding, ScanResult
from leakwarden.scan import scan_git
from tests.git_repo import ISOLATED, Repo, scw_env, scw_pair


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ISOLATED.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


def secrets(result: ScanResult) -> set[str]:
    return {f.parts["access_key"] for f in result.findings if "access_key" in f.parts}


def only(result: ScanResult) -> Finding:
    assert len(result.findings) == 1, result.findings
    return result.findings[0]


def commits(finding: Finding) -> list[tuple[str, str]]:
    found = []
    for occ in finding.occurrences:
        assert isinstance(occ.provenance, CommitProvenance)
        found.append((occ.provenance.path, occ.provenance.commit))
    return found


def test_secret_added_then_deleted_is_attributed_to_the_commit_that_added_it(repo: Repo) -> None:
    repo.commit("readme", {"README.md": "hello\n"})
    added = repo.commit("configure the cloud", {"deploy/.env": "# prod\n" + scw_env(1)})
    repo.git("rm", "-q", "deploy/.env")
    repo.commit("remove the secret")

    finding = only(scan_git(str(repo.path)))
    occ = finding.occurrences[0]
    assert isinstance(occ.provenance, CommitProvenance)
    assert (occ.provenance.path, occ.provenance.commit) == ("deploy/.env", added)
    assert occ.provenance.author_name == "Ada Lovelace"
    assert occ.provenance.author_email == "ada@example.com"
    assert occ.provenance.date == "2024-01-02T12:00:00+00:00"
    assert occ.provenance.subject == "configure the cloud"
    assert (occ.location.line, occ.location.column) == (3, 16)
    assert occ.blob_id == repo.blob(f"{added}:deploy/.env")


def test_each_blob_is_scanned_once_across_branches_and_renames(repo: Repo) -> None:
    base = repo.commit("init", {"a.txt": "a\n"})
    first = repo.commit("add config", {"config.env": scw_env(2)})
    repo.git("checkout", "-q", "-b", "other", base)
    repo.write("config.env", scw_env(2))  # the same content, committed again on another branch
    again = repo.commit("same config elsewhere")
    repo.git("checkout", "-q", "main")
    repo.git("mv", "config.env", "settings.env")
    renamed = repo.commit("rename")

    result = scan_git(str(repo.path))
    finding = only(result)
    assert commits(finding) == [("config.env", first), ("settings.env", renamed)]
    first_place = finding.occurrences[0].provenance
    assert isinstance(first_place, CommitProvenance)
    assert first_place.other_commits == (again,)
    assert first_place.other_commit_count == 1
    # Distinct blobs only: a.txt and the config, whatever the number of commits and paths.
    assert result.summary.blobs == 2


def test_merges_credit_the_branch_commit_and_an_evil_merge_itself(repo: Repo) -> None:
    repo.commit("init", {"a.txt": "a\n"})
    repo.git("checkout", "-q", "-b", "feature")
    on_branch = repo.commit("feature secret", {"feature.env": scw_env(3)})
    repo.git("checkout", "-q", "main")
    repo.commit("main work", {"b.txt": "b\n"})
    repo.git("merge", "-q", "--no-ff", "--no-commit", "feature")
    repo.write("merge.env", scw_env(4))  # introduced by the merge commit alone
    repo.git("add", "merge.env")
    repo.git("commit", "-q", "-m", "merge feature")
    merge = repo.git("rev-parse", "HEAD")

    result = scan_git(str(repo.path))
    by_key = {f.parts["access_key"]: commits(f) for f in result.findings}
    assert by_key == {
        scw_pair(3)[0]: [("feature.env", on_branch)],
        scw_pair(4)[0]: [("merge.env", merge)],
    }


def test_tag_only_commit_and_every_stash_entry_are_scanned(repo: Repo) -> None:
    repo.commit("init", {"a.txt": "a\n"})
    repo.git("checkout", "-q", "--detach")
    tagged = repo.commit("release only", {"release.env": scw_env(5)})
    repo.git("tag", "-a", "v1", "-m", "release")
    repo.git("checkout", "-q", "main")
    repo.write("a.txt", scw_env(6))
    repo.git("stash", "-q")  # older entry: only in refs/stash's reflog
    repo.write("a.txt", scw_env(7))
    repo.git("add", "a.txt")
    repo.git("stash", "-q")

    result = scan_git(str(repo.path))
    assert secrets(result) == {scw_pair(n)[0] for n in (5, 6, 7)}
    release = next(f for f in result.findings if f.parts["access_key"] == scw_pair(5)[0])
    assert commits(release) == [("release.env", tagged)]

    # The tag is not on main.
    assert secrets(scan_git(str(repo.path), branches=["main"])) == set()


def test_amended_history_is_found_only_with_all_objects(repo: Repo) -> None:
    repo.commit("init", {"a.txt": "a\n"})
    old = repo.commit("oops", {"cloud.env": scw_env(8)})
    repo.write("cloud.env", "SCW_ACCESS_KEY=${SCW_ACCESS_KEY}\n")
    repo.git("add", "cloud.env")
    repo.git("commit", "-q", "--amend", "-m", "configure")
    dangling = repo.git("hash-object", "-w", "--stdin", input=scw_env(9))  # never committed

    assert secrets(scan_git(str(repo.path))) == set()
    result = scan_git(str(repo.path), all_objects=True)
    assert secrets(result) == {scw_pair(8)[0], scw_pair(9)[0]}
    amended = next(f for f in result.findings if f.parts["access_key"] == scw_pair(8)[0])
    assert commits(amended) == [("cloud.env", old)]
    loose = next(f for f in result.findings if f.parts["access_key"] == scw_pair(9)[0])
    assert loose.occurrences[0].provenance.kind == "git-object"
    assert loose.occurrences[0].blob_id == dangling


def test_shallow_clone_scans_what_is_there_and_says_so(repo: Repo, tmp_path: Path) -> None:
    repo.commit("old secret", {"old.env": scw_env(10)})
    repo.git("rm", "-q", "old.env")
    repo.commit("remove it")
    tip = repo.commit("new secret", {"new.env": scw_env(11)})
    clone = Repo(tmp_path / "shallow", init=False)
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone.path)],
        check=True,
        env=repo.env(),
    )

    result = scan_git(str(clone.path))
    assert secrets(result) == {scw_pair(11)[0]}
    assert commits(only(result)) == [("new.env", tip)]
    assert any("shallow" in note for note in result.summary.notes)


def test_range_scans_exactly_what_its_commits_introduce(repo: Repo) -> None:
    repo.commit("init", {"a.txt": "a\n"})
    base = repo.commit("old", {"old.env": scw_env(12)})
    repo.git("checkout", "-q", "-b", "topic")
    repo.commit("new", {"new.env": scw_env(13)})
    repo.git("rm", "-q", "old.env")
    repo.commit("drop old")

    assert secrets(scan_git(str(repo.path), rev_range=f"{base}..topic")) == {scw_pair(13)[0]}
    assert secrets(scan_git(str(repo.path), rev_range="main..topic")) == {scw_pair(13)[0]}
    assert secrets(scan_git(str(repo.path), rev_range="topic..main")) == set()
    # A pre-receive hook's new branch: the zero id means "what no ref has yet".
    assert secrets(scan_git(str(repo.path), rev_range=f"{'0' * 40}..topic")) == set()
    assert scan_git(str(repo.path), rev_range=f"topic..{'0' * 40}").summary.blobs == 0  # deleted

    with pytest.raises(InputError, match=r"invalid range 'nope\.\.topic'.*bad revision"):
        scan_git(str(repo.path), rev_range="nope..topic")
    with pytest.raises(InputError, match="not a revision"):
        scan_git(str(repo.path), rev_range="--output=/tmp/x")
    with pytest.raises(InputError, match="not a commit"):
        scan_git(str(repo.path), rev_range="HEAD:a.txt")


def test_force_push_range_covers_the_rewritten_commits(repo: Repo) -> None:
    repo.commit("init", {"a.txt": "a\n"})
    pushed = repo.commit("v1", {"b.txt": "b\n"})
    repo.git("reset", "-q", "--hard", "HEAD~1")
    rewritten = repo.commit("v2", {"c.env": scw_env(14)})
    assert secrets(scan_git(str(repo.path), rev_range=f"{pushed}..{rewritten}")) == {scw_pair(14)[0]}


def test_since_and_branch(repo: Repo) -> None:
    repo.commit("january 1", {"early.env": scw_env(15)})
    repo.commit("january 2", {"b.txt": "b\n"})
    repo.commit("january 3", {"late.env": scw_env(16)})
    repo.git("checkout", "-q", "-b", "side", "HEAD~2")
    repo.commit("side", {"side.env": scw_env(17)})

    assert secrets(scan_git(str(repo.path), since="2024-01-02T00:00:00Z")) == {
        scw_pair(16)[0],
        scw_pair(17)[0],
    }
    assert secrets(scan_git(str(repo.path), branches=["main"])) == {scw_pair(15)[0], scw_pair(16)[0]}
    assert secrets(scan_git(str(repo.path), branches=["side"], since="2024-01-02T00:00:00Z")) == {
        scw_pair(17)[0]
    }
    with pytest.raises(InputError, match="no such branch or ref: nope"):
        scan_git(str(repo.path), branches=["nope"])


@pytest.mark.parametrize("since", ["2024-01-02", "2024-01-02T00:00:00Z", "2024-01-02 06:00:00+00:00"])
def test_since_takes_iso_dates_and_date_times(
    repo: Repo, since: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "UTC")  # a date alone is its midnight, local time
    repo.commit("january 1", {"early.env": scw_env(15)})
    repo.commit("january 2", {"late.env": scw_env(16)})
    assert secrets(scan_git(str(repo.path), since=since)) == {scw_pair(16)[0]}


def test_since_takes_a_relative_date(repo: Repo) -> None:
    repo.commit("january 1", {"early.env": scw_env(15)})  # years ago
    assert secrets(scan_git(str(repo.path), since="1000 weeks ago")) == {scw_pair(15)[0]}
    assert secrets(scan_git(str(repo.path), since="2 weeks ago")) == set()


@pytest.mark.parametrize("since", ["yesterday-ish", "last tuesday", "2024-02-30", "2024-13-01", "soon", ""])
def test_since_refuses_what_is_not_a_date(repo: Repo, since: str) -> None:
    repo.commit("january 1", {"early.env": scw_env(15)})
    if not since:  # empty: no limit, as if not given
        assert secrets(scan_git(str(repo.path), since=since)) == {scw_pair(15)[0]}
        return
    with pytest.raises(InputError, match="not a date"):
        scan_git(str(repo.path), since=since)


def test_binary_and_oversized_blobs_are_skipped_and_counted(repo: Repo) -> None:
    repo.commit(
        "assets",
        {
            "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00" + scw_env(18).encode() + bytes(1000),
            "big.env": scw_env(19) + "#" * 5000 + "\n",
            "small.env": scw_env(20),
        },
    )
    result = scan_git(str(repo.path), max_file_size=4096)
    assert secrets(result) == {scw_pair(20)[0]}
    assert result.summary.skipped_by_reason() == {"binary": 1, "too large": 1}
    paths = {s.path: s.reason for s in result.summary.skipped}
    assert paths == {"logo.png": "binary", "big.env": "too large"}

    everything = scan_git(str(repo.path), include_binary=True)
    assert secrets(everything) == {scw_pair(n)[0] for n in (18, 19, 20)}


def _corrupt(repo: Repo, oid: str, *, header: bool) -> None:
    path = repo.path / ".git" / "objects" / oid[:2] / oid[2:]
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    span = range(5, len(data)) if header else range(len(data) - 6, len(data))
    for i in span:
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))


def test_corrupt_loose_objects_are_reported_and_the_scan_goes_on(repo: Repo) -> None:
    commit = repo.commit(
        "three files",
        {"a.env": scw_env(21), "b.env": scw_env(22) + "x" * 9000 + "\n", "c.env": scw_env(23)},
    )
    _corrupt(repo, repo.blob("HEAD:a.env"), header=True)  # cat-file cannot even size it
    _corrupt(repo, repo.blob("HEAD:b.env"), header=False)  # cat-file dies while streaming it

    result = scan_git(str(repo.path), jobs=1)
    assert secrets(result) == {scw_pair(23)[0]}
    assert result.summary.skipped_by_reason() == {"corrupt object": 2}
    for item in result.summary.skipped:
        assert item.detail  # git's own reason
    # named by the path that holds them, even the one cat-file could only name by its id
    assert sorted(item.path for item in result.summary.skipped) == ["a.env", "b.env"]
    (sized,) = [item for item in result.summary.skipped if item.path == "a.env"]
    assert f"blob {repo.blob('HEAD:a.env')}, introduced by commit {commit}" in sized.detail


def test_partial_clone_reports_missing_objects_without_fetching(repo: Repo, tmp_path: Path) -> None:
    repo.git("config", "uploadpack.allowFilter", "true")
    repo.commit("one", {"a.env": scw_env(24), "b.txt": "b\n"})
    clone = Repo(tmp_path / "partial", init=False)
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", "--filter=blob:none", f"file://{repo.path}", str(clone.path)],
        check=True,
        env=repo.env(),
    )
    repo.path.rename(tmp_path / "gone")  # any attempt to fetch would now fail loudly

    result = scan_git(str(clone.path))
    assert result.findings == []
    assert result.summary.skipped_by_reason() == {"missing object": 2}
    assert sorted(item.path for item in result.summary.skipped) == ["a.env", "b.txt"]
    assert any("partial clone" in note for note in result.summary.notes)


def test_bare_repository_and_worktree(repo: Repo, tmp_path: Path) -> None:
    repo.commit("one", {"a.env": scw_env(25)})
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.path), str(bare)], check=True, env=repo.env())
    assert secrets(scan_git(str(bare))) == {scw_pair(25)[0]}

    repo.git("worktree", "add", "-q", "-b", "wt", str(tmp_path / "wt"))
    worktree = Repo(tmp_path / "wt", init=False)
    worktree.commit("in the worktree", {"w.env": scw_env(26)})
    assert secrets(scan_git(str(tmp_path / "wt"))) == {scw_pair(25)[0], scw_pair(26)[0]}


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a git repository"):
        scan_git(str(tmp_path))
    with pytest.raises(InputError, match="no such directory"):
        scan_git(str(tmp_path / "absent"))


def test_workers_agree_and_attribution_is_one_pass(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {f"src/f{i:04d}.txt": f"file {i}\n" for i in range(700)}
    files.update({f"keys/k{i}.env": scw_env(100 + i) for i in range(30)})
    repo.commit("many files", files)
    repo.commit("edit keys", {f"keys/k{i}.env": "# rotated\n" + scw_env(100 + i) for i in range(30)})

    spawned: list[list[str]] = []
    real_popen = subprocess.Popen

    class CountingPopen(real_popen):  # type: ignore[misc,valid-type]
        def __init__(self, args: list[str], *rest: object, **kwargs: object) -> None:
            spawned.append(list(args))
            super().__init__(args, *rest, **kwargs)

    serial = scan_git(str(repo.path), jobs=1)
    monkeypatch.setattr(subprocess, "Popen", CountingPopen)
    parallel = scan_git(str(repo.path), jobs=2)
    assert len(parallel.findings) == 30
    assert parallel.summary.blobs == serial.summary.blobs == 760
    assert [commits(f) for f in parallel.findings] == [commits(f) for f in serial.findings]
    for finding in parallel.findings:
        assert len(finding.occurrences) == 2  # the first version and the edited one
    # Listing (rev-list, cat-file --batch-check), attribution (rev-list, diff-tree, cat-file):
    # a fixed number of git processes in this process however many findings.
    assert len(spawned) <= 8, spawned


def test_exclude_applies_to_every_path_a_blob_was_introduced_at(repo: Repo) -> None:
    # git lists the shared blob under its first name, "a-vendor/lib.env": it must still be read.
    repo.commit("vendored", {"a-vendor/lib.env": scw_env(30), "a-vendor/only.env": scw_env(31)})
    repo.commit("copied out", {"z.env": scw_env(30)})
    for all_objects in (False, True):
        result = scan_git(str(repo.path), exclude=["a-vendor/"], all_objects=all_objects)
        assert [commits(f) for f in result.findings] == [[("z.env", repo.git("rev-parse", "HEAD"))]]


def test_empty_repository_is_clean(tmp_path: Path) -> None:
    empty = Repo(tmp_path / "empty")
    result = scan_git(str(empty.path))
    assert result.findings == []
    assert result.summary.blobs == 0


def test_odd_paths_are_attributed_exactly(repo: Repo) -> None:
    names = ["dir with space/ünï.env", "new\nline.env", os.fsdecode(b"latin1-\xe9.env")]
    repo.commit("odd names", {name: scw_env(40 + i) for i, name in enumerate(names)})
    result = scan_git(str(repo.path))
    assert sorted(commits(f)[0][0] for f in result.findings) == sorted(names)


def _overwrite(repo: Repo, oid: str) -> None:
    """Replace a loose object with bytes that are not zlib data: git cannot read it at all."""
    path = repo.path / ".git" / "objects" / oid[:2] / oid[2:]
    path.chmod(0o644)
    path.write_bytes(b"not an object\n")


def test_a_corrupt_head_tree_does_not_hide_the_history_behind_it(repo: Repo) -> None:
    for n in range(5):
        repo.commit(f"key {n}", {f"keys/k{n}.env": scw_env(300 + n)})
    repo.git("rm", "-q", "-r", "keys")
    repo.commit("rotated: keys removed", {"README.md": "nothing secret\n"})
    tree = repo.git("rev-parse", "HEAD^{tree}")
    _overwrite(repo, tree)

    result = scan_git(str(repo.path), jobs=1)
    assert secrets(result) == {scw_pair(300 + n)[0] for n in range(5)}
    assert result.summary.incomplete
    [lost] = [s for s in result.summary.skipped if s.lost]
    assert lost.reason == "corrupt object"
    assert lost.path == f"<object {tree}>"
    assert any("could not walk the whole history" in note for note in result.summary.notes)
    assert result.summary.untrusted() == "part of the history could not be read (1 corrupt object)"


def test_a_partial_clone_is_not_an_incomplete_scan(repo: Repo, tmp_path: Path) -> None:
    repo.git("config", "uploadpack.allowFilter", "true")
    repo.commit("one", {"a.txt": "a\n"})
    clone = tmp_path / "partial"
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", "--filter=blob:none", f"file://{repo.path}", str(clone)],
        check=True,
        env=repo.env(),
    )
    result = scan_git(str(clone))
    assert result.summary.skipped_by_reason() == {"missing object": 1}
    assert not result.summary.incomplete
