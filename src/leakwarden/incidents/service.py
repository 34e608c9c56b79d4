"""Recording scans into the store and acting on incidents: the lifecycle applied in one
transaction each, so an incident's row and its events never disagree."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leakwarden import __version__
from leakwarden.incidents.lifecycle import (
    Change,
    TransitionError,
    apply,
    reopens_on_live,
    reopens_on_new_place,
)
from leakwarden.model import CommitProvenance, ScanResult, VerdictStatus
from leakwarden.reports.common import redact
from leakwarden.rules.catalog import Catalog
from leakwarden.store import Store
from leakwarden.store import rows as r
from leakwarden.store.lookup import add_parts


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Recorded:
    scan_id: str
    opened: list[int] = field(default_factory=list)
    reopened: list[int] = field(default_factory=list)
    new_places: int = 0


def _occurrence_fields(occurrence: Any, target: str) -> dict[str, Any]:
    prov = occurrence.provenance
    commit = prov if isinstance(prov, CommitProvenance) else None
    return {
        "kind": prov.kind,
        "target": target,
        "path": prov.path,
        "line": occurrence.location.line,
        "col": occurrence.location.column,
        "blob_id": occurrence.blob_id,
        "commit_id": commit.commit if commit else None,
        "author": f"{commit.author_name} <{commit.author_email}>" if commit else None,
        "commit_date": commit.date if commit else None,
        "subject": commit.subject if commit else None,
        "captures": dict(occurrence.captures),
    }


def catalog_digest(catalog: Catalog) -> str:
    digest = hashlib.sha256()
    for rule in catalog.rules:
        digest.update(f"{rule.id}\x00{rule.pattern or ''}\x00".encode())
    return digest.hexdigest()


def record(
    store: Store,
    result: ScanResult,
    catalog: Catalog,
    *,
    source: str,
    actor: str = "leakwarden",
    now: Callable[[], str] = _now,
) -> Recorded:
    """Write a scan, its findings, their places, verdicts and skipped items; open an incident for
    every new credential and reopen a resolved one seen in a new place (or found live after it
    was marked revoked). Recording the same result again adds a scan and changes nothing else."""
    stamp = now()
    summary = result.summary
    scan_id = str(uuid.uuid4())
    done = Recorded(scan_id)
    with store.begin() as tx:
        r.add_scan(
            tx,
            r.ScanRow(
                scan_id,
                stamp,
                source,
                result.target,
                __version__,
                catalog_digest(catalog),
                summary.rules,
                summary.blobs,
                summary.bytes,
                len(result.findings),
                f"{summary.duration_s:.3f}",
            ),
        )
        for item in summary.skipped:
            r.add_skipped(tx, scan_id, item.path, item.reason, item.detail)
        # In fingerprint order: every recording takes the rows' locks in one global order, so
        # two scans sharing credentials wait for each other on PostgreSQL but never deadlock.
        for finding in sorted(result.findings, key=lambda f: f.fingerprint):
            rule = catalog.get(finding.rule_id)
            r.add_credential(
                tx,
                fingerprint=finding.fingerprint,
                rule_id=finding.rule_id,
                provider=rule.provider if rule else "",
                confidence=finding.confidence.label,
                secret_hmac=r.secret_hmac(store.key, finding.rule_id, finding.secret, finding.parts),
                preview=redact(finding.secret),
                now=stamp,
            )
            add_parts(tx, store.key, finding.fingerprint, finding.secret, finding.parts)
            incident_id, opened = r.open_incident(tx, finding.fingerprint, stamp)
            if opened:
                r.add_event(tx, incident_id, at=stamp, actor=actor, kind="opened", state="open")
                done.opened.append(incident_id)
            new_paths = []
            for occurrence in finding.occurrences:
                occurrence_id, new = r.add_occurrence(
                    tx, finding.fingerprint, scan_id, stamp, _occurrence_fields(occurrence, result.target)
                )
                r.add_sighting(tx, scan_id, occurrence_id)
                if new:
                    done.new_places += 1
                    new_paths.append(occurrence.provenance.path)
            incident = r.incident_for(tx, finding.fingerprint)
            assert incident is not None
            reason = None
            if not opened and new_paths and reopens_on_new_place(incident.state):
                reason = f"seen in a new place after it was resolved: {new_paths[0]}"
            if finding.verdict is not None:
                previous = r.last_verdict(tx, finding.fingerprint)
                r.add_verdict(tx, finding.fingerprint, scan_id, finding.verdict)
                if finding.verdict.status != previous:
                    r.add_event(
                        tx,
                        incident_id,
                        at=stamp,
                        actor=actor,
                        kind="verdict",
                        state=incident.state,
                        note=f"{finding.verdict.status}: {finding.verdict.reason}",
                    )
                if finding.verdict.status == VerdictStatus.LIVE and reopens_on_live(
                    incident.state, incident.resolution
                ):
                    reason = "verified live after it was marked revoked"
            if reason:
                _change(tx, incident, apply(incident.state, "reopen", note=reason), actor, stamp)
                done.reopened.append(incident_id)
    return done


def _change(tx: Any, incident: r.IncidentRow, change: Change, actor: str, stamp: str) -> None:
    r.set_incident(
        tx, incident.id, state=change.state, resolution=change.resolution, assignee=change.assignee, now=stamp
    )
    r.add_event(
        tx, incident.id, at=stamp, actor=actor, kind=change.kind, state=change.state, note=change.note
    )


class UnknownIncident(LookupError):
    pass


def resolve_key(store: Store, key: str) -> int:
    """An incident by number, or by a unique fingerprint prefix of at least 8 hex digits."""
    with store.begin() as tx:
        known = r.fingerprints(tx)
    if key.isdigit() and int(key) in known.values():
        return int(key)
    lowered = key.lower()
    if len(lowered) >= 8:
        matches = [i for fp, i in known.items() if fp.startswith(lowered)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UnknownIncident(f"fingerprint prefix {key!r} is ambiguous: give more digits")
    raise UnknownIncident(f"no incident {key!r} (give its number or 8+ digits of its fingerprint)")


def act(
    store: Store,
    incident_id: int,
    action: str,
    *,
    actor: str,
    note: str = "",
    resolution: str | None = None,
    assignee: str | None = None,
    now: Callable[[], str] = _now,
) -> r.IncidentRow:
    """Apply an action; TransitionError when the incident's state does not allow it."""
    stamp = now()
    with store.begin() as tx:
        incident = r.get_incident(tx, incident_id)
        if incident is None:
            raise UnknownIncident(f"no incident {incident_id}")
        change = apply(
            incident.state,
            action,
            resolution=resolution,
            assignee=assignee,
            current_resolution=incident.resolution,
            current_assignee=incident.assignee,
            note=note,
        )
        _change(tx, incident, change, actor, stamp)
        updated = r.get_incident(tx, incident_id)
        assert updated is not None
    return updated


@dataclass
class IncidentView:
    incident: r.IncidentRow
    places: list[r.Place]
    events: list[r.EventRow]
    verdicts: list[r.VerdictRow]


def show(store: Store, incident_id: int) -> IncidentView:
    with store.begin() as tx:
        incident = r.get_incident(tx, incident_id)
        if incident is None:
            raise UnknownIncident(f"no incident {incident_id}")
        return IncidentView(
            incident,
            r.places_of(tx, incident.fingerprint),
            r.events_of(tx, incident.id),
            r.verdicts_of(tx, incident.fingerprint),
        )


__all__ = [
    "IncidentView",
    "Recorded",
    "TransitionError",
    "UnknownIncident",
    "act",
    "record",
    "resolve_key",
    "show",
]
