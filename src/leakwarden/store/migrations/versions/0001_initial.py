"""The first store: scans, credentials, occurrences and sightings, incidents and their events,
verdicts, skipped items.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("catalog_digest", sa.String(64), nullable=False),
        sa.Column("rules", sa.Integer, nullable=False),
        sa.Column("blobs", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("duration_s", sa.String(16), nullable=False),
    )
    op.create_table(
        "credentials",
        sa.Column("fingerprint", sa.String(40), primary_key=True),
        sa.Column("rule_id", sa.String(128), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("confidence", sa.String(8), nullable=False),
        sa.Column("secret_hmac", sa.String(64), nullable=False),
        sa.Column("preview", sa.String(64), nullable=False),
        sa.Column("first_seen", sa.String(32), nullable=False),
    )
    op.create_index("ix_credentials_rule", "credentials", ["rule_id"])
    op.create_index("ix_credentials_hmac", "credentials", ["secret_hmac"])
    op.create_table(
        "occurrences",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(40), sa.ForeignKey("credentials.fingerprint"), nullable=False),
        sa.Column("place_key", sa.String(64), nullable=False),
        sa.Column("first_scan_id", sa.String(36), sa.ForeignKey("scans.id"), nullable=False),
        sa.Column("first_seen", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("line", sa.Integer, nullable=False),
        sa.Column("col", sa.Integer, nullable=False),
        sa.Column("blob_id", sa.String(64), nullable=True),
        sa.Column("commit_id", sa.String(64), nullable=True),
        sa.Column("author", sa.Text, nullable=True),
        sa.Column("commit_date", sa.String(40), nullable=True),
        sa.Column("subject", sa.Text, nullable=True),
        sa.Column("captures", sa.Text, nullable=False),
        sa.UniqueConstraint("fingerprint", "place_key", name="uq_occurrence_place"),
    )
    op.create_index("ix_occurrences_fingerprint", "occurrences", ["fingerprint"])
    op.create_table(
        "sightings",
        sa.Column("scan_id", sa.String(36), sa.ForeignKey("scans.id"), primary_key=True),
        sa.Column("occurrence_id", sa.Integer, sa.ForeignKey("occurrences.id"), primary_key=True),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "fingerprint",
            sa.String(40),
            sa.ForeignKey("credentials.fingerprint"),
            nullable=False,
            unique=True,
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("resolution", sa.String(32), nullable=True),
        sa.Column("assignee", sa.Text, nullable=True),
        sa.Column("opened_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_incidents_state", "incidents", ["state"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_events_incident", "events", ["incident_id"])
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("fingerprint", sa.String(40), sa.ForeignKey("credentials.fingerprint"), nullable=False),
        sa.Column("scan_id", sa.String(36), sa.ForeignKey("scans.id"), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("checked_at", sa.String(32), nullable=False),
        sa.Column("host", sa.Text, nullable=False),
        sa.Column("http_status", sa.Integer, nullable=False),
        sa.Column("identity", sa.Text, nullable=False),
    )
    op.create_index("ix_verdicts_fingerprint", "verdicts", ["fingerprint"])
    op.create_table(
        "skipped",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scan_id", sa.String(36), sa.ForeignKey("scans.id"), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "skipped",
        "verdicts",
        "events",
        "incidents",
        "sightings",
        "occurrences",
        "credentials",
        "scans",
    ):
        op.drop_table(table)
