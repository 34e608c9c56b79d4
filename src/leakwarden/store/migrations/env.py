"""Alembic environment: migrations run on the connection `store.migrate` hands over (never on
a URL of their own), so one code path serves SQLite, PostgreSQL and the tests."""

from __future__ import annotations

from alembic import context

from leakwarden.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
