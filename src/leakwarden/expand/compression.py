"""Single compressed streams: gzip, zlib, bzip2, xz and (with the `zstandard` package) zstd.

A stream is recognised by its magic bytes at the start of a blob or decoded piece, and inflated
in one bounded call: never more than the budget left plus one byte, so a small bomb that would
inflate to gigabytes costs what the budget allows and is reported, not followed.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zlib
from collections.abc import Callable

from leakwarden.expand.text import looks_like_text
from leakwarden.sniff import compression_magic, zlib_header


def compressed_kind(data: bytes) -> str | None:
    """The compression a blob starts with, by its magic bytes (zstd only with `zstandard`)."""
    kind = compression_magic(data)
    if kind == "zstd" and not zstd_available():
        return None
    if kind is None and zlib_header(data) and not looks_like_text(data[:256]):
        return "zlib"  # text may start with two such bytes too: "x^" is a valid header
    return kind


class CorruptStream(Exception):
    """The stream is not what its magic bytes promised."""


class Truncated(Exception):
    """The stream ended before its end marker; what came before it is kept."""

    def __init__(self, data: bytes) -> None:
        super().__init__("the stream ends before its end marker")
        self.data = data


def _zlib(wbits: int) -> Callable[[bytes, int], tuple[bytes, bool]]:
    def inflate(data: bytes, limit: int) -> tuple[bytes, bool]:
        inflater = zlib.decompressobj(wbits)
        return inflater.decompress(data, limit), inflater.eof

    return inflate


def _bzip2(data: bytes, limit: int) -> tuple[bytes, bool]:
    inflater = bz2.BZ2Decompressor()
    return inflater.decompress(data, limit), inflater.eof


def _xz(data: bytes, limit: int) -> tuple[bytes, bool]:
    inflater = lzma.LZMADecompressor()
    return inflater.decompress(data, limit), inflater.eof


def _zstd(data: bytes, limit: int) -> tuple[bytes, bool]:
    import zstandard

    with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
        out: bytes = reader.read(limit)
    return out, True  # a truncated zstd frame raises instead


_INFLATE: dict[str, Callable[[bytes, int], tuple[bytes, bool]]] = {
    "gzip": _zlib(31),
    "zlib": _zlib(15),
    "bzip2": _bzip2,
    "xz": _xz,
    "zstd": _zstd,
}


def decompress(kind: str, data: bytes, limit: int) -> bytes:
    """At most `limit` bytes of the stream's content; raises CorruptStream, or Truncated with
    what could be read."""
    try:
        out, complete = _INFLATE[kind](data, limit)
    except (zlib.error, OSError, EOFError, lzma.LZMAError, ValueError) as exc:
        raise CorruptStream(str(exc) or type(exc).__name__) from None
    except Exception as exc:  # zstandard.ZstdError, which is only importable when installed
        if type(exc).__name__ == "ZstdError":
            raise CorruptStream(str(exc)) from None
        raise
    if not complete and len(out) < limit:
        raise Truncated(out)
    return out


def zstd_available() -> bool:
    try:
        import zstandard  # noqa: F401
    except ImportError:
        return False
    return True
