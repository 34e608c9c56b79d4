"""Alembic, run from inside the package: `upgrade` brings a store to the newest revision (every
open does; `leakwarden store migrate` does it on purpose), `current` says where one is."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from leakwarden.errors import InputError
from leakwarden.store.db import Store

MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    return str(ScriptDirectory.from_config(_config()).get_current_head())


def current(store: Store) -> str | None:
    with store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


# pg_advisory_xact_lock's key for "migrating this database" (any constant; this one spells "lwmigrat")
_PG_MIGRATION_LOCK = 0x6C776D6967726174


def _migrate_alone(connection: Connection) -> None:
    """Hold the database's write lock until the transaction ends, before reading the revision:
    two first opens at once (two CI jobs recording into a new team store) then migrate once,
    the second waiting and finding the schema current."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
    elif connection.dialect.name == "sqlite":
        # pysqlite would begin only at the first INSERT, and DDL would run outside any
        # transaction; IMMEDIATE takes the write lock now (waiting up to the busy timeout).
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(store: Store, revision: str = "head") -> None:
    config = _config()
    try:
        # The common case, a current store, reads the revision and takes no lock: opening to
        # list incidents does not wait for a scan that is recording.
        if revision == "head" and current(store) == head():
            return
        with store.engine.begin() as connection:
            _migrate_alone(connection)
            if revision == "head" and MigrationContext.configure(connection).get_current_revision() == head():
                return  # another process migrated it while this one waited
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise InputError(
            f"store {store.url.split('@')[-1]}: cannot migrate: {exc.__class__.__name__}: {exc}"
        ) from None
