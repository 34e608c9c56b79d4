"""Which archive format some bytes are: by magic bytes first, by name second.

Every compressed format has a magic number, so a name alone never makes one (a text file
called `notes.gz` is not opened). The name helps only where magic is weak: a pre-POSIX tar
(no `ustar`, but its header checksum must hold) and a self-extracting zip (a stub before the
first local header), and to tell a compressed tar from a compressed file when the head is too
short to decompress its first 512 bytes.
"""

from __future__ import annotations

import bz2
import importlib
import io
import lzma
import re
import zlib
from types import ModuleType
from typing import Any

HEAD_BYTES = 64 * 1024
_OCTAL = re.compile(rb"[0-7]{1,8}")  # enough head for archive_kind to decompress a tar header from

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_STREAM_MAGICS = (
    (b"\x1f\x8b", "gz"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zst"),
)
_OTHER_MAGICS = (
    (b"!<arch>\n", "ar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"\xed\xab\xee\xdb", "rpm"),
)
# Every magic's first byte: most members start with none of them, and are done with at once.
_FIRST_BYTES = frozenset(
    magic[:1]
    for magic in (*ZIP_MAGICS, *(m for m, _ in _STREAM_MAGICS), *(m for m, _ in _OTHER_MAGICS), b"BZh")
)
# Zip's family: Java, Android, Python, .NET, VS Code, Office, OpenDocument, e-books.
ZIP_SUFFIXES = (
    ".zip", ".jar", ".war", ".ear", ".aar", ".apk", ".whl", ".egg", ".nupkg", ".vsix",
    ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".epub", ".ipa", ".xpi", ".crx",
)  # fmt: skip
_TAR_SUFFIXES = {
    "gz": (".tar.gz", ".tgz"),
    "bz2": (".tar.bz2", ".tbz2", ".tbz"),
    "xz": (".tar.xz", ".txz"),
    "zst": (".tar.zst", ".tzst"),
}
# Kinds walk can recognise but not open: it reports them rather than pass them over silently.
UNOPENED = {
    "7z": "7z archives are not opened (no 7z reader is installed); scanned as bytes",
    "rar": "RAR archives are not opened (no RAR reader is installed); scanned as bytes",
    "rpm": "RPM packages are not opened (no RPM reader); scanned as bytes",
}


def zstandard() -> ModuleType | None:
    """The optional `zstandard` package, when installed."""
    try:
        return importlib.import_module("zstandard")
    except ImportError:
        return None


def open_stream(kind: str, raw: io.BytesIO) -> Any:
    """A file object that decompresses `raw`: read(n) returns at most n bytes, so a bomb is
    never inflated further than asked. `kind` is gz, bz2, xz or zst."""
    import gzip

    if kind == "gz":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "bz2":
        return bz2.BZ2File(raw)
    if kind == "xz":
        return lzma.LZMAFile(raw)
    module = zstandard()
    if module is None:
        raise ModuleNotFoundError("zstd needs the zstandard package, which is not installed")
    return _Zstd(module, raw)


class _Zstd:
    """zstd frames, one after another, read in bounded steps. zstandard's own stream reader
    treats a cut frame as a clean end; its decompress object knows better (`eof`) but has no
    output bound, so it is fed a few bytes at a time: one zstd block header can stand for
    128 KiB, which bounds one step to a few MiB however the input is crafted."""

    _FEED = 64

    def __init__(self, module: ModuleType, raw: io.BytesIO) -> None:
        self._module = module
        self._data = raw.getvalue()
        self._raw = raw  # its position tells the meter how much input was consumed
        self._inflate: Any = module.ZstdDecompressor().decompressobj()
        self._buffer = b""

    def read1(self, size: int = -1, /) -> bytes:
        while not self._buffer:
            pos = self._raw.tell()
            if self._inflate.eof:
                rest = self._inflate.unused_data
                if not rest.strip(b"\x00") and pos >= len(self._data):
                    return b""
                self._inflate = self._module.ZstdDecompressor().decompressobj()
                self._buffer = self._inflate.decompress(rest)
                continue
            if pos >= len(self._data):
                raise EOFError("zstd stream ends inside a frame")
            piece = self._data[pos : pos + self._FEED]
            self._raw.seek(pos + len(piece))
            self._buffer = self._inflate.decompress(piece)
        size = size if size > 0 else len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out

    read = read1


def is_tar_header(block: bytes) -> bool:
    """A 512-byte tar header: `ustar` magic, or (pre-POSIX tar) a valid header checksum."""
    if len(block) < 512:
        return False
    if block[257:262] == b"ustar":
        return True
    field = block[148:156].replace(b"\x00", b" ").strip()
    if not _OCTAL.fullmatch(field) or not block[:100].strip(b"\x00"):
        return False
    expected = int(field, 8)
    return expected == sum(block[:148]) + 8 * 0x20 + sum(block[156:512])


def _stream_kind(head: bytes) -> str | None:
    for magic, kind in _STREAM_MAGICS:
        if head.startswith(magic):
            return kind
    if head[:3] == b"BZh" and head[3:4].isdigit() and head[3:4] != b"0":
        return "bz2"
    return None


def _inflated_head(kind: str, head: bytes) -> bytes:
    """The first 512 decompressed bytes of a compressed head, or fewer when it is too short."""
    try:
        if kind == "gz":
            return zlib.decompressobj(wbits=31).decompress(head, 512)
        if kind == "bz2":
            return bz2.BZ2Decompressor().decompress(head, max_length=512)
        if kind == "xz":
            return lzma.LZMADecompressor().decompress(head, max_length=512)
        module = zstandard()
        if module is None:
            return b""
        data: bytes = module.ZstdDecompressor().stream_reader(io.BytesIO(head)).read(512)
        return data
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError):
        return b""
    except Exception as error:  # zstandard.ZstdError derives from Exception only
        if type(error).__name__ == "ZstdError":
            return b""
        raise


def archive_kind(name: str, head: bytes) -> str | None:
    """`zip`, `tar`, `tar.gz`, `tar.bz2`, `tar.xz`, `tar.zst`, `gz`, `bz2`, `xz`, `zst`, `ar`,
    or a kind walk reports without opening (`7z`, `rar`, `rpm`); None for anything else.
    `head` is the start of the content (HEAD_BYTES is plenty; the whole content is fine)."""
    if head[:1] in _FIRST_BYTES:
        if head.startswith(ZIP_MAGICS):
            return "zip"
        stream = _stream_kind(head)
        if stream is not None:
            if name.lower().endswith(_TAR_SUFFIXES[stream]) or is_tar_header(_inflated_head(stream, head)):
                return f"tar.{stream}"
            return stream
        for magic, kind in _OTHER_MAGICS:
            if head.startswith(magic):
                return kind
    if is_tar_header(head[:512]):
        return "tar"
    if name.lower().endswith(ZIP_SUFFIXES) and b"PK\x03\x04" in head:
        return "zip"  # a self-extracting stub before the first member
    return None
