"""What a blob's first bytes say it is, when that is text under an encoding: a compressed
stream (magic bytes) or UTF-16 (a BOM, or NUL bytes in every other position).

Vocabulary shared by the sources (such a blob is not binary to them: `expand` decodes it) and
by `expand` (which decodes it). Standard library only.
"""

from __future__ import annotations

GZIP = b"\x1f\x8b\x08"
BZIP2 = b"BZh"
XZ = b"\xfd7zXZ\x00"
ZSTD = b"\x28\xb5\x2f\xfd"
UTF16_PROBE = 512


def compression_magic(data: bytes) -> str | None:
    """The compression whose magic bytes `data` starts with (zlib, which has no magic, aside)."""
    if data.startswith(GZIP):
        return "gzip"
    if data.startswith(BZIP2) and len(data) > 4 and data[3:4] in b"123456789":
        return "bzip2"
    if data.startswith(XZ):
        return "xz"
    if data.startswith(ZSTD):
        return "zstd"
    return None


def zlib_header(data: bytes) -> bool:
    """RFC 1950's two header bytes: deflate (CM 8), a window up to 32K, a multiple of 31."""
    return len(data) >= 2 and data[0] & 0x0F == 8 and data[0] >> 4 <= 7 and (data[0] << 8 | data[1]) % 31 == 0


def utf16_codec(data: bytes) -> tuple[str, int] | None:
    """The codec and the BOM's length when `data` reads as UTF-16."""
    if data.startswith(b"\xff\xfe") and not data.startswith(b"\xff\xfe\x00\x00"):
        return "utf-16-le", 2
    if data.startswith(b"\xfe\xff"):
        return "utf-16-be", 2
    probe = data[: UTF16_PROBE & ~1]
    if len(probe) < 16:
        return None
    even, odd = probe[0::2], probe[1::2]
    # Mostly ASCII text in UTF-16: one byte of each pair is NUL, the other almost never.
    if odd.count(0) >= 0.9 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le", 0
    if even.count(0) >= 0.9 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be", 0
    return None


def encoded_text(data: bytes) -> bool:
    """Whether a blob that looks binary may hold text that decoding recovers."""
    return compression_magic(data) is not None or utf16_codec(data) is not None
