"""Archives built in memory for the archive reader's tests: every hostile shape is made here,
by the standard library or by hand, never downloaded."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from collections.abc import Iterable, Sequence

from leakwarden.expand.archives import ArchiveLimits, Member, Stopped, walk

Files = Sequence[tuple[str, bytes]]


def make_zip(files: Files, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in files:
            archive.writestr(name, data)
    return buffer.getvalue()


def make_tar(files: Files, compression: str = "") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=f"w:{compression}" if compression else "w") as archive:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def tar_special(entries: Iterable[tarfile.TarInfo], files: Files) -> bytes:
    """A tar with the given non-regular entries first, then regular files."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for info in entries:
            archive.addfile(info)
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def compress(kind: str, data: bytes) -> bytes:
    if kind == "gz":
        return gzip.compress(data, mtime=0)
    if kind == "bz2":
        return bz2.compress(data)
    return lzma.compress(data)


def make_ar(files: Files) -> bytes:
    out = [b"!<arch>\n"]
    for name, data in files:
        header = f"{name:<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(data):<10}".encode() + b"`\n"
        out.append(header + data + (b"\n" if len(data) % 2 else b""))
    return b"".join(out)


def collect(
    data: bytes, name: str, limits: ArchiveLimits | None = None
) -> tuple[list[Member], list[Stopped]]:
    members: list[Member] = []
    stopped: list[Stopped] = []
    for item in walk(data, name, limits or ArchiveLimits()):
        (members if isinstance(item, Member) else stopped).append(item)
    return members, stopped


def paths(members: Iterable[Member]) -> list[tuple[str, ...]]:
    return [member.path for member in members]


def set_flag_bits(data: bytes, bits: int) -> bytes:
    """Set general-purpose flag bits on every member, in its local header and its central
    directory entry alike (as an encrypting tool would)."""
    out = bytearray(data)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        pos = out.find(signature)
        while pos >= 0:
            (flags,) = struct.unpack_from("<H", out, pos + flag_at)
            struct.pack_into("<H", out, pos + flag_at, flags | bits)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def set_declared_sizes(data: bytes, compressed: int | None, uncompressed: int | None) -> bytes:
    """Make every header lie about the member sizes (local header and central directory)."""
    out = bytearray(data)
    for signature, at in ((b"PK\x03\x04", 18), (b"PK\x01\x02", 20)):
        pos = out.find(signature)
        while pos >= 0:
            if compressed is not None:
                struct.pack_into("<I", out, pos + at, compressed)
            if uncompressed is not None:
                struct.pack_into("<I", out, pos + at + 4, uncompressed)
            pos = out.find(signature, pos + 4)
    return bytes(out)


def central_directory_offset(data: bytes) -> int:
    end = data.rfind(b"PK\x05\x06")
    return int(struct.unpack_from("<I", data, end + 16)[0])


def overlapping_zip(kernel: bytes, names: Sequence[str]) -> bytes:
    """One deflated member and several central-directory entries that all point at it: each
    entry inflates the same data (the overlapping-entry bomb's trick, in its simplest shape)."""
    single = make_zip([(names[0], kernel)])
    cd_at = central_directory_offset(single)
    end_at = single.rfind(b"PK\x05\x06")
    entry = single[cd_at:end_at]
    (name_len,) = struct.unpack_from("<H", entry, 28)
    entries = []
    for name in names:
        encoded = name.encode()
        renamed = bytearray(entry[:46]) + encoded + entry[46 + name_len :]
        struct.pack_into("<H", renamed, 28, len(encoded))
        entries.append(bytes(renamed))
    directory = b"".join(entries)
    end = bytearray(single[end_at:])
    struct.pack_into("<HHII", end, 8, len(names), len(names), len(directory), cd_at)
    return single[:cd_at] + directory + bytes(end)


def quoting_zip(inner: bytes) -> bytes:
    """Fifield's overlap in its stored form: member A's data is member B's local header and
    data, so B's header lies inside A. Each entry reads fine on its own; together they read
    the same bytes twice (with deflate's quoting, a kernel is inflated once per entry)."""

    def local(name: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(data)
        return (
            struct.pack(
                "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0x21, crc, len(data), len(data), len(name), 0
            )
            + name
        )

    def central(name: bytes, data: bytes, offset: int) -> bytes:
        crc = zlib.crc32(data)
        fields = (
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0x21,
            crc,
            len(data),
            len(data),
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        return struct.pack("<4sHHHHHHIIIHHHHHII", *fields) + name

    b_record = local(b"b.txt", inner) + inner
    a_header = local(b"a.txt", b_record)
    body = a_header + b_record
    directory = central(b"a.txt", b_record, 0) + central(b"b.txt", inner, len(a_header))
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 2, 2, len(directory), len(body), 0)
    return body + directory + end
