"""A zip read from its local headers, front to back, for when its central directory cannot be
parsed: a download cut short loses the directory (it is at the end) but not the members
before the cut. Deflated members find their own end; a stored member needs its size in the
local header. Whatever is read, a Stopped then says the archive was damaged and why."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Generator, Iterator

from leakwarden.expand.archive_budget import (
    CHUNK,
    Budget,
    MemberStopped,
    Partial,
    read_member,
)
from leakwarden.expand.archive_names import display_name
from leakwarden.expand.archive_types import Stopped

Entry = tuple[str, bytes]

_LOCAL = b"PK\x03\x04"
_DESCRIPTOR = b"PK\x07\x08"
_HEADER = struct.Struct("<4sHHHHHIIIHH")
_STORED, _DEFLATED = 0, 8
_ZIP64 = 0xFFFFFFFF


class _Deflated:
    """Raw deflate from an offset, read(n) giving at most n bytes; `end` is where the stream
    stopped once `eof`."""

    def __init__(self, data: bytes, start: int) -> None:
        self._data = data
        self._pos = start
        self._inflate = zlib.decompressobj(-15)

    @property
    def eof(self) -> bool:
        return self._inflate.eof

    @property
    def end(self) -> int:
        return self._pos - len(self._inflate.unused_data) - len(self._inflate.unconsumed_tail)

    def read(self, size: int = -1, /) -> bytes:
        want = size if size > 0 else CHUNK
        pieces: list[bytes] = []
        while want > 0 and not self._inflate.eof:
            feed = self._inflate.unconsumed_tail
            if not feed:
                if self._pos >= len(self._data):
                    break
                feed = self._data[self._pos : self._pos + CHUNK]
                self._pos += len(feed)
            piece = self._inflate.decompress(feed, want)
            pieces.append(piece)
            want -= len(piece)
        return b"".join(pieces)


class _Slice:
    def __init__(self, data: bytes, start: int, stop: int) -> None:
        self._view = memoryview(data)[start:stop]
        self._pos = 0

    def read(self, size: int = -1, /) -> bytes:
        size = size if size > 0 else CHUNK
        piece = bytes(self._view[self._pos : self._pos + size])
        self._pos += len(piece)
        return piece


def _zip64_sizes(extra: bytes, csize: int, usize: int) -> tuple[int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, pos)
        if tag == 1:
            values = list(struct.unpack_from(f"<{min(length, 16) // 8}Q", extra, pos + 4))
            if usize == _ZIP64 and values:
                usize = values.pop(0)
            if csize == _ZIP64 and values:
                csize = values.pop(0)
            break
        pos += 4 + length
    return csize, usize


class _Header:
    """One local header, parsed."""

    def __init__(self, data: bytes, pos: int) -> None:
        _, _, flags, method, _, _, crc, csize, usize, name_len, extra_len = _HEADER.unpack_from(data, pos)
        self.raw_name = data[pos + 30 : pos + 30 + name_len]
        self.start = pos + 30 + name_len + extra_len
        self.csize, self.usize = _zip64_sizes(data[pos + 30 + name_len : self.start], csize, usize)
        self.flags, self.method, self.crc = flags, method, crc
        self.name = display_name(self.raw_name.decode("utf-8" if flags & 0x800 else "cp437", "replace"))
        # With a data descriptor the sizes may be zero here: the end is known only by inflating.
        self.sized = not (flags & 0x08) or self.csize not in (0, _ZIP64)


def local_entries(data: bytes, where: tuple[str, ...], budget: Budget, why: str) -> Iterator[Entry | Stopped]:
    pos = data.find(_LOCAL)
    if pos < 0:
        yield Stopped(where, f"not a readable zip: {why}")
        return
    count = 0
    limit = budget.limits.max_entries
    ended = "the local headers end"
    while data.startswith(_LOCAL, pos):
        if pos + _HEADER.size > len(data) or (header := _Header(data, pos)).start > len(data):
            ended = "truncated inside a local header"
            break
        budget.tick()
        if header.raw_name.endswith(b"/"):
            nxt: int | None = header.start + header.csize if header.sized else None
        elif (count := count + 1) > limit:
            yield Stopped(where, f"more than max_entries ({limit}) members; the rest not read")
            return
        else:
            nxt = yield from _member(data, (*where, header.name), header, budget)
        if nxt is None:
            ended = "a member could not be read to its end"
            break
        pos = nxt
    yield Stopped(where, f"central directory unreadable ({why}); read {count} members until {ended}")


def _member(
    data: bytes, path: tuple[str, ...], header: _Header, budget: Budget
) -> Generator[Entry | Stopped, None, int | None]:
    """Yield one member; return where the next header starts, None when that is unknown."""
    name, start, csize = header.name, header.start, header.csize
    after = start + csize if header.sized else None
    if header.flags & 0x41:
        yield Stopped(path, "encrypted member; not readable without its password")
        return _skip_descriptor(data, after, header)
    if header.method == _DEFLATED:
        source = _Deflated(data, start)
        try:
            content = read_member(
                source, budget, csize if header.sized else None, charge=True, errors=(zlib.error,)
            )
        except MemberStopped as stop:
            yield Stopped(path, stop.reason)
            return _skip_descriptor(data, after, header)
        if isinstance(content, Partial) or not source.eof:
            reason = content.reason if isinstance(content, Partial) else "the data ends mid-stream"
            kept = content.data if isinstance(content, Partial) else content
            if kept:
                yield name, kept
            yield Stopped(path, f"corrupt or truncated after {len(kept)} bytes: {reason}")
            return None
        crc = header.crc
        end = source.end
        if header.flags & 0x08:
            end, crc = _descriptor(data, end, crc)
        yield from _checked(name, path, content, crc)
        return end
    if header.method == _STORED and after is None:
        after = _stored_end(data, start, budget.limits.max_member_bytes)
        if after is None:
            yield Stopped(path, "stored member of unknown size (no data descriptor found); not read")
            return None
    if header.method != _STORED or after is None:
        yield Stopped(path, f"compression method {header.method} without a central directory; not read")
        return _skip_descriptor(data, after, header)
    if after > len(data):
        kept = data[start:]
        if kept:
            yield name, kept
        yield Stopped(path, f"truncated after {len(kept)} of {csize} bytes")
        return None
    try:
        stored = read_member(_Slice(data, start, after), budget, None, charge=True, errors=())
    except MemberStopped as stop:
        yield Stopped(path, stop.reason)
    else:
        if isinstance(stored, bytes):
            yield from _checked(name, path, stored, header.crc)
    return _skip_descriptor(data, after, header)


def _stored_end(data: bytes, start: int, limit: int) -> int | None:
    """Where a stored member whose sizes follow it ends: at a descriptor signature whose
    CRC and size fields agree with the bytes before it (a signature inside the data fails)."""
    pos = data.find(_DESCRIPTOR, start)
    while 0 <= pos <= start + limit and pos + 16 <= len(data):
        crc, size = struct.unpack_from("<II", data, pos + 4)
        if size == pos - start and zlib.crc32(data[start:pos]) == crc:
            return pos
        pos = data.find(_DESCRIPTOR, pos + 1)
    return None


def _skip_descriptor(data: bytes, after: int | None, header: _Header) -> int | None:
    if after is None or not header.flags & 0x08:
        return after
    return _descriptor(data, after, header.crc)[0]


def _descriptor(data: bytes, pos: int, crc: int) -> tuple[int, int]:
    """Skip the data descriptor after a member (signature optional); its CRC."""
    if data.startswith(_DESCRIPTOR, pos):
        pos += 4
    if pos + 12 <= len(data):
        crc = struct.unpack_from("<I", data, pos)[0]
        pos += 12
        # A zip64 descriptor holds 8-byte sizes: the next header then starts 8 bytes later.
        if not data.startswith(_LOCAL, pos) and data.startswith(_LOCAL, pos + 8):
            pos += 8
    return pos, crc


def _checked(name: str, path: tuple[str, ...], content: bytes, crc: int) -> Iterator[Entry | Stopped]:
    yield name, content
    if zlib.crc32(content) != crc:
        yield Stopped(path, "CRC-32 does not match; the member may be damaged")
