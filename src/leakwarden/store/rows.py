"""Reading and writing the store's rows, one small function per question, on a connection the
caller holds (so that recording a scan is one transaction). Plain dataclasses in and out:
nothing above `store` sees SQL.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from leakwarden.store import schema as t


def secret_hmac(key: bytes, rule_id: str, secret: str, parts: Mapping[str, str]) -> str:
    """The keyed hash that stands for a secret: the fingerprint's material under the store key."""
    material = secret if not parts else "\x1f".join(f"{k}={parts[k]}" for k in sorted(parts))
    # surrogateescape: a secret read from bytes that were not UTF-8 hashes as those bytes
    message = f"{rule_id}\x00{material}".encode("utf-8", "surrogateescape")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def place_key(fields: Mapping[str, Any]) -> str:
    where = [str(fields.get(name) or "") for name in ("kind", "target", "path", "line", "col", "commit_id")]
    # surrogateescape: two file names that differ only in bytes that are not UTF-8 stay apart
    return hashlib.sha256("\x00".join(where).encode("utf-8", "surrogateescape")).hexdigest()


def _insert_ignore(connection: Connection, table: Any, row: Mapping[str, Any], keys: Sequence[str]) -> bool:
    """Insert unless a row with the same `keys` exists; True when this call inserted it. Safe
    when two scans record at once: the database decides (ON CONFLICT DO NOTHING), not the read
    before the write."""
    match = and_(*(table.c[k] == row[k] for k in keys))
    # The read first spares PostgreSQL's sequences: a conflicting insert still draws the next
    # id, and incident numbers would jump by the number of known credentials at every re-scan.
    if connection.execute(select(table.c[keys[0]]).where(match).limit(1)).first() is not None:
        return False
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(table)
        .values(**row)
        .on_conflict_do_nothing(index_elements=list(keys))
        # A row back means this call inserted it. Not `rowcount`: with psycopg it counts the
        # rows of the RETURNING SQLAlchemy adds for the new id, -1 when there is none.
        .returning(table.c[keys[0]])
    )
    return connection.execute(statement).first() is not None


@dataclass(frozen=True, slots=True)
class ScanRow:
    id: str
    started_at: str
    source: str
    target: str
    tool_version: str
    catalog_digest: str
    rules: int
    blobs: int
    bytes: int
    findings: int
    duration_s: str


def add_scan(connection: Connection, scan: ScanRow) -> None:
    connection.execute(insert(t.scans).values(**{f: getattr(scan, f) for f in ScanRow.__slots__}))


def add_credential(
    connection: Connection,
    *,
    fingerprint: str,
    rule_id: str,
    provider: str,
    confidence: str,
    secret_hmac: str,
    preview: str,
    now: str,
) -> bool:
    row = {
        "fingerprint": fingerprint,
        "rule_id": rule_id,
        "provider": provider,
        "confidence": confidence,
        "secret_hmac": secret_hmac,
        "preview": preview,
        "first_seen": now,
    }
    return _insert_ignore(connection, t.credentials, row, ["fingerprint"])


def add_occurrence(
    connection: Connection, fingerprint: str, scan_id: str, now: str, fields: Mapping[str, Any]
) -> tuple[int, bool]:
    """The place's row id, and whether the place is new for this credential."""
    key = place_key(fields)
    row = {
        "fingerprint": fingerprint,
        "place_key": key,
        "first_scan_id": scan_id,
        "first_seen": now,
        "captures": json.dumps(dict(fields.get("captures") or {}), sort_keys=True),
        **{k: v for k, v in fields.items() if k != "captures"},
    }
    new = _insert_ignore(connection, t.occurrences, row, ["fingerprint", "place_key"])
    found = connection.execute(
        select(t.occurrences.c.id).where(
            and_(t.occurrences.c.fingerprint == fingerprint, t.occurrences.c.place_key == key)
        )
    ).scalar_one()
    return int(found), new


def add_sighting(connection: Connection, scan_id: str, occurrence_id: int) -> None:
    _insert_ignore(
        connection,
        t.sightings,
        {"scan_id": scan_id, "occurrence_id": occurrence_id},
        ["scan_id", "occurrence_id"],
    )


def add_verdict(connection: Connection, fingerprint: str, scan_id: str | None, verdict: Any) -> None:
    connection.execute(
        insert(t.verdicts).values(
            fingerprint=fingerprint,
            scan_id=scan_id,
            status=verdict.status,
            reason=verdict.reason,
            checked_at=verdict.checked_at,
            host=verdict.host,
            http_status=verdict.http_status,
            identity=json.dumps(dict(verdict.identity), sort_keys=True),
        )
    )


def add_skipped(connection: Connection, scan_id: str, path: str, reason: str, detail: str) -> None:
    connection.execute(insert(t.skipped).values(scan_id=scan_id, path=path, reason=reason, detail=detail))


@dataclass(frozen=True, slots=True)
class IncidentRow:
    id: int
    fingerprint: str
    state: str
    resolution: str | None
    assignee: str | None
    opened_at: str
    updated_at: str
    rule_id: str = ""
    provider: str = ""
    confidence: str = ""
    preview: str = ""
    places: int = 0
    last_verdict: str | None = None
    last_seen: str = ""


def incident_for(connection: Connection, fingerprint: str) -> IncidentRow | None:
    row = (
        connection.execute(select(t.incidents).where(t.incidents.c.fingerprint == fingerprint))
        .mappings()
        .first()
    )
    return IncidentRow(**row) if row else None


def open_incident(connection: Connection, fingerprint: str, now: str) -> tuple[int, bool]:
    """The credential's incident id, and whether this call opened it."""
    new = _insert_ignore(
        connection,
        t.incidents,
        {"fingerprint": fingerprint, "state": "open", "opened_at": now, "updated_at": now},
        ["fingerprint"],
    )
    found = incident_for(connection, fingerprint)
    assert found is not None
    return found.id, new


def set_incident(
    connection: Connection,
    incident_id: int,
    *,
    state: str,
    resolution: str | None,
    assignee: str | None,
    now: str,
) -> None:
    connection.execute(
        update(t.incidents)
        .where(t.incidents.c.id == incident_id)
        .values(state=state, resolution=resolution, assignee=assignee, updated_at=now)
    )


def add_event(
    connection: Connection, incident_id: int, *, at: str, actor: str, kind: str, state: str, note: str = ""
) -> None:
    connection.execute(
        insert(t.events).values(
            incident_id=incident_id, at=at, actor=actor, kind=kind, state=state, note=note
        )
    )


@dataclass(frozen=True)
class Filters:
    states: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()
    confidences: tuple[str, ...] = ()
    live: bool | None = None
    target: str | None = None
    since: str | None = None  # ISO date: incidents opened on or after it
    ids: tuple[int, ...] = ()


def list_incidents(connection: Connection, filters: Filters = Filters()) -> list[IncidentRow]:
    i, c, o, v = t.incidents, t.credentials, t.occurrences, t.verdicts
    places = (
        select(o.c.fingerprint, func.count().label("places"), func.max(o.c.first_seen).label("last_seen"))
        .group_by(o.c.fingerprint)
        .subquery()
    )
    newest = select(v.c.fingerprint, func.max(v.c.id).label("vid")).group_by(v.c.fingerprint).subquery()
    query = (
        select(
            i,
            c.c.rule_id,
            c.c.provider,
            c.c.confidence,
            c.c.preview,
            func.coalesce(places.c.places, 0).label("places"),
            v.c.status.label("last_verdict"),
            func.coalesce(places.c.last_seen, i.c.opened_at).label("last_seen"),
        )
        .join(c, c.c.fingerprint == i.c.fingerprint)
        .outerjoin(places, places.c.fingerprint == i.c.fingerprint)
        .outerjoin(newest, newest.c.fingerprint == i.c.fingerprint)
        .outerjoin(v, v.c.id == newest.c.vid)
    )
    if filters.ids:
        query = query.where(i.c.id.in_(filters.ids))
    if filters.states:
        query = query.where(i.c.state.in_(filters.states))
    if filters.providers:
        query = query.where(c.c.provider.in_(filters.providers))
    if filters.confidences:
        query = query.where(c.c.confidence.in_(filters.confidences))
    if filters.live is not None:
        query = query.where(
            (v.c.status == "live") if filters.live else ((v.c.status != "live") | v.c.status.is_(None))
        )
    if filters.since:
        query = query.where(i.c.opened_at >= filters.since)
    if filters.target:
        in_target = select(o.c.fingerprint).where(o.c.target == filters.target)
        query = query.where(i.c.fingerprint.in_(in_target))
    return [IncidentRow(**row) for row in connection.execute(query.order_by(i.c.id)).mappings()]


@dataclass(frozen=True, slots=True)
class Place:
    kind: str
    target: str
    path: str
    line: int
    col: int
    commit_id: str | None
    author: str | None
    commit_date: str | None
    subject: str | None
    first_seen: str
    captures: dict[str, str] = field(default_factory=dict)


def places_of(connection: Connection, fingerprint: str) -> list[Place]:
    o = t.occurrences
    rows = connection.execute(
        select(o).where(o.c.fingerprint == fingerprint).order_by(o.c.first_seen.desc(), o.c.id.desc())
    ).mappings()
    return [
        Place(
            r["kind"],
            r["target"],
            r["path"],
            r["line"],
            r["col"],
            r["commit_id"],
            r["author"],
            r["commit_date"],
            r["subject"],
            r["first_seen"],
            json.loads(r["captures"] or "{}"),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class EventRow:
    at: str
    actor: str
    kind: str
    state: str
    note: str


def events_of(connection: Connection, incident_id: int) -> list[EventRow]:
    e = t.events
    rows = connection.execute(select(e).where(e.c.incident_id == incident_id).order_by(e.c.id)).mappings()
    return [EventRow(r["at"], r["actor"], r["kind"], r["state"], r["note"]) for r in rows]


@dataclass(frozen=True, slots=True)
class VerdictRow:
    status: str
    reason: str
    checked_at: str
    host: str
    identity: dict[str, str]


def verdicts_of(connection: Connection, fingerprint: str) -> list[VerdictRow]:
    v = t.verdicts
    rows = connection.execute(select(v).where(v.c.fingerprint == fingerprint).order_by(v.c.id)).mappings()
    return [
        VerdictRow(r["status"], r["reason"], r["checked_at"], r["host"], json.loads(r["identity"]))
        for r in rows
    ]


def last_verdict(connection: Connection, fingerprint: str) -> str | None:
    v = t.verdicts
    return connection.execute(
        select(v.c.status).where(v.c.fingerprint == fingerprint).order_by(v.c.id.desc()).limit(1)
    ).scalar()


def fingerprints(connection: Connection) -> dict[str, int]:
    """Every incident's fingerprint and id (for prefix lookups)."""
    return {
        r.fingerprint: r.id for r in connection.execute(select(t.incidents.c.fingerprint, t.incidents.c.id))
    }


def scan_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(t.scans)).scalar_one())


def get_incident(connection: Connection, incident_id: int) -> IncidentRow | None:
    found = list_incidents(connection, Filters(ids=(incident_id,)))
    return found[0] if found else None
