"""The findings store: scans, credentials (a keyed hash, never the secret), every place each was
seen, verdicts, and incidents with their append-only events. The only package that speaks SQL
(SQLAlchemy Core; Alembic migrations in `migrations/`). SQLite by default, PostgreSQL by URL.
"""

from leakwarden.store.db import DB_ENV, KEY_ENV, Store, default_url, open_store

__all__ = ["DB_ENV", "KEY_ENV", "Store", "default_url", "open_store"]
