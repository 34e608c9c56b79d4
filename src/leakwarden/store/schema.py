"""The findings store's tables (SQLAlchemy Core). docs/store.md explains each; every change
to them is an Alembic revision in `migrations/versions/`, never an edit of the first one.

No raw secret is kept: a credential is its fingerprint, a keyed hash of its value (HMAC-SHA256
with the store's own key, so a stolen database cannot be checked against guessed secrets) and a
redacted preview. Events are append-only: the audit trail of an incident is never rewritten.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class AnyText(TypeDecorator[str]):
    """TEXT that takes any Python string: file names and arguments that were not UTF-8 arrive
    as lone surrogates (surrogateescape), which neither SQLite's nor PostgreSQL's driver can
    encode, and PostgreSQL refuses NUL. Those are stored as `\\xff` and `\\x00`, the way reports
    show them; every other string is stored as it is."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: object) -> str | None:
        if value is None:
            return None
        if value.isascii() and "\x00" not in value:
            return value  # the common case, untouched
        raw = value.encode("utf-8", "surrogateescape")
        return raw.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")

    def process_result_value(self, value: str | None, dialect: object) -> str | None:
        return value


metadata = MetaData()

scans = Table(
    "scans",
    metadata,
    Column("id", String(36), primary_key=True),  # uuid4
    Column("started_at", String(32), nullable=False),  # ISO 8601 UTC
    Column("source", String(32), nullable=False),  # path, stdin, git, staged, ci
    Column("target", AnyText, nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("catalog_digest", String(64), nullable=False),
    Column("rules", Integer, nullable=False),
    Column("blobs", Integer, nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("findings", Integer, nullable=False),
    Column("duration_s", String(16), nullable=False),
)

credentials = Table(
    "credentials",
    metadata,
    Column("fingerprint", String(40), primary_key=True),
    Column("rule_id", String(128), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("confidence", String(8), nullable=False),
    Column("secret_hmac", String(64), nullable=False),  # hex HMAC-SHA256 of the secret material
    Column("preview", String(64), nullable=False),  # redacted, as reports show it
    Column("first_seen", String(32), nullable=False),
    Index("ix_credentials_rule", "rule_id"),
    Index("ix_credentials_hmac", "secret_hmac"),
)

credential_parts = Table(  # every value a credential is made of, so that a half finds its pairs
    "credential_parts",
    metadata,
    Column("fingerprint", String(40), ForeignKey("credentials.fingerprint"), primary_key=True),
    Column("role", String(64), primary_key=True),  # the pair's role name; "secret" for a single value
    Column("part_hmac", String(64), nullable=False),  # keyed hash of the value alone, whatever its role
    Index("ix_credential_parts_hmac", "part_hmac"),
)

occurrences = Table(
    "occurrences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(40), ForeignKey("credentials.fingerprint"), nullable=False),
    Column("place_key", String(64), nullable=False),  # hash of where: one row per place, ever
    Column("first_scan_id", String(36), ForeignKey("scans.id"), nullable=False),
    Column("first_seen", String(32), nullable=False),
    Column("kind", String(16), nullable=False),  # file, stdin, commit, staged, object
    Column("target", AnyText, nullable=False),  # what the scan was of (a directory, a repository)
    Column("path", AnyText, nullable=False),
    Column("line", Integer, nullable=False),
    Column("col", Integer, nullable=False),
    Column("blob_id", String(64), nullable=True),
    Column("commit_id", String(64), nullable=True),
    Column("author", AnyText, nullable=True),
    Column("commit_date", String(40), nullable=True),
    Column("subject", AnyText, nullable=True),
    Column("captures", AnyText, nullable=False, default="{}"),  # JSON
    UniqueConstraint("fingerprint", "place_key", name="uq_occurrence_place"),
    Index("ix_occurrences_fingerprint", "fingerprint"),
)

sightings = Table(  # which scan saw which place: a re-scan adds rows here and nowhere else
    "sightings",
    metadata,
    Column("scan_id", String(36), ForeignKey("scans.id"), primary_key=True),
    Column("occurrence_id", Integer, ForeignKey("occurrences.id"), primary_key=True),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(40), ForeignKey("credentials.fingerprint"), nullable=False, unique=True),
    Column("state", String(16), nullable=False),  # open, assigned, resolved, ignored
    Column("resolution", String(32), nullable=True),  # revoked, rotated, false_positive, ...
    Column("assignee", AnyText, nullable=True),
    Column("opened_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_incidents_state", "state"),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("incident_id", Integer, ForeignKey("incidents.id"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("actor", AnyText, nullable=False),
    Column(
        "kind", String(16), nullable=False
    ),  # opened, assigned, resolved, ignored, reopened, note, verdict
    Column("state", String(16), nullable=False),  # the state after the event
    Column("note", AnyText, nullable=False, default=""),
    Index("ix_events_incident", "incident_id"),
)

verdicts = Table(
    "verdicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("fingerprint", String(40), ForeignKey("credentials.fingerprint"), nullable=False),
    Column("scan_id", String(36), ForeignKey("scans.id"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("reason", AnyText, nullable=False),
    Column("checked_at", String(32), nullable=False),
    Column("host", AnyText, nullable=False),
    Column("http_status", Integer, nullable=False),
    Column("identity", AnyText, nullable=False),  # JSON
    Index("ix_verdicts_fingerprint", "fingerprint"),
)

skipped = Table(
    "skipped",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scan_id", String(36), ForeignKey("scans.id"), nullable=False),
    Column("path", AnyText, nullable=False),
    Column("reason", AnyText, nullable=False),
    Column("detail", AnyText, nullable=False),
)
