"""Members of tar archives (plain or compressed), of ar archives (Debian packages) and the one
member of a single compressed file, all read as streams.

A compressed stream is read through a meter that charges every decompressed byte, including
those tarfile reads to skip a member it was told to leave: a tar bomb cannot be skipped
without inflating it, so the budget must see that work too.
"""

from __future__ import annotations

import io
import lzma
import tarfile
import zlib
from collections.abc import Iterator
from typing import Any

from leakwarden.expand.archive_budget import (
    ArchiveStopped,
    Budget,
    MemberStopped,
    Partial,
    describe,
    over_ratio,
    read_member,
)
from leakwarden.expand.archive_kinds import open_stream, zstandard
from leakwarden.expand.archive_names import decompressed_name, display_name
from leakwarden.expand.archive_types import Stopped

Entry = tuple[str, bytes]


def _zstd_errors() -> tuple[type[BaseException], ...]:
    module = zstandard()
    return (module.ZstdError,) if module is not None else ()


STREAM_ERRORS: tuple[type[BaseException], ...] = (
    EOFError,
    OSError,
    zlib.error,
    lzma.LZMAError,
    ValueError,
    *_zstd_errors(),
)
TAR_ERRORS: tuple[type[BaseException], ...] = (tarfile.TarError, *STREAM_ERRORS)


class _Metered:
    """A decompressing stream that charges the budget for every byte it gives and stops when
    its own expansion ratio passes the limit."""

    def __init__(self, stream: Any, raw: io.BytesIO, budget: Budget, kind: str) -> None:
        self._read = getattr(stream, "read1", stream.read)
        self._raw = raw
        self._budget = budget
        self._kind = kind
        self.produced = 0

    def read(self, size: int = -1, /) -> bytes:
        # read1: one step of the decompressor, so a truncated stream still hands over what
        # came before the cut instead of dropping a half-filled buffer with the error.
        piece: bytes = self._read(size if size and size > 0 else 256 * 1024)
        self.produced += len(piece)
        limits = self._budget.limits
        # The stream's own ratio first: it names the archive, where the walk's would not.
        if over_ratio(limits, self.produced, self._raw.tell()):
            raise ArchiveStopped(
                f"{self._kind} stream expands more than {limits.max_ratio:g}x (an archive bomb?); "
                "the rest not read"
            )
        self._budget.charge(len(piece))
        return piece


def _open(kind: str, data: bytes, budget: Budget) -> _Metered:
    raw = io.BytesIO(data)
    return _Metered(open_stream(kind, raw), raw, budget, kind)


def stream_entries(
    data: bytes, kind: str, name: str, where: tuple[str, ...], budget: Budget
) -> Iterator[Entry | Stopped]:
    """The one member of a gz, bz2, xz or zst file, named without the suffix."""
    inner = decompressed_name(name)
    path = (*where, inner)
    try:
        source = _open(kind, data, budget)
        content = read_member(source, budget, None, charge=False, errors=STREAM_ERRORS)
    except MemberStopped as stop:
        yield Stopped(path, stop.reason)
        return
    except ModuleNotFoundError as missing:
        yield Stopped(where, f"{missing}; scanned as bytes")
        return
    if isinstance(content, Partial):
        if content.data:
            yield inner, content.data
        yield Stopped(path, f"corrupt or truncated after {len(content.data)} bytes: {content.reason}")
        return
    yield inner, content


def tar_entries(
    data: bytes, compression: str | None, where: tuple[str, ...], budget: Budget
) -> Iterator[Entry | Stopped]:
    """Every regular file of a tar in archive order; links, devices and FIFOs reported."""
    try:
        source: Any = _open(compression, data, budget) if compression else io.BytesIO(data)
        archive = tarfile.open(fileobj=source, mode="r|")  # noqa: SIM115 (closed by the finally below)
    except ModuleNotFoundError as missing:
        yield Stopped(where, f"{missing}; scanned as bytes")
        return
    except TAR_ERRORS as error:
        yield Stopped(where, f"not a readable tar: {describe(error)}")
        return
    count = 0
    limit = budget.limits.max_entries
    try:
        for info in archive:
            if info.isdir():
                continue
            count += 1
            if count > limit:
                yield Stopped(where, f"more than max_entries ({limit}) members; the rest not read")
                return
            budget.tick()
            name = display_name(info.name)
            path = (*where, name)
            if not info.isreg():
                yield Stopped(path, f"member is {_special(info)}")
                continue
            handle = archive.extractfile(info)
            if handle is None:
                continue
            try:
                content = read_member(handle, budget, None, charge=compression is None, errors=TAR_ERRORS)
            except MemberStopped as stop:
                yield Stopped(path, stop.reason)
                continue
            except ArchiveStopped as stop:
                stop.reason = f"{stop.reason} (stopped inside {name})"
                raise
            if isinstance(content, Partial):
                if content.data:
                    yield name, content.data
                yield Stopped(path, f"corrupt or truncated after {len(content.data)} bytes: {content.reason}")
                return
            yield name, content
    except TAR_ERRORS as error:
        yield Stopped(where, f"corrupt or truncated after {count} members: {describe(error)}")
    finally:
        archive.close()


def _special(info: tarfile.TarInfo) -> str:
    if info.issym():
        return "a symbolic link; not followed"
    if info.islnk():
        return "a hard link; not followed"
    if info.ischr() or info.isblk():
        return "a device; skipped"
    if info.isfifo():
        return "a FIFO; skipped"
    return f"of tar type {info.type!r}; skipped"


def ar_entries(data: bytes, where: tuple[str, ...], budget: Budget) -> Iterator[Entry | Stopped]:
    """Members of an ar archive (a .deb holds debian-binary, control.tar.* and data.tar.*):
    60-byte headers, GNU long names (`//` table, `/N`) and BSD ones (`#1/N`)."""
    pos = 8
    names = b""
    count = 0
    limits = budget.limits
    while pos + 60 <= len(data):
        header = data[pos : pos + 60]
        size_field = header[48:58].strip()
        if header[58:60] != b"`\n" or not size_field.isdigit():
            yield Stopped(where, f"corrupt ar header at byte {pos}; the rest not read")
            return
        size = int(size_field)
        body_start = pos + 60
        raw_name = header[:16].rstrip(b" ")
        pos = body_start + size + (size & 1)
        if raw_name == b"//":
            names = data[body_start : body_start + size]
            continue
        if raw_name in (b"/", b"/SYM64/"):
            continue  # the symbol index of a static library
        if raw_name.startswith(b"#1/") and raw_name[3:].isdigit():
            length = int(raw_name[3:])
            raw_name, body_start, size = (
                data[body_start : body_start + length],
                body_start + length,
                size - length,
            )
        elif raw_name.startswith(b"/") and raw_name[1:].isdigit():
            offset = int(raw_name[1:])
            raw_name = names[offset : names.find(b"\n", offset) if b"\n" in names[offset:] else None].rstrip(
                b"/"
            )
        else:
            raw_name = raw_name.rstrip(b"/")
        count += 1
        if count > limits.max_entries:
            yield Stopped(where, f"more than max_entries ({limits.max_entries}) members; the rest not read")
            return
        name = display_name(raw_name.decode("utf-8", "surrogateescape"))
        body = data[body_start : body_start + max(size, 0)]
        if size > limits.max_member_bytes:
            yield Stopped(
                (*where, name), f"larger than max_member_bytes ({limits.max_member_bytes} bytes); not scanned"
            )
            continue
        budget.charge(len(body))
        if len(body) < size:
            if body:
                yield name, body
            yield Stopped((*where, name), f"truncated after {len(body)} of {size} bytes")
            return
        yield name, body
