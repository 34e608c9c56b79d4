"""Finding credentials again from what a person holds: a fingerprint prefix, a whole secret, or
one half of a pair. The store keeps no value, so a secret is found by hashing it under the
store key the way `record` did, never by reading anything back.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, select

from leakwarden.store import schema as t
from leakwarden.store.rows import _insert_ignore

# What a single-value credential's one part is called in `credential_parts`.
WHOLE = "secret"


def part_hmac(key: bytes, value: str) -> str:
    """The keyed hash of one value, whatever role it plays: the same key id hashes alike in an
    AWS pair and as a lone finding, which is how a half finds every credential it is part of.
    The leading NUL keeps it apart from `secret_hmac`, whose message starts with a rule id."""
    return hmac.new(key, f"\x00part\x00{value}".encode(), hashlib.sha256).hexdigest()


def add_parts(
    connection: Connection, key: bytes, fingerprint: str, secret: str, parts: Mapping[str, str]
) -> None:
    """One row per value the credential is made of (its roles, or `WHOLE` for a single value)."""
    values = dict(parts) if parts else {WHOLE: secret}
    for role, value in values.items():
        _insert_ignore(
            connection,
            t.credential_parts,
            {"fingerprint": fingerprint, "role": role, "part_hmac": part_hmac(key, value)},
            ["fingerprint", "role"],
        )


def fingerprints_starting(connection: Connection, prefix: str, limit: int = 2) -> list[str]:
    """Up to `limit` stored fingerprints that start with `prefix` (lower-case hex: nothing in it
    for LIKE to read as a wildcard); two are enough to tell a unique prefix from an ambiguous one."""
    c = t.credentials.c
    query = select(c.fingerprint).where(c.fingerprint.like(f"{prefix}%")).order_by(c.fingerprint).limit(limit)
    return list(connection.execute(query).scalars())


def rule_ids(connection: Connection) -> list[str]:
    return list(connection.execute(select(t.credentials.c.rule_id).distinct()).scalars())


def by_secret_hmac(connection: Connection, hashes: Collection[str]) -> set[str]:
    """Fingerprints of the credentials whose whole material hashes to one of `hashes`."""
    c = t.credentials
    return set(connection.execute(select(c.c.fingerprint).where(c.c.secret_hmac.in_(hashes))).scalars())


@dataclass(frozen=True, slots=True)
class PartMatch:
    fingerprint: str
    role: str
    part_hmac: str


def by_part_hmac(connection: Connection, hashes: Collection[str]) -> list[PartMatch]:
    """Every (credential, role) one of `hashes` stands in."""
    p = t.credential_parts
    rows = connection.execute(
        select(p.c.fingerprint, p.c.role, p.c.part_hmac).where(p.c.part_hmac.in_(hashes))
    )
    return [PartMatch(r.fingerprint, r.role, r.part_hmac) for r in rows]


def parts_of(connection: Connection, fingerprints: Iterable[str]) -> list[PartMatch]:
    p = t.credential_parts
    rows = connection.execute(
        select(p.c.fingerprint, p.c.role, p.c.part_hmac).where(p.c.fingerprint.in_(list(fingerprints)))
    )
    return [PartMatch(r.fingerprint, r.role, r.part_hmac) for r in rows]


@dataclass(frozen=True, slots=True)
class CredentialRow:
    fingerprint: str
    rule_id: str
    provider: str
    confidence: str
    preview: str
    first_seen: str
    incident_id: int | None
    state: str | None
    resolution: str | None


def credentials_of(connection: Connection, fingerprints: Iterable[str]) -> list[CredentialRow]:
    c, i = t.credentials, t.incidents
    query = (
        select(
            c.c.fingerprint,
            c.c.rule_id,
            c.c.provider,
            c.c.confidence,
            c.c.preview,
            c.c.first_seen,
            i.c.id.label("incident_id"),
            i.c.state,
            i.c.resolution,
        )
        .outerjoin(i, i.c.fingerprint == c.c.fingerprint)
        .where(c.c.fingerprint.in_(list(fingerprints)))
        .order_by(c.c.first_seen.desc(), c.c.fingerprint)
    )
    return [CredentialRow(**row) for row in connection.execute(query).mappings()]
