"""The archive reader on well-formed archives: formats, nesting, names, dedup, limits' shape."""

from __future__ import annotations

import io
import random
import secrets
import tarfile
import zipfile

import pytest
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from leakwarden.errors import ConfigError
from leakwarden.expand import archive_kinds, archive_names
from leakwarden.expand.archive_names import decompressed_name, display_name
from leakwarden.expand.archives import ArchiveLimits, Member, Stopped, archive_kind, content_id, walk
from leakwarden.model import git_blob_id
from tests.archive_builders import collect, compress, make_ar, make_tar, make_zip, paths


def _text(label: str) -> bytes:
    return f"{label}\nserver.port=8080\nbuild={secrets.token_hex(8)}\n".encode()


def test_nested_war_jar_yields_every_file_with_its_chain() -> None:
    properties = _text("application.properties")
    jar = make_zip([("META-INF/MANIFEST.MF", _text("manifest")), ("application.properties", properties)])
    war = make_zip([("WEB-INF/web.xml", _text("web")), ("WEB-INF/lib/core.jar", jar)], zipfile.ZIP_STORED)
    members, stopped = collect(war, "dist/app.war")
    assert stopped == []
    assert paths(members) == [
        ("dist/app.war", "WEB-INF/web.xml"),
        ("dist/app.war", "WEB-INF/lib/core.jar", "META-INF/MANIFEST.MF"),
        ("dist/app.war", "WEB-INF/lib/core.jar", "application.properties"),
    ]
    assert members[2].data == properties


@pytest.mark.parametrize("name", ["report.docx", "book.epub", "pkg-1.0-py3-none-any.whl", "blob", "app.apk"])
def test_zip_family_is_known_by_magic_whatever_the_name(name: str) -> None:
    data = make_zip([("word/document.xml", _text("doc"))])
    assert archive_kind(name, data) == "zip"
    members, _ = collect(data, name)
    assert paths(members) == [(name, "word/document.xml")]


@pytest.mark.parametrize("compression", ["", "gz", "bz2", "xz"])
def test_tar_plain_and_compressed(compression: str) -> None:
    files = [(f"etc/app/{i}.conf", _text(str(i))) for i in range(3)]
    data = make_tar(files, compression)
    # The kind comes from the content: the name says nothing here.
    assert archive_kind("upload.bin", data) == ("tar." + compression if compression else "tar")
    members, stopped = collect(data, "upload.bin")
    assert stopped == []
    assert [(m.path, m.data) for m in members] == [(("upload.bin", n), d) for n, d in files]


@pytest.mark.parametrize(
    ("kind", "name", "inner"),
    [("gz", "app.log.gz", "app.log"), ("bz2", "dump.sql.bz2", "dump.sql"), ("xz", "notes.xz", "notes")],
)
def test_single_compressed_file_is_one_member_named_without_the_suffix(
    kind: str, name: str, inner: str
) -> None:
    content = _text("log") * 50
    data = compress(kind, content)
    assert archive_kind(name, data) == kind
    members, stopped = collect(data, name)
    assert stopped == []
    assert [(m.path, m.data) for m in members] == [((name, inner), content)]


def test_gzip_of_a_zip_is_opened_through_both() -> None:
    zipped = make_zip([("creds.txt", _text("creds"))])
    members, _ = collect(compress("gz", zipped), "bundle.zip.gz")
    assert paths(members) == [("bundle.zip.gz", "bundle.zip", "creds.txt")]


def test_concatenated_gzip_members_read_as_one_stream() -> None:
    data = compress("gz", b"first half\n") + compress("gz", b"second half\n")
    members, stopped = collect(data, "rotated.log.gz")
    assert stopped == []
    assert [m.data for m in members] == [b"first half\nsecond half\n"]


def test_debian_package_opens_its_control_and_data_tars() -> None:
    control = make_tar([("./control", b"Package: demo\n")], "gz")
    payload = make_tar([("./etc/demo/demo.conf", _text("conf"))], "xz")
    deb = make_ar([("debian-binary", b"2.0\n"), ("control.tar.gz", control), ("data.tar.xz", payload)])
    assert archive_kind("demo_1.0_amd64.deb", deb) == "ar"
    members, stopped = collect(deb, "demo_1.0_amd64.deb")
    assert stopped == []
    assert paths(members) == [
        ("demo_1.0_amd64.deb", "debian-binary"),
        ("demo_1.0_amd64.deb", "control.tar.gz", "control"),
        ("demo_1.0_amd64.deb", "data.tar.xz", "etc/demo/demo.conf"),
    ]


def test_ar_long_names_gnu_and_bsd() -> None:
    long_name = "a-rather-long-object-file-name.o"
    gnu_table = f"{long_name}/\n".encode()
    gnu = make_ar([("//", gnu_table), ("/0", b"gnu body"), ("short.o/", b"short")])
    assert [(m.path, m.data) for m in collect(gnu, "libgnu.a")[0]] == [
        (("libgnu.a", long_name), b"gnu body"),
        (("libgnu.a", "short.o"), b"short"),
    ]
    bsd = make_ar([(f"#1/{len(long_name)}", long_name.encode() + b"bsd body")])
    assert [(m.path, m.data) for m in collect(bsd, "libbsd.a")[0]] == [(("libbsd.a", long_name), b"bsd body")]


def test_ar_cut_short_gives_what_it_holds() -> None:
    data = make_ar([("one.txt", b"first member"), ("two.txt", b"second member, cut")])
    members, stopped = collect(data[:-6], "cut.a")
    assert [(m.path, m.data) for m in members] == [
        (("cut.a", "one.txt"), b"first member"),
        (("cut.a", "two.txt"), b"second membe"),
    ]
    assert stopped == [Stopped(("cut.a", "two.txt"), "truncated after 12 of 18 bytes")]


def test_pre_posix_tar_is_known_by_its_header_checksum() -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        info = tarfile.TarInfo("old.txt")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"old"))
    v7 = bytearray(buffer.getvalue())
    v7[257:265] = b"\x00" * 8  # no magic: a v7 header, whose checksum still covers it
    checksum = sum(v7[:148]) + 8 * 0x20 + sum(v7[156:512])
    v7[148:156] = f"{checksum:06o}\x00 ".encode()
    assert archive_kind("old.tar", bytes(v7)) == "tar"
    assert archive_kind("old.tar", b"x" * 1024) is None


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(32), "7z"),
        (b"Rar!\x1a\x07\x01\x00" + bytes(32), "rar"),
        (b"\xed\xab\xee\xdb\x03\x00" + bytes(90), "rpm"),
        (b"\x28\xb5\x2f\xfd" + bytes(16), "zst"),
        (b"plain text that happens to be called .gz", None),
    ],
)
def test_kinds_by_magic(head: bytes, kind: str | None) -> None:
    assert archive_kind("file.gz", head) == kind


def test_a_name_alone_never_makes_a_compressed_kind() -> None:
    assert archive_kind("notes.tar.gz", b"just text\n" * 100) is None
    assert archive_kind("notes.jar", b"just text\n" * 100) is None


def test_self_extracting_zip_is_read_past_its_stub() -> None:
    data = b"#!/bin/sh\nexit 0\n" + bytes(300) + make_zip([("payload/app.env", _text("env"))])
    assert archive_kind("installer.zip", data) == "zip"
    members, _ = collect(data, "installer.zip")
    assert paths(members) == [("installer.zip", "payload/app.env")]


def test_unopened_formats_are_scanned_as_bytes_and_reported() -> None:
    seven = b"7z\xbc\xaf\x27\x1c\x00\x04" + secrets.token_bytes(64)
    members, stopped = collect(make_zip([("backup.7z", seven), ("readme.txt", b"hi")]), "a.zip")
    assert [(m.path, m.data) for m in members] == [
        (("a.zip", "backup.7z"), seven),
        (("a.zip", "readme.txt"), b"hi"),
    ]
    assert [s.path for s in stopped] == [("a.zip", "backup.7z")]
    assert "7z archives are not opened" in stopped[0].reason


def test_zstd_tar_and_single_file() -> None:
    zstd = zstandard.ZstdCompressor()
    files = [("etc/a.conf", _text("a")), ("etc/b.conf", _text("b"))]
    tarball = zstd.compress(make_tar(files))
    assert archive_kind("backup.bin", tarball) == "tar.zst"
    assert [(m.path, m.data) for m in walk(tarball, "backup.bin", ArchiveLimits())] == [
        (("backup.bin", name), data) for name, data in files
    ]
    # Two frames one after the other are one file, as zstd -d reads them.
    log = zstd.compress(b"first\n") + zstd.compress(b"second\n")
    assert list(walk(log, "app.log.zst", ArchiveLimits())) == [
        Member(("app.log.zst", "app.log"), b"first\nsecond\n")
    ]


def test_zstd_cut_inside_a_frame_is_reported_not_taken_for_an_end() -> None:
    content = secrets.token_hex(500_000).encode()  # several 128 KiB blocks before the cut
    data = zstandard.ZstdCompressor().compress(content)
    items = list(walk(data[: len(data) // 2], "cut.txt.zst", ArchiveLimits()))
    assert isinstance(items[0], Member)
    assert content.startswith(items[0].data)
    assert items[1:] == [
        Stopped(
            ("cut.txt.zst", "cut.txt"),
            f"corrupt or truncated after {len(items[0].data)} bytes: "
            "EOFError: zstd stream ends inside a frame",
        )
    ]


def test_zstd_without_the_zstandard_package_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_kinds, "zstandard", lambda: None)
    data = b"\x28\xb5\x2f\xfd" + secrets.token_bytes(40)
    assert list(walk(data, "logs.zst", ArchiveLimits())) == [
        Stopped(("logs.zst",), "zstd needs the zstandard package, which is not installed; scanned as bytes")
    ]


def test_not_an_archive_is_one_stopped() -> None:
    assert list(walk(b"hello", "hello.txt", ArchiveLimits())) == [
        Stopped(("hello.txt",), "not an archive of a known format")
    ]


def test_duplicate_members_are_yielded_once_and_seen_spans_walks() -> None:
    shared = _text("shared")
    first = make_zip([("a/config.yml", shared), ("b/config.yml", shared), ("c.txt", b"c")])
    seen: set[bytes] = set()
    assert paths(m for m in walk(first, "one.zip", ArchiveLimits(), seen) if isinstance(m, Member)) == [
        ("one.zip", "a/config.yml"),
        ("one.zip", "c.txt"),
    ]
    second = make_tar([("config.yml", shared), ("new.txt", b"new")])
    assert [m.path for m in walk(second, "two.tar", ArchiveLimits(), seen)] == [("two.tar", "new.txt")]
    assert content_id(shared) in seen


def test_content_id_is_gits_blob_id() -> None:
    data = secrets.token_bytes(100)
    assert content_id(data) == bytes.fromhex(git_blob_id(data))


def test_nested_copy_of_a_seen_archive_is_not_opened_twice() -> None:
    inner = make_zip([("inner.txt", _text("inner"))])
    middle = make_zip([("inner.zip", inner), ("m.txt", b"m")])
    outer = make_zip([("middle.zip", middle), ("again/inner.zip", inner), ("again/middle.zip", middle)])
    members, stopped = collect(outer, "outer.zip")
    assert stopped == []
    assert paths(members) == [
        ("outer.zip", "middle.zip", "inner.zip", "inner.txt"),
        ("outer.zip", "middle.zip", "m.txt"),
    ]


def test_depth_limit_scans_the_deepest_archive_as_bytes() -> None:
    level3 = make_zip([("deep.txt", b"deep")])
    level2 = make_zip([("l3.zip", level3)])
    level1 = make_zip([("l2.zip", level2), ("top.txt", b"top")])
    members, stopped = collect(level1, "l1.zip", ArchiveLimits(max_depth=2))
    assert [(m.path, m.data) for m in members] == [
        (("l1.zip", "l2.zip", "l3.zip"), level3),
        (("l1.zip", "top.txt"), b"top"),
    ]
    assert stopped == [
        Stopped(
            ("l1.zip", "l2.zip", "l3.zip"),
            "archive nested deeper than max_depth (2); scanned as bytes, not opened",
        )
    ]
    assert paths(collect(level1, "l1.zip", ArchiveLimits(max_depth=3))[0])[0] == (
        "l1.zip",
        "l2.zip",
        "l3.zip",
        "deep.txt",
    )


def test_members_come_in_archive_order() -> None:
    names = [f"f{n:03d}.txt" for n in random.Random(7).sample(range(500), 40)]
    data = make_zip([(name, name.encode()) for name in names])
    assert [m.path[-1] for m in collect(data, "o.zip")[0]] == names


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/cron.d/job", "%2E%2E/%2E%2E/etc/cron.d/job"),
        ("/root/.ssh/authorized_keys", "root/.ssh/authorized_keys"),
        ("C:\\Windows\\System32\\evil.dll", "Windows/System32/evil.dll"),
        ("a/./b//c", "a/b/c"),
        ("name\x1b[31mred", "name\\x1b[31mred"),
        ("bad\udcffbyte", "bad\\xffbyte"),
        ("", "(unnamed)"),
    ],
)
def test_display_name_defuses_every_way_out(raw: str, shown: str) -> None:
    assert display_name(raw) == shown


@given(st.text(alphabet=st.sampled_from("ab./\\:C\x1b\udcff é"), max_size=12))
def test_display_name_fast_path_changes_nothing_it_should_not(raw: str) -> None:
    assert display_name(raw) == archive_names._defused(raw)


@pytest.mark.parametrize(
    ("name", "inner"), [("x.tgz", "x.tar"), ("a/b/app.log.GZ", "app.log"), ("data", "data"), (".gz", ".gz")]
)
def test_decompressed_name(name: str, inner: str) -> None:
    assert decompressed_name(name) == inner


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_depth": 0},
        {"max_total_bytes": -1},
        {"max_ratio": 0.5},
        {"max_entries": 1.5},
        {"max_seconds": -1},
        {"max_member_bytes": True},
    ],
)
def test_bad_limits_are_config_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError, match="archive limit"):
        ArchiveLimits(**kwargs)  # type: ignore[arg-type]
