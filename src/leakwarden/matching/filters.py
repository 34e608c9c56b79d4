"""Pure predicates that separate credentials from text shaped like them."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from collections import Counter
from collections.abc import Callable

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Values people write where a real credential belongs. Matched against the secret only.
_PLACEHOLDER_RE = re.compile(
    r"""
      x{4,} | X{4,} | \*{3,} | \.{3}       # masked or elided
    | <[^>]*> | \$\{ | \{\{ | \$\( | %\(   # template and shell references
    | example | sample | dummy | placeholder | changeme | change_me | redacted
    | your[_-]?(?:api[_-]?)?(?:key|token|secret|password)
    | insert[_-]?(?:your|key|token) | replace[_-]?me | fake[_-]?(?:key|token|secret)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "1234567890")


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`'s own character distribution."""
    if not value:
        return 0.0
    counts = Counter(value)
    total = len(value)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def _is_sequential(core: str) -> bool:
    lowered = core.lower()
    if len(lowered) < 8:
        return False
    for seq in _SEQUENCES:
        doubled = seq * 8
        if lowered in doubled or lowered in doubled[::-1]:
            return True
    return False


def is_placeholder(secret: str) -> bool:
    """True for documentation values, templates, masks and runs like 0000… or abcdef…."""
    if _PLACEHOLDER_RE.search(secret):
        return True
    core = re.sub(r"[-_.:/+=]", "", secret)
    if len(core) >= 6 and len(set(core.lower())) <= 2:
        return True
    return _is_sequential(core)


def base62_crc32_ok(token: str) -> bool:
    """GitHub-style tokens: the last six base62 characters are the CRC32 of the random part,
    which runs from after the prefix's last underscore to the checksum."""
    body = token.rsplit("_", 1)[-1]
    if len(body) < 7:
        return False
    random_part, check = body[:-6], body[-6:]
    value = 0
    for char in check:
        digit = _BASE62.find(char)
        if digit < 0:
            return False
        value = value * 62 + digit
    return zlib.crc32(random_part.encode()) == value


def _b64decode(segment: str) -> bytes | None:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None


def jwt_ok(token: str) -> bool:
    """A JWT whose header is a JSON object naming an algorithm and whose payload is JSON."""
    pieces = token.split(".")
    if len(pieces) != 3:
        return False
    header, payload = (_b64decode(p) for p in pieces[:2])
    try:
        head = json.loads(header) if header is not None else None
        body = json.loads(payload) if payload is not None else None
    except (ValueError, UnicodeDecodeError):
        return False
    return isinstance(head, dict) and "alg" in head and isinstance(body, dict)


def pypi_macaroon_ok(token: str) -> bool:
    """PyPI API tokens are `pypi-` plus a base64url macaroon whose location is a PyPI host."""
    raw = _b64decode(token.removeprefix("pypi-"))
    return raw is not None and (b"pypi.org" in raw[:64] or b"test.pypi.org" in raw[:64])


_PACKAGIST_TOKEN_RE = re.compile(r"^(packagist_[a-z]{3}_)([0-9a-f]{60})([0-9a-f]{8})$")


def packagist_crc32_ok(token: str) -> bool:
    """Private Packagist tokens: prefix, 60 hex characters, then the CRC32 of prefix and random
    part as 8 lowercase hex digits."""
    found = _PACKAGIST_TOKEN_RE.match(token)
    if found is None:
        return False
    prefix, random_part, check = found.groups()
    return format(zlib.crc32((prefix + random_part).encode()), "08x") == check


def confluent_crc32_ok(token: str) -> bool:
    """Confluent Cloud API secrets: `cflt` and 60 base64 characters, the last six being the
    base64 of the little-endian CRC32 of the 54 before them."""
    body = token.removeprefix("cflt")
    if len(body) != 60 or body == token:
        return False
    random_part, check = body[:54], body[54:]
    crc = zlib.crc32(random_part.encode()).to_bytes(4, "little")
    return base64.b64encode(crc).decode()[:6] == check


CHECKSUMS: dict[str, Callable[[str], bool]] = {
    "github_crc32": base62_crc32_ok,
    "npm_crc32": base62_crc32_ok,
    "jwt": jwt_ok,
    "pypi_macaroon": pypi_macaroon_ok,
    "packagist_crc32": packagist_crc32_ok,
    "confluent_crc32": confluent_crc32_ok,
}
