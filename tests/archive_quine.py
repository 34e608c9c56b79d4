"""A zip that contains itself, built here from first principles.

The deflate stream is a self-reproducing program over two instructions: a stored block
(`L n`: output the next n bytes of the stream as they are) and a fixed-Huffman block of
back-references (`R n`: output again the last n bytes of output), every instruction encoded
in the same number of bytes. The sequence below makes the decompressed output equal to the
prefix P (the local header), the stream itself and the suffix S (central directory and end
record): the construction Russ Cox describes in "Zip Files All The Way Down"
(research.swtch.com/zip); the code and the search for sizes that encode are ours. The CRC-32
the headers carry must be that of the file carrying it: CRC-32 is affine over GF(2) in the
message bits, so the fixed point is a 32x32 linear system.
"""

from __future__ import annotations

import functools
import itertools
import struct
import zlib

_LENGTH_BASE = [
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    13,
    15,
    17,
    19,
    23,
    27,
    31,
    35,
    43,
    51,
    59,
    67,
    83,
    99,
    115,
    131,
    163,
    195,
    227,
    258,
]
_LENGTH_EXTRA = [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4 + [0]
_DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537]
_DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]


class _Bits:
    def __init__(self) -> None:
        self.value = 0
        self.count = 0

    def put(self, value: int, width: int) -> None:  # LSB first, as deflate packs
        self.value |= value << self.count
        self.count += width

    def code(self, code: int, width: int) -> None:  # Huffman codes go MSB first
        self.put(int(f"{code:0{width}b}"[::-1], 2), width)

    def bytes(self) -> bytes:
        assert self.count % 8 == 0
        return self.value.to_bytes(self.count // 8, "little")


def _bucket(table: list[int], value: int) -> int:
    return max(i for i, base in enumerate(table) if base <= value)


def _length_bits(length: int) -> int:
    code = _bucket(_LENGTH_BASE, length) if length != 258 else 28
    return (7 if code + 257 < 280 else 8) + _LENGTH_EXTRA[code]


_LENGTH_BITS = {length: _length_bits(length) for length in range(3, 259)}


def _put_copy(bits: _Bits, length: int, distance: int) -> None:
    code = _bucket(_LENGTH_BASE, length) if length != 258 else 28
    symbol = code + 257
    if symbol < 280:
        bits.code(symbol - 256, 7)
    else:
        bits.code(0b11000000 + symbol - 280, 8)
    bits.put(length - _LENGTH_BASE[code], _LENGTH_EXTRA[code])
    dcode = _bucket(_DIST_BASE, distance)
    bits.code(dcode, 5)
    bits.put(distance - _DIST_BASE[dcode], _DIST_EXTRA[dcode])


@functools.cache
def _repeat_plan(n: int, size: int) -> tuple[list[int], int] | None:
    """Copy lengths summing to n (each at distance n) and a number of empty fixed blocks that
    make `R n` exactly `size` bytes."""
    distance_bits = 5 + _DIST_EXTRA[_bucket(_DIST_BASE, n)]
    for parts in range(1, 4):
        for split in itertools.product(range(3, min(259, n - 2)), repeat=parts - 1):
            last = n - sum(split)
            if not 3 <= last <= 258:
                continue
            lengths = [*split, last]
            body = 3 + sum(_LENGTH_BITS[length] for length in lengths) + parts * distance_bits + 7
            for empties in range(4):
                if body + 10 * empties == 8 * size:
                    return lengths, empties
    return None


def _repeat(n: int, size: int, final: bool) -> bytes:
    plan = _repeat_plan(n, size)
    assert plan is not None
    lengths, empties = plan
    bits = _Bits()
    for _ in range(empties):  # empty fixed blocks first, so the last block can be final
        bits.put(0b010, 3)
        bits.code(0, 7)
    bits.put(0b011 if final else 0b010, 3)
    for length in lengths:
        _put_copy(bits, length, n)
    bits.code(0, 7)
    return bits.bytes()


_EMPTIES_FOR_LITERAL = {5: 0, 6: 1, 7: 2, 9: 3, 10: 4, 11: 5, 12: 6}


def _literal(n: int, size: int) -> bytes:
    """A stored block of n bytes, led by empty fixed blocks so that its header is `size` bytes."""
    bits = _Bits()
    for _ in range(_EMPTIES_FOR_LITERAL[size]):
        bits.put(0b010, 3)
        bits.code(0, 7)
    bits.put(0b000, 3)
    bits.put(0, -bits.count % 8)
    return bits.bytes() + struct.pack("<HH", n, n ^ 0xFFFF)


def _sizes_encode(u: int, p: int, s: int) -> bool:
    return all(_repeat_plan(n, u) is not None for n in (p + u, 4 * u, s + u))


def _layout(name: bytes, comment: bytes, crc: int, u: int) -> bytes:
    p = 30 + len(name)
    s = 46 + len(name) + 22 + len(comment)
    csize = 30 * u + p + s
    usize = p + csize + s
    local = (
        struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x5821, crc, csize, usize, len(name), 0)
        + name
    )
    central = (
        struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            0,
            0x5821,
            crc,
            csize,
            usize,
            len(name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + name
    )
    end = (
        struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), p + csize, len(comment)) + comment
    )
    prefix, suffix = local, central + end

    def lit(n: int) -> bytes:
        return _literal(n, u)

    def rep(n: int, final: bool = False) -> bytes:
        return _repeat(n, u, final)

    units = 4 * u
    stream = b"".join(
        [
            lit(p + u), prefix, lit(p + u),
            rep(p + u),
            lit(u), rep(p + u),
            lit(u), lit(u),
            lit(units), rep(p + u), lit(u), lit(u), lit(units),
            rep(units),
            lit(units), rep(units), lit(units), rep(units), lit(units),
            rep(units),
            lit(units), rep(units), lit(0), lit(0), lit(s + u),
            rep(units),
            lit(0), lit(0),
            lit(s + u), rep(s + u, True), suffix,
            rep(s + u, True),
        ]
    )  # fmt: skip
    assert len(stream) == csize
    return prefix + stream + suffix


def _solve_crc(name: bytes, comment: bytes, u: int) -> int | None:
    """X with crc32(file carrying X) == X, by Gaussian elimination over GF(2)."""
    base = _layout(name, comment, 0, u)
    target = zlib.crc32(base)
    zero = zlib.crc32(bytes(len(base)))
    columns = []
    for bit in range(32):
        delta = bytes(a ^ b for a, b in zip(_layout(name, comment, 1 << bit, u), base, strict=True))
        columns.append((1 << bit) ^ zlib.crc32(delta) ^ zero)
    # Solve sum(x_i * columns[i]) == target: rows are bits of the 32-bit values.
    rows = [(sum(((columns[i] >> r) & 1) << i for i in range(32)), (target >> r) & 1) for r in range(32)]
    solution = 0
    pivots: list[tuple[int, int, int]] = []
    for col in range(32):
        index = next((k for k, (mask, _) in enumerate(rows) if mask >> col & 1), None)
        if index is None:
            return None
        mask, value = rows.pop(index)
        rows = [(m ^ mask, v ^ value) if m >> col & 1 else (m, v) for m, v in rows]
        pivots = [(pm ^ mask, pv ^ value, pc) if pm >> col & 1 else (pm, pv, pc) for pm, pv, pc in pivots]
        pivots.append((mask, value, col))
    for _mask, value, col in pivots:
        solution |= value << col
    return solution


def zip_quine() -> bytes:
    """A zip whose one member, r.zip, is byte for byte the zip itself."""
    for u, extra in itertools.product(sorted(_EMPTIES_FOR_LITERAL), range(40)):
        name = b"r" * (1 + extra % 8) + b".zip"
        comment = b"q" * (extra // 8)
        if not _sizes_encode(u, 30 + len(name), 46 + len(name) + 22 + len(comment)):
            continue
        crc = _solve_crc(name, comment, u)
        if crc is not None:
            data = _layout(name, comment, crc, u)
            assert zlib.crc32(data) == crc
            return data
    raise AssertionError("no sizes found that encode")
