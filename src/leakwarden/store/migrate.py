"""Alembic, run from inside the package: `upgrade` brings a store to the newest revision (every
open does; `leakwarden store migrate` does it on purpose), `current` says where one is."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
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


def upgrade(store: Store, revision: str = "head") -> None:
    config = _config()
    try:
        with store.engine.begin() as connection:
            if MigrationContext.configure(connection).get_current_revision() == head() and revision == "head":
                return
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise InputError(
            f"store {store.url.split('@')[-1]}: cannot migrate: {exc.__class__.__name__}: {exc}"
        ) from None
