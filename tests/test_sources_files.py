"""Bad input loses nothing and stops nothing: every skip is counted by reason."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from leakwarden.errors import InputError
from leakwarden.scan import scan_paths
from leakwarden.sources.files import FileSource
from tests.conftest import write

PAIR = "SCW_ACCESS_KEY=SCWFSJWESQRAQJXM9X4O\nSCW_SECRET_KEY=eb9bff35-ec2b-4bb4-ba81-d752c751e3de\n"


def _paths(source: FileSource) -> list[str]:
    return sorted(p.path for b in source.blobs() for p in b.provenance)


def test_walks_every_regular_file_and_prunes_git(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a")
    write(tmp_path / "sub" / "b.env", "b")
    write(tmp_path / ".git" / "config", "c")
    write(tmp_path / ".hidden" / "d", "d")
    source = FileSource([str(tmp_path)])
    assert _paths(source) == sorted(str(tmp_path / p) for p in ("a.txt", "sub/b.env", ".hidden/d"))
    assert source.skipped == []


def test_exclude_globs_and_gitignore(tmp_path: Path) -> None:
    write(tmp_path / "keep.py", "k")
    write(tmp_path / "node_modules" / "x.js", "x")
    write(tmp_path / "build" / "out.txt", "o")
    write(tmp_path / ".gitignore", "build/\n")
    assert _paths(FileSource([str(tmp_path)], exclude=["node_modules/"])) == sorted(
        str(tmp_path / p) for p in (".gitignore", "keep.py", "build/out.txt")
    )
    assert _paths(FileSource([str(tmp_path)], exclude=["node_modules/"], respect_gitignore=True)) == sorted(
        str(tmp_path / p) for p in (".gitignore", "keep.py")
    )


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        FileSource([str(tmp_path / "nope")])


def test_binary_oversized_and_special_files_are_skipped_and_counted(tmp_path: Path) -> None:
    write(tmp_path / "secret.env", PAIR)
    write(tmp_path / "image.bin", b"\x89PNG\x00\x00" + PAIR.encode())
    write(tmp_path / "big.txt", "a" * 2000)
    os.mkfifo(tmp_path / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    sock_path = tmp_path / "s.sock"
    if len(str(sock_path)) < 100:
        sock.bind(str(sock_path))
    os.symlink(tmp_path / "secret.env", tmp_path / "link.env")
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    result = scan_paths([str(tmp_path)], max_file_size=1000)
    sock.close()
    assert [f.rule_id for f in result.findings] == ["scaleway.api_key"]
    reasons = result.summary.skipped_by_reason()
    assert reasons["binary"] == 1
    assert reasons["too large"] == 1
    assert reasons["symlink"] == 2
    assert reasons["not a regular file"] >= 1
    assert result.summary.blobs == 1


def test_binary_files_are_scanned_on_request(tmp_path: Path) -> None:
    write(tmp_path / "image.bin", b"\x89PNG\x00\x00\n" + PAIR.encode())
    assert scan_paths([str(tmp_path)], include_binary=True).findings


def test_unreadable_directory_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Simulated at the scandir call, so that it holds when the tests run as root."""
    write(tmp_path / "ok.env", PAIR)
    write(tmp_path / "closed" / "x.env", PAIR)
    real_scandir = os.scandir

    def fake_scandir(path: str) -> object:
        if str(path).endswith("closed"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", fake_scandir)
    result = scan_paths([str(tmp_path)])
    assert result.summary.skipped_by_reason() == {"unreadable directory": 1}
    assert len(result.findings) == 1


def test_unreadable_file_when_open_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs as root too: permission errors are simulated at the open call."""
    write(tmp_path / "ok.env", PAIR)
    write(tmp_path / "locked.env", "x")
    real_open = os.open

    def fake_open(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("locked.env"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", fake_open)
    result = scan_paths([str(tmp_path)])
    assert result.summary.skipped_by_reason() == {"permission denied": 1}
    assert [f.rule_id for f in result.findings] == ["scaleway.api_key"]


def test_vanished_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "gone.txt", "x")
    real_open = os.open

    def vanish(path: str, flags: int, *args: int) -> int:
        if str(path).endswith("gone.txt"):
            os.unlink(path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", vanish)
    source = FileSource([str(tmp_path)])
    assert list(source.blobs()) == []
    assert [s.reason for s in source.skipped] == ["vanished"]


def test_invalid_utf8_and_nul_free_garbage_are_scanned(tmp_path: Path) -> None:
    data = b"\xff\xfe\xfa garbage \xc3\x28 " + PAIR.encode() + b"\xe2\x82"
    write(tmp_path / "latin.env", data)
    result = scan_paths([str(tmp_path)])
    (finding,) = result.findings
    assert finding.occurrences[0].location.line == 2


def test_fifo_given_directly_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = scan_paths([str(fifo)])
    assert result.summary.skipped_by_reason() == {"not a regular file": 1}


def test_large_single_line_file_is_scanned(tmp_path: Path) -> None:
    """A 50 MB minified file with secrets at both ends: found, with the right columns."""
    body = b"var a=1;" * (50 * 1024 * 1024 // 8)
    secret = b'"SCW_ACCESS_KEY=SCWFSJWESQRAQJXM9X4O",'
    write(tmp_path / "bundle.min.js", secret + body + secret)
    for engine in ("hyperscan", "python"):
        result = scan_paths([str(tmp_path)], engine=engine)
        (finding,) = result.findings
        assert [o.location.column for o in finding.occurrences] == [17, 17 + len(secret) + len(body)]


def test_non_utf8_file_names(tmp_path: Path) -> None:
    if sys.platform == "darwin":
        pytest.skip("macOS file systems reject undecodable names")
    name = os.fsencode(str(tmp_path)) + b"/caf\xe9.env"
    with open(name, "wb") as handle:
        handle.write(PAIR.encode())
    (finding,) = scan_paths([str(tmp_path)]).findings
    assert finding.occurrences[0].provenance.path.endswith(".env")


def test_worker_processes_report_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shards read and scanned in forked workers: same findings, same skips, same counts."""
    import leakwarden.sources.files as files_module

    for i in range(40):
        write(tmp_path / f"d{i % 4}" / f"f{i}.env", PAIR if i % 7 == 0 else f"line {i}\n")
        write(tmp_path / f"d{i % 4}" / f"b{i}.bin", b"\x00binary")
    write(tmp_path / "big.txt", "x" * 5000)
    monkeypatch.setattr(files_module, "SHARD_FILES", 5)
    serial = scan_paths([str(tmp_path)], jobs=1, max_file_size=4000)
    parallel = scan_paths([str(tmp_path)], jobs=2, max_file_size=4000)
    assert serial.summary.blobs == parallel.summary.blobs == 40
    assert serial.summary.skipped == parallel.summary.skipped
    assert serial.summary.skipped_by_reason() == {"binary": 40, "too large": 1}

    def occurrences(result: object) -> list[tuple[str, str, int]]:
        return sorted(
            (f.fingerprint, o.provenance.path, o.location.line)
            for f in result.findings  # type: ignore[attr-defined]
            for o in f.occurrences
        )

    assert occurrences(serial) == occurrences(parallel)
    assert len(occurrences(parallel)) == 6
