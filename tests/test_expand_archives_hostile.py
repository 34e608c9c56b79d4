"""The archive reader on hostile and damaged archives, each built here: every walk finishes
within its (small) limits, says what it did not scan and why, and loses no well-formed member."""

from __future__ import annotations

import io
import secrets
import tarfile
import time
import zipfile

import pytest
import zstandard

from leakwarden.expand.archive_budget import Budget, WalkStopped
from leakwarden.expand.archives import ArchiveLimits, Member, Stopped, walk
from tests.archive_builders import (
    central_directory_offset,
    collect,
    compress,
    make_tar,
    make_zip,
    overlapping_zip,
    paths,
    quoting_zip,
    set_declared_sizes,
    set_flag_bits,
    tar_special,
)
from tests.archive_quine import zip_quine

MIB = 1024 * 1024
SMALL = ArchiveLimits(
    max_total_bytes=16 * MIB,
    max_member_bytes=4 * MIB,
    max_ratio=50,
    ratio_floor_bytes=256 * 1024,
    max_seconds=20,
)


def _text(label: str) -> bytes:
    return f"{label}: {secrets.token_hex(12)}\n".encode()


def _timed(
    data: bytes, name: str, limits: ArchiveLimits = SMALL
) -> tuple[list[Member], list[Stopped], float]:
    started = time.monotonic()
    members, stopped = collect(data, name, limits)
    return members, stopped, time.monotonic() - started


def _reasons(stopped: list[Stopped]) -> list[tuple[tuple[str, ...], str]]:
    return [(s.path, s.reason) for s in stopped]


def test_flat_zip_bomb_member_is_stopped_and_its_neighbours_read() -> None:
    before, after = _text("before"), _text("after")
    bomb = make_zip([("before.txt", before), ("zeros.bin", bytes(16 * MIB)), ("after.txt", after)])
    assert len(bomb) < 100_000
    members, stopped, seconds = _timed(bomb, "bomb.zip")
    assert [(m.path, m.data) for m in members] == [
        (("bomb.zip", "before.txt"), before),
        (("bomb.zip", "after.txt"), after),
    ]
    assert [s.path for s in stopped] == [("bomb.zip", "zeros.bin")]
    assert "expands more than 50x its compressed size" in stopped[0].reason
    assert seconds < 5


def test_member_over_max_member_bytes_is_not_scanned() -> None:
    big = secrets.token_bytes(5 * MIB)  # incompressible: the size limit, not the ratio, stops it
    members, stopped, _ = _timed(make_zip([("big.bin", big), ("small.txt", b"small")]), "a.zip")
    assert paths(members) == [("a.zip", "small.txt")]
    assert _reasons(stopped) == [
        (("a.zip", "big.bin"), f"larger than max_member_bytes ({4 * MIB} bytes); not scanned")
    ]


def test_plain_tar_member_over_the_limit_is_skipped_and_the_next_read() -> None:
    big = secrets.token_bytes(5 * MIB)
    members, stopped, _ = _timed(make_tar([("big.bin", big), ("after.txt", b"after")]), "a.tar")
    assert [(m.path, m.data) for m in members] == [(("a.tar", "after.txt"), b"after")]
    assert _reasons(stopped) == [
        (("a.tar", "big.bin"), f"larger than max_member_bytes ({4 * MIB} bytes); not scanned")
    ]


def _nested_bomb(levels: int, copies: int, distinct: bool) -> bytes:
    """42.zip's shape: `copies` archives per level, 256 KiB of zeros at the bottom. Identical
    copies are what dedup stops; distinct ones (each kernel its own) only the byte budget."""
    if levels == 0:
        return make_zip([("zeros.bin", bytes(MIB // 4) + (secrets.token_bytes(8) if distinct else b""))])
    if not distinct:
        below = _nested_bomb(levels - 1, copies, distinct)
        return make_zip([(f"l{levels}-{copy}.zip", below) for copy in range(copies)])
    return make_zip(
        [(f"l{levels}-{copy}.zip", _nested_bomb(levels - 1, copies, distinct)) for copy in range(copies)]
    )


def test_nested_bomb_of_identical_copies_is_opened_once() -> None:
    bomb = _nested_bomb(levels=4, copies=16, distinct=False)  # 42.zip's shape: 16^4 x 256 KiB inside
    members, stopped, seconds = _timed(bomb, "42.zip", ArchiveLimits(max_depth=5))
    assert stopped == []
    assert len(members) == 1  # every copy after the first is a duplicate
    assert members[0].path == ("42.zip", "l4-0.zip", "l3-0.zip", "l2-0.zip", "l1-0.zip", "zeros.bin")
    assert seconds < 5


def test_nested_bomb_of_distinct_copies_stops_at_the_byte_budget() -> None:
    bomb = _nested_bomb(levels=3, copies=4, distinct=True)  # 16 MiB inside
    limits = ArchiveLimits(max_depth=10, max_total_bytes=4 * MIB, max_ratio=10_000)
    members, stopped, seconds = _timed(bomb, "nest.zip", limits)
    assert members  # the first layers were read before the budget ran out
    assert len(stopped) == 1
    assert stopped[0].reason.startswith(f"expanded more than max_total_bytes ({4 * MIB} bytes)")
    assert stopped[0].reason.endswith("the rest of nest.zip was not read")
    assert seconds < 5


def test_overall_ratio_ends_the_walk() -> None:
    # Per-member and per-stream ratios bound every real shape first (deflate cannot be
    # compounded); the overall ratio is the last line behind them, checked on every charge.
    budget = Budget(ArchiveLimits(max_ratio=10, ratio_floor_bytes=0), compressed=1000)
    budget.charge(10_000)
    with pytest.raises(WalkStopped, match="expanded more than 10x the archive's own size"):
        budget.charge(1)


def test_overlapping_entries_are_read_once_and_reported() -> None:
    kernel = _text("kernel") * 1000
    data = overlapping_zip(kernel, ["a.txt", "b.txt", "c.txt"])
    members, stopped, _ = _timed(data, "overlap.zip")
    assert [(m.path, m.data) for m in members] == [(("overlap.zip", "a.txt"), kernel)]
    assert [s.path for s in stopped] == [("overlap.zip", "b.txt"), ("overlap.zip", "c.txt")]
    assert all("overlaps another member" in s.reason for s in stopped)


def test_zip_quine_is_stopped_at_once() -> None:
    quine = zip_quine()
    with zipfile.ZipFile(io.BytesIO(quine)) as archive:
        assert archive.read("r.zip") == quine  # it really contains itself, CRC and all
    started = time.monotonic()
    assert list(walk(quine, "r.zip", SMALL)) == [
        Stopped(("r.zip", "r.zip"), "holds a copy of an archive it is inside of (a quine); not opened again")
    ]
    # Inside another archive it is opened once, then caught on its own copy.
    members, stopped, _ = _timed(make_zip([("readme.txt", b"hello"), ("r.zip", quine)]), "outer.zip")
    assert paths(members) == [("outer.zip", "readme.txt")]
    assert [s.path for s in stopped] == [("outer.zip", "r.zip", "r.zip")]
    assert time.monotonic() - started < 2


def test_member_whose_header_lies_inside_another_member_is_reported() -> None:
    inner = _text("inner")
    data = quoting_zip(inner)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("b.txt") == inner  # a reader that trusts offsets reads it twice
    members, stopped, _ = _timed(data, "quoting.zip")
    # a.txt is itself a zip by its first bytes (B's header), one without a directory: B is
    # read once, inside it, and its own entry is reported.
    assert [(m.path, m.data) for m in members] == [(("quoting.zip", "a.txt", "b.txt"), inner)]
    assert _reasons(stopped) == [
        (("quoting.zip", "a.txt"), stopped[0].reason),
        (
            ("quoting.zip", "b.txt"),
            "member's data overlaps another member's (an overlapping-entry zip bomb?); not read",
        ),
    ]
    assert stopped[0].reason.startswith("central directory unreadable")


def test_tar_gz_bomb_stops_the_stream_after_the_members_before_it() -> None:
    first = _text("first")
    data = make_tar([("first.txt", first), ("zeros.img", bytes(16 * MIB)), ("last.txt", b"last")], "gz")
    assert len(data) < 200_000
    members, stopped, seconds = _timed(data, "bomb.tar.gz")
    assert [(m.path, m.data) for m in members] == [(("bomb.tar.gz", "first.txt"), first)]
    # The stream cannot skip the bomb without inflating it: the tar stops there, saying where.
    assert stopped == [
        Stopped(
            ("bomb.tar.gz",),
            "gz stream expands more than 50x (an archive bomb?); the rest not read"
            " (stopped inside zeros.img)",
        )
    ]
    assert seconds < 5


def test_gzip_bomb_single_file() -> None:
    members, stopped, _ = _timed(compress("gz", bytes(8 * MIB)), "huge.log.gz")
    assert members == []
    assert stopped == [
        Stopped(("huge.log.gz",), "gz stream expands more than 50x (an archive bomb?); the rest not read")
    ]


def test_zstd_bomb_is_stopped_in_bounded_steps() -> None:
    # A zstd block header can stand for 128 KiB of one byte: 64 MiB of zeros fit in 2 KB.
    bomb = zstandard.ZstdCompressor().compress(bytes(64 * MIB))
    assert len(bomb) < 4096
    members, stopped, seconds = _timed(bomb, "zeros.zst")
    assert members == []
    assert stopped == [
        Stopped(("zeros.zst",), "zst stream expands more than 50x (an archive bomb?); the rest not read")
    ]
    assert seconds < 2


def test_plain_tar_with_many_members_stops_at_max_entries() -> None:
    data = make_tar([(f"f{i}.txt", b"%d" % i) for i in range(30)])
    members, stopped, _ = _timed(data, "many.tar", ArchiveLimits(max_entries=10))
    assert [m.path[-1] for m in members] == [f"f{i}.txt" for i in range(10)]
    assert _reasons(stopped) == [(("many.tar",), "more than max_entries (10) members; the rest not read")]


def test_zip_with_many_members_stops_at_max_entries() -> None:
    data = make_zip([(f"f{i}.txt", b"%d" % i) for i in range(30)])
    members, stopped, _ = _timed(data, "many.zip", ArchiveLimits(max_entries=12))
    assert len(members) == 12
    assert _reasons(stopped) == [(("many.zip",), "more than max_entries (12) members; the rest not read")]


def test_time_limit_stops_the_walk() -> None:
    data = make_zip([("a.txt", b"a"), ("b.txt", b"b")])
    assert list(walk(data, "slow.zip", ArchiveLimits(max_seconds=0))) == [
        Stopped(("slow.zip",), "time limit of 0 s reached; the rest of slow.zip was not read")
    ]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../../../etc/cron.d/evil", "%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/cron.d/evil"),
        ("/etc/passwd", "etc/passwd"),
        ("..\\..\\Windows\\win.ini", "%2E%2E/%2E%2E/Windows/win.ini"),
    ],
)
def test_traversal_names_are_scanned_under_a_defused_path(raw: str, shown: str) -> None:
    content = _text("payload")
    for data, name in ((make_zip([(raw, content)]), "t.zip"), (make_tar([(raw, content)]), "t.tar")):
        members, stopped, _ = _timed(data, name)
        assert stopped == []
        assert [(m.path, m.data) for m in members] == [((name, shown), content)]


def _special(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_tar_links_devices_and_fifos_are_reported_not_followed() -> None:
    regular = _text("regular")
    data = tar_special(
        [
            _special("ssh", tarfile.SYMTYPE, "/root/.ssh"),
            _special("hard", tarfile.LNKTYPE, "etc/passwd"),
            _special("dev/sda", tarfile.BLKTYPE),
            _special("dev/tty", tarfile.CHRTYPE),
            _special("pipe", tarfile.FIFOTYPE),
        ],
        [("app/settings.py", regular)],
    )
    members, stopped, _ = _timed(data, "special.tar")
    assert [(m.path, m.data) for m in members] == [(("special.tar", "app/settings.py"), regular)]
    assert _reasons(stopped) == [
        (("special.tar", "ssh"), "member is a symbolic link; not followed"),
        (("special.tar", "hard"), "member is a hard link; not followed"),
        (("special.tar", "dev/sda"), "member is a device; skipped"),
        (("special.tar", "dev/tty"), "member is a device; skipped"),
        (("special.tar", "pipe"), "member is a FIFO; skipped"),
    ]


def test_zip_symlink_member_is_reported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        link = zipfile.ZipInfo("config")
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, "/etc/shadow")
        archive.writestr("real.txt", b"real")
    members, stopped, _ = _timed(buffer.getvalue(), "links.zip")
    assert paths(members) == [("links.zip", "real.txt")]
    assert _reasons(stopped) == [(("links.zip", "config"), "member is a symbolic link; not followed")]


def test_encrypted_zip_members_are_reported() -> None:
    data = set_flag_bits(make_zip([("secret.txt", _text("locked")), ("other.txt", b"o")]), 0x1)
    members, stopped, _ = _timed(data, "locked.zip")
    assert members == []
    assert _reasons(stopped) == [
        (("locked.zip", "secret.txt"), "encrypted member; not readable without its password"),
        (("locked.zip", "other.txt"), "encrypted member; not readable without its password"),
    ]


def _five() -> tuple[list[tuple[str, bytes]], bytes]:
    files = [(f"dir/file{i}.txt", secrets.token_hex(300).encode()) for i in range(5)]
    return files, make_zip(files)


@pytest.mark.parametrize("cut_after", [0, 1, 2, 4])
def test_truncated_zip_yields_every_member_before_the_cut(cut_after: int) -> None:
    files, data = _five()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = archive.infolist()
    # Cut in the middle of the member after `cut_after` whole ones (or in the directory).
    cut = (infos[cut_after].header_offset + 40) if cut_after < 5 else central_directory_offset(data) + 10
    members, stopped, _ = _timed(data[:cut], "cut.zip")
    whole = [m for m in members if (m.path[-1], m.data) in files]
    assert [m.path[-1] for m in whole] == [name for name, _ in files[:cut_after]]
    assert stopped[-1].path == ("cut.zip",)
    assert stopped[-1].reason.startswith("central directory unreadable")
    assert f"read {cut_after} members until truncated inside a local header" in stopped[-1].reason


def test_zip_cut_inside_the_central_directory_still_yields_all_members() -> None:
    files, data = _five()
    members, stopped, _ = _timed(data[: central_directory_offset(data) + 30], "cd.zip")
    assert [(m.path[-1], m.data) for m in members] == files
    assert _reasons(stopped) == [
        (("cd.zip",), stopped[0].reason),
    ]
    assert "read 5 members until the local headers end" in stopped[0].reason


def test_corrupt_central_directory_falls_back_to_local_headers() -> None:
    files, data = _five()
    at = central_directory_offset(data)
    corrupt = data[:at] + secrets.token_bytes(len(data) - at - 22) + data[-22:]
    members, stopped, _ = _timed(corrupt, "corrupt.zip")
    assert [(m.path[-1], m.data) for m in members] == files
    assert len(stopped) == 1
    assert "central directory unreadable (BadZipFile" in stopped[0].reason


def test_stored_members_and_data_descriptors_without_a_directory() -> None:
    # Streaming writers (zip to a pipe) put sizes after the data: deflate still finds its end.
    buffer = io.BytesIO()

    class Unseekable(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, b: bytes) -> int:  # type: ignore[override]
            return buffer.write(b)

    with zipfile.ZipFile(Unseekable(), "w", zipfile.ZIP_DEFLATED) as archive:  # type: ignore[arg-type]
        archive.writestr("streamed.txt", b"streamed " * 100)
        archive.writestr(zipfile.ZipInfo("stored.txt"), b"stored as is", compress_type=zipfile.ZIP_STORED)
        archive.writestr("last.txt", b"last " * 100)
    data = buffer.getvalue()
    members, stopped, _ = _timed(data[: central_directory_offset(data)], "stream.zip")
    assert [(m.path[-1], m.data) for m in members] == [
        ("streamed.txt", b"streamed " * 100),
        ("stored.txt", b"stored as is"),
        ("last.txt", b"last " * 100),
    ]
    assert "read 3 members until the local headers end" in stopped[-1].reason


def test_corrupt_member_data_is_reported_and_the_next_member_read() -> None:
    files, data = _five()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        second = archive.infolist()[1]
    start = second.header_offset + 30 + len(second.filename)
    damaged = data[:start] + bytes(b ^ 0x5A for b in data[start : start + 64]) + data[start + 64 :]
    members, stopped, _ = _timed(damaged, "damaged.zip")
    assert ("damaged.zip", "dir/file1.txt") in [s.path for s in stopped]
    assert [m.path[-1] for m in members if (m.path[-1], m.data) in files] == [
        "dir/file0.txt",
        "dir/file2.txt",
        "dir/file3.txt",
        "dir/file4.txt",
    ]


def test_lying_small_declared_size_reads_no_more_than_declared() -> None:
    data = set_declared_sizes(make_zip([("zeros.bin", bytes(8 * MIB)), ("ok.txt", b"ok")]), None, 100)
    members, stopped, seconds = _timed(data, "liar.zip")
    assert [(m.path, m.data) for m in members] == [(("liar.zip", "ok.txt"), b"ok")]
    assert [s.path for s in stopped] == [("liar.zip", "zeros.bin")]
    assert "Bad CRC-32" in stopped[0].reason
    assert seconds < 2


def test_lying_large_declared_sizes_are_bounded_by_bytes_actually_read() -> None:
    # Sizes declared huge, so that neither a size check nor the ratio would stop the member
    # before reading: what bounds the work is the bytes really inflated.
    bomb = make_zip([("zeros.bin", bytes(16 * MIB)), ("ok.txt", b"ok")])
    data = set_declared_sizes(bomb, compressed=0x7FFFFFF0, uncompressed=0x7FFFFFF0)
    limits = ArchiveLimits(max_member_bytes=2 * MIB, max_total_bytes=6 * MIB, max_ratio=10_000)
    members, stopped, seconds = _timed(data, "liar.zip", limits)
    assert all(len(m.data) <= limits.max_member_bytes for m in members)
    assert [s.path for s in stopped] == [("liar.zip", "zeros.bin"), ("liar.zip", "ok.txt")]
    # ok.txt now claims to span the rest of the file: reported, not trusted.
    assert "overlaps another member" in stopped[1].reason
    assert seconds < 2


def test_truncated_tar_gz_yields_the_members_before_the_cut() -> None:
    files = [(f"f{i}.txt", secrets.token_bytes(20_000)) for i in range(4)]
    data = make_tar(files, "gz")
    for cut, whole in ((len(data) // 8, 0), (len(data) * 3 // 8, 1), (len(data) * 5 // 8, 2)):  # mid-member
        members, stopped, _ = _timed(data[:cut], "cut.tar.gz")
        assert [(m.path[-1], m.data) for m in members] == files[:whole]
        assert [s.path for s in stopped] == [("cut.tar.gz", f"f{whole}.txt")]
        assert "EOFError: Compressed file ended before the end-of-stream marker" in stopped[0].reason
    # Cut in the gzip trailer, after tar's end-of-archive blocks: no member is lost, and
    # tarfile stops reading before it would notice.
    members, stopped, _ = _timed(data[:-8], "cut.tar.gz")
    assert [(m.path[-1], m.data) for m in members] == files


def test_truncated_gzip_gives_what_was_readable() -> None:
    content = secrets.token_hex(50_000).encode()
    data = compress("gz", content)
    members, stopped, _ = _timed(data[: len(data) // 2], "half.txt.gz")
    assert len(members) == 1
    assert content.startswith(members[0].data)
    assert 0 < len(members[0].data) < len(content)
    assert stopped[0].path == ("half.txt.gz", "half.txt")
    assert stopped[0].reason.startswith(f"corrupt or truncated after {len(members[0].data)} bytes")


def test_garbage_after_a_zip_magic_is_one_stopped() -> None:
    members, stopped, _ = _timed(b"PK\x03\x04" + secrets.token_bytes(200), "noise.zip")
    assert members == []
    assert len(stopped) >= 1
    assert all(s.path[0] == "noise.zip" for s in stopped)


def test_corrupt_nested_archive_does_not_stop_its_parent() -> None:
    broken = make_zip([("x.txt", b"x" * 500)])[:60]
    members, stopped, _ = _timed(make_zip([("broken.jar", broken), ("fine.txt", b"fine")]), "app.war")
    assert ("app.war", "fine.txt") in paths(members)
    assert any(s.path[:2] == ("app.war", "broken.jar") for s in stopped)
