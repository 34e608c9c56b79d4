"""Every value a credential is made of, each under its own keyed hash: a half of a pair, given
alone, finds every credential it belongs to (`leakwarden inventory`). Credentials recorded
before this revision have no rows here (the store never held their values to hash); they are
found by their whole secret, and gain their rows when a scan records them again.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credential_parts",
        sa.Column("fingerprint", sa.String(40), sa.ForeignKey("credentials.fingerprint"), primary_key=True),
        sa.Column("role", sa.String(64), primary_key=True),
        sa.Column("part_hmac", sa.String(64), nullable=False),
    )
    op.create_index("ix_credential_parts_hmac", "credential_parts", ["part_hmac"])


def downgrade() -> None:
    op.drop_index("ix_credential_parts_hmac", "credential_parts")
    op.drop_table("credential_parts")
