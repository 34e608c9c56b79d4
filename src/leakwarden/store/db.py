"""Opening a store (SQLite by default, PostgreSQL by URL), migrating it, and its key.

The keyed hash that stands for a secret needs a key only this store has: beside a SQLite
database it is a file of 32 random bytes readable by its owner alone (created on first use);
for a server database it comes from `LEAKWARDEN_STORE_KEY` (64 hex digits), so every member of
a team hashes alike.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event

from leakwarden.errors import InputError

DB_ENV = "LEAKWARDEN_DB"
KEY_ENV = "LEAKWARDEN_STORE_KEY"


def as_url(db: str) -> str:
    """A database URL as given, or a file path as the SQLite URL of that file."""
    return db if "://" in db else f"sqlite:///{Path(db).expanduser().resolve()}"


def default_url() -> str:
    """`LEAKWARDEN_DB`, else a SQLite file in the user data directory."""
    override = os.environ.get(DB_ENV)
    if override:
        return as_url(override)
    import platformdirs

    return f"sqlite:///{Path(platformdirs.user_data_dir('leakwarden')) / 'findings.db'}"


def _with_driver(url: str) -> str:
    """A bare `postgresql://` (or Heroku-style `postgres://`) URL means psycopg 3, the driver
    the `postgres` extra installs; SQLAlchemy alone would look for psycopg2."""
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url.removeprefix(bare)
    return url


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def _key(url: str) -> bytes:
    given = os.environ.get(KEY_ENV)
    if given:
        try:
            key = bytes.fromhex(given.strip())
        except ValueError:
            key = b""
        if len(key) != 32:
            raise InputError(f"{KEY_ENV}: must be 64 hexadecimal digits (32 bytes)")
        return key
    path = _sqlite_path(url)
    if path is None:
        raise InputError(
            f"a server database needs its key in {KEY_ENV} (64 hex digits, the same for the team)"
        )
    key_file = path.with_name(path.name + ".key")
    try:
        return _read_key(key_file)
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: use theirs
        return _read_key(key_file)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.hex().encode())
    return key


def _read_key(path: Path) -> bytes:
    text = path.read_text(encoding="ascii").strip()
    if path.stat().st_mode & 0o077:
        raise InputError(f"{path}: the store key must be readable by its owner only (chmod 600)")
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise InputError(f"{path}: not a store key (64 hexadecimal digits)")
    return key


@dataclass
class Store:
    url: str
    engine: Engine
    key: bytes

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a recording scan
    cursor.execute("PRAGMA busy_timeout=30000")  # two scans recording at once take turns
    cursor.close()


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    """The store at `url` (a URL or a SQLite file; default: `default_url()`), migrated to the
    newest schema."""
    url = _with_driver(as_url(url) if url else default_url())
    path = _sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{path.parent}: cannot create the store's directory: {exc.strerror}") from None
    try:
        engine = create_engine(url, future=True)
    except Exception as exc:  # a malformed URL or a missing driver: SQLAlchemy's own message
        raise InputError(f"store {url.split('@')[-1]}: {exc}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    store = Store(url, engine, _key(url))
    if migrate:
        from leakwarden.store.migrate import upgrade

        upgrade(store)
    return store
