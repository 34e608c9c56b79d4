"""`leakwarden inventory`: "which services will break when I revoke it?" Every place the store
saw a credential, or any credential it shares a value with (the other half of its pair, the
same key id found alone), grouped by what was scanned, newest first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from leakwarden.remediate.places import category
from leakwarden.store import Store
from leakwarden.store import lookup as q
from leakwarden.store import rows as r

_HEX = re.compile(r"[0-9a-fA-F]{8,64}")
# Where an image keeps its layers: an OCI layout's blobs, or `docker save`'s `<id>/layer.tar`.
_IMAGE = re.compile(r"(?:^|[/!])(?:blobs/sha256/[0-9a-f]{64}|(?:[0-9a-f]{64}/)?layer\.tar)(?:[/!]|$)")
# How an image source displays a layer's file: `REF@sha256:0123456789ab!layer 3!etc/app.conf`.
_IMAGE_DISPLAY = re.compile(r"@sha256:[0-9a-f]{12}!(?:layer \d+|config|manifest|index)!")
_PACKAGE_SUFFIXES = (
    ".whl", ".egg", ".jar", ".war", ".ear", ".aar", ".apk", ".nupkg", ".vsix",
    ".gem", ".crate", ".deb", ".rpm", ".apk", ".ipa", ".xpi", ".crx",
)  # fmt: skip
_PACKAGE_DIRS = ("node_modules", "site-packages", "dist-packages", ".m2", ".gradle", ".cargo", "vendor")


class NotInventoried(LookupError):
    """The argument names no credential the store knows (a usage problem, not "not found")."""


def place_category(path: str, kind: str = "file") -> str:
    """What breaks where a credential sits: a container image's layer or config and a published
    package first (a rebuilt artefact, not an edited file), then what `remediate` says of the
    file. Image sources record their places as kind `image-layer` / `image-config`."""
    lowered = path.replace("\\", "/").lower()
    if kind.startswith("image-") or _IMAGE.search(lowered) or _IMAGE_DISPLAY.search(lowered):
        return "container image"
    components = re.split(r"[/!]", lowered)
    if any(part.endswith(_PACKAGE_SUFFIXES) for part in components) or any(
        part in _PACKAGE_DIRS for part in components[:-1]
    ):
        return "package"
    return category(path)


@dataclass(frozen=True, slots=True)
class Related:
    """A credential in the inventory and why: `matched` (the one asked about) or `shares ROLE`."""

    credential: q.CredentialRow
    why: str


@dataclass(frozen=True, slots=True)
class InventoryPlace:
    category: str
    kind: str
    path: str
    line: int
    col: int
    commit_id: str | None
    author: str | None
    commit_date: str | None
    subject: str | None
    first_seen: str
    fingerprint: str
    rule_id: str


@dataclass
class TargetPlaces:
    target: str
    places: list[InventoryPlace] = field(default_factory=list)


@dataclass
class Inventory:
    asked: str  # "fingerprint" or "secret"
    credentials: list[Related]
    targets: list[TargetPlaces]

    @property
    def found(self) -> bool:
        return bool(self.credentials)


def _utc(stamp: str | None) -> str:
    """A commit date (any offset) as comparable UTC text; "" when there is none or it is odd."""
    if not stamp:
        return ""
    try:
        moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def _age(place: InventoryPlace) -> tuple[str, str]:
    return (place.first_seen, _utc(place.commit_date))


def by_fingerprint(store: Store, key: str) -> str | None:
    """The one credential whose fingerprint starts with `key` (8+ hex digits); None when `key`
    is no such prefix; NotInventoried when several credentials share it."""
    if not _HEX.fullmatch(key):
        return None
    lowered = key.lower()
    with store.begin() as tx:
        matches = q.fingerprints_starting(tx, lowered)
    if len(matches) > 1:
        raise NotInventoried(f"fingerprint prefix {key!r} is ambiguous: give more digits")
    return matches[0] if matches else None


def inventory_of_fingerprint(store: Store, fingerprint: str) -> Inventory:
    return _inventory(store, "fingerprint", {fingerprint: "matched"})


def inventory_of_secret(store: Store, values: list[str]) -> Inventory:
    """Every credential one of `values` is (a whole secret) or is part of (a half of a pair),
    then those it shares a value with."""
    wanted = [v for v in values if v]
    with store.begin() as tx:
        whole = {
            r.secret_hmac(store.key, rule_id, value, {}) for rule_id in q.rule_ids(tx) for value in wanted
        }
        matched = dict.fromkeys(q.by_secret_hmac(tx, whole), "matched")
        for part in q.by_part_hmac(tx, {q.part_hmac(store.key, v) for v in wanted}):
            matched.setdefault(part.fingerprint, "matched")
    return _inventory(store, "secret", matched)


def _inventory(store: Store, asked: str, matched: dict[str, str]) -> Inventory:
    with store.begin() as tx:
        why = dict(matched)
        own = q.parts_of(tx, matched)
        by_role = {p.part_hmac: p.role for p in own}
        for other in q.by_part_hmac(tx, set(by_role)):
            why.setdefault(other.fingerprint, f"shares {by_role[other.part_hmac]}")
        credentials = q.credentials_of(tx, why)
        places = [
            (credential, place)
            for credential in credentials
            for place in r.places_of(tx, credential.fingerprint)
        ]
    groups: dict[str, TargetPlaces] = {}
    for credential, p in places:
        groups.setdefault(p.target, TargetPlaces(p.target)).places.append(
            InventoryPlace(
                place_category(p.path, p.kind),
                p.kind,
                p.path,
                p.line,
                p.col,
                p.commit_id,
                p.author,
                p.commit_date,
                p.subject,
                p.first_seen,
                credential.fingerprint,
                credential.rule_id,
            )
        )
    for group in groups.values():
        group.places.sort(key=lambda p: (p.path, p.line, p.col))  # ties in reading order
        group.places.sort(key=_age, reverse=True)
    targets = sorted(groups.values(), key=lambda g: g.target)
    targets.sort(key=lambda g: _age(g.places[0]), reverse=True)
    ordered = sorted(credentials, key=lambda c: (why[c.fingerprint] != "matched", c.fingerprint))
    return Inventory(asked, [Related(c, why[c.fingerprint]) for c in ordered], targets)
