"""Members of a zip (and of its family: jar, war, apk, whl, docx, epub...), read in bounded
chunks through `zipfile`. When the central directory cannot be parsed (a truncated download,
a corrupt tail) the local headers are walked instead (`archive_zip_local`)."""

from __future__ import annotations

import io
import lzma
import struct
import zipfile
import zlib
from collections.abc import Iterator

from leakwarden.expand.archive_budget import Budget, MemberStopped, Partial, describe, read_member
from leakwarden.expand.archive_names import display_name
from leakwarden.expand.archive_types import Stopped
from leakwarden.expand.archive_zip_local import local_entries

Entry = tuple[str, bytes]

READ_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError, struct.error)
_SUPPORTED = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_UNIX = 3
_FILE_TYPES = {
    0o120000: "a symbolic link; not followed",
    0o020000: "a character device; skipped",
    0o060000: "a block device; skipped",
    0o010000: "a FIFO; skipped",
    0o140000: "a socket; skipped",
}


def zip_entries(data: bytes, where: tuple[str, ...], budget: Budget) -> Iterator[Entry | Stopped]:
    """Every regular-file member in central-directory order, or a Stopped for each member
    that is not read (encrypted, special file, overlapping another, unsupported, corrupt)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (*READ_ERRORS, NotImplementedError) as error:
        yield from local_entries(data, where, budget, describe(error))
        return
    with archive:
        infos = archive.infolist()
        overlapping = _overlapping(infos, data)
        limit = budget.limits.max_entries
        count = 0
        for info in infos:
            if info.is_dir():
                continue
            count += 1
            if count > limit:
                yield Stopped(where, f"more than max_entries ({limit}) members; the rest not read")
                return
            budget.tick()
            name = display_name(info.filename)
            path = (*where, name)
            problem = _unreadable(info, id(info) in overlapping)
            if problem:
                yield Stopped(path, problem)
                continue
            try:
                with archive.open(info) as source:
                    content = read_member(source, budget, info.compress_size, charge=True, errors=READ_ERRORS)
            except MemberStopped as stop:
                yield Stopped(path, stop.reason)
                continue
            except (*READ_ERRORS, NotImplementedError, RuntimeError) as error:
                yield Stopped(path, f"corrupt member: {describe(error)}")
                continue
            if isinstance(content, Partial):
                if content.data:
                    yield name, content.data
                yield Stopped(path, f"corrupt or truncated after {len(content.data)} bytes: {content.reason}")
                continue
            yield name, content


def _unreadable(info: zipfile.ZipInfo, overlaps: bool) -> str | None:
    if info.create_system == _UNIX:
        kind = _FILE_TYPES.get((info.external_attr >> 16) & 0o170000)
        if kind:
            return f"member is {kind}"
    if info.flag_bits & 0x41:  # traditional or strong encryption
        return "encrypted member; not readable without its password"
    if overlaps:
        return "member's data overlaps another member's (an overlapping-entry zip bomb?); not read"
    if info.compress_type not in _SUPPORTED:
        return f"compression method {info.compress_type} is not supported; not read"
    return None


def _overlapping(infos: list[zipfile.ZipInfo], data: bytes) -> set[int]:
    """Members whose local header starts inside an earlier member's data, by offset order:
    the shape of a zip bomb that makes every entry inflate one shared kernel. The first of
    them is read; the others are reported."""
    spans: list[tuple[int, int, zipfile.ZipInfo]] = []
    for info in infos:
        start = info.header_offset
        # A damaged local header is reported when its member is opened; its extent here
        # comes from the directory, so that it cannot make its neighbours look overlapped.
        sound = data.startswith(b"PK\x03\x04", start) and len(data) >= start + 30
        extra = struct.unpack_from("<HH", data, start + 26) if sound else (len(info.orig_filename), 0)
        spans.append((start, start + 30 + extra[0] + extra[1] + info.compress_size, info))
    spans.sort(key=lambda span: span[0])
    found: set[int] = set()
    end = -1
    for start, stop, info in spans:
        if start < end:
            found.add(id(info))
        else:
            end = stop
    return found
