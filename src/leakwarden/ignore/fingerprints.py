"""One rule for the fingerprints users type: reports may show a prefix, every command that takes
a fingerprint accepts any unique prefix of at least `MIN_PREFIX` hex digits and resolves it to
the full fingerprint, and every file leakwarden writes holds full fingerprints (matching is
exact: a prefix written to the ignore file would never match anything)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from leakwarden.errors import InputError
from leakwarden.model import FINGERPRINT_LENGTH

MIN_PREFIX = 8
SHOWN = 16  # the prefix the text report shows
_HEX = re.compile(r"[0-9a-f]+")


def is_full(value: str) -> bool:
    return len(value) == FINGERPRINT_LENGTH and _HEX.fullmatch(value) is not None


def check_prefix(prefix: str, what: str) -> str:
    """`prefix` lower-cased and stripped, or InputError saying what a fingerprint looks like."""
    wanted = prefix.strip().lower()
    if not _HEX.fullmatch(wanted) or len(wanted) > FINGERPRINT_LENGTH:
        raise InputError(
            f"{what}: {prefix!r} is not a fingerprint ({FINGERPRINT_LENGTH} hex digits, or a prefix of at "
            f"least {MIN_PREFIX})"
        )
    if len(wanted) < MIN_PREFIX:
        raise InputError(
            f"{what}: fingerprint prefix {prefix!r} is too short: give at least {MIN_PREFIX} hex digits"
        )
    return wanted


def resolve_prefix(prefix: str, known: Mapping[str, str], what: str, searched: str) -> str:
    """The one fingerprint of `known` (fingerprint -> a label such as the rule id) starting with
    `prefix`. InputError when the prefix is malformed, matches none (`searched` says where we
    looked) or several (listing them)."""
    wanted = check_prefix(prefix, what)
    matches = sorted(f for f in known if f.startswith(wanted))
    if not matches:
        raise InputError(f"{what}: no finding has fingerprint {wanted} in {searched}")
    if len(matches) > 1:
        shown = ", ".join(f"{m[:SHOWN]} ({known[m]})" if known[m] else m[:SHOWN] for m in matches[:5])
        more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
        raise InputError(f"{what}: fingerprint prefix {wanted} is ambiguous: {shown}{more}; give more digits")
    return matches[0]
