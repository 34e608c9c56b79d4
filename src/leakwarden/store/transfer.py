"""Moving a store's rows to another store as JSON lines: `leakwarden store export|import`.

The first line is a header (format, version, schema revision, the key's fingerprint); then one
object per row with a `table` key, parents before children. There is no secret to leak: the
store holds none. The keyed hashes only mean something under the key that made them, so the
header carries a fingerprint of that key (never the key) and an import into a store with
another key says that secrets and halves will not find the imported credentials there.

An import is one transaction and is idempotent: rows are matched by what identifies them
(a scan's uuid, a credential's fingerprint, a place's key, an incident's credential), numeric
ids are renumbered for the target, and rows without a natural key (events, verdicts, skipped
items) are added only as many times as the file holds them beyond what the store already has.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, Integer, Table, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from leakwarden.errors import InputError
from leakwarden.store import schema as t
from leakwarden.store.db import Store
from leakwarden.store.migrate import current
from leakwarden.store.rows import _insert_ignore

FORMAT = "leakwarden-store-export"
VERSION = 1
TABLES: tuple[Table, ...] = tuple(t.metadata.sorted_tables)  # parents before children
# Tables whose integer id is the store's own numbering, and what identifies a row instead.
_NATURAL = {"occurrences": ("fingerprint", "place_key"), "incidents": ("fingerprint",)}
_MAX_REPORTED = 20


def key_fingerprint(key: bytes) -> str:
    """Enough of the key's hash to tell two keys apart; nothing to guess it from."""
    return hashlib.sha256(key).hexdigest()[:16]


def export_lines(store: Store, *, now: str, tool_version: str) -> Iterator[str]:
    """The header, then every row of every table, as JSON lines (without line breaks)."""
    header = {
        "format": FORMAT,
        "version": VERSION,
        "schema": current(store),
        "key_fingerprint": key_fingerprint(store.key),
        "exported_at": now,
        "tool_version": tool_version,
    }
    yield json.dumps(header, sort_keys=True)
    with store.begin() as tx:
        for table in TABLES:
            query = select(table).order_by(*table.primary_key.columns)
            for row in tx.execute(query).mappings():
                yield json.dumps({"table": table.name, **row})


@dataclass
class Imported:
    added: Counter[str] = field(default_factory=Counter)
    present: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    table: Table
    values: dict[str, Any]


def _is_integer(column: Column[Any]) -> bool:
    return isinstance(column.type, Integer)


def _row_problem(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return "not a JSON object"
    name = obj.get("table")
    table = t.metadata.tables.get(name) if isinstance(name, str) else None
    if table is None:
        return f"unknown table {name!r}" if name is not None else "no `table` key"
    columns = {c.name: c for c in table.columns}
    unknown = sorted(set(obj) - set(columns) - {"table"})
    if unknown:
        return f"{name}: unknown column {unknown[0]!r}"
    for column in columns.values():
        if column.name not in obj:
            return f"{name}: missing column {column.name!r}"
        value = obj[column.name]
        if value is None:
            if not column.nullable:
                return f"{name}.{column.name}: must not be null"
        elif _is_integer(column):
            if not isinstance(value, int) or isinstance(value, bool):
                return f"{name}.{column.name}: must be an integer"
        elif not isinstance(value, str):
            return f"{name}.{column.name}: must be a string"
    return None


def _parse(lines: Iterable[str], store: Store, name: str) -> tuple[list[_Row], list[str]]:
    rows: list[_Row] = []
    problems: list[str] = []
    warnings: list[str] = []
    header: dict[str, Any] | None = None
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not JSON ({exc.msg} at column {exc.colno})")
            continue
        if header is None:
            if not isinstance(obj, dict) or obj.get("format") != FORMAT:
                raise InputError(f"{name}: line {number}: not a leakwarden store export (no header)")
            header = obj
            continue
        problem = _row_problem(obj)
        if problem:
            problems.append(f"line {number}: {problem}")
            continue
        table = t.metadata.tables[obj.pop("table")]
        rows.append(_Row(number, table, obj))
    if header is None:
        raise InputError(f"{name}: empty: not a leakwarden store export")
    if header.get("version") != VERSION:
        raise InputError(
            f"{name}: export format version {header.get('version')!r}; this version reads {VERSION}"
        )
    here = current(store)
    if header.get("schema") != here:
        raise InputError(
            f"{name}: exported at schema revision {header.get('schema')!r}, this store is at {here!r}: "
            "migrate the store it came from (`leakwarden store migrate`) with this version and export again"
        )
    if header.get("key_fingerprint") != key_fingerprint(store.key):
        warnings.append(
            f"{name} comes from a store with another key: fingerprints find the imported credentials, "
            "but a secret (or a half of a pair) given to `inventory` will not; use the same key "
            "(LEAKWARDEN_STORE_KEY, or the .key file beside a SQLite store) for that"
        )
    if problems:
        shown = problems[:_MAX_REPORTED]
        more = f"; and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise InputError(
            f"{name}: {len(problems)} malformed line(s), nothing imported: " + "; ".join(shown) + more
        )
    return rows, warnings


class _Importer:
    def __init__(self, tx: Connection) -> None:
        self.tx = tx
        self.ids: dict[str, dict[int, int]] = {name: {} for name in _NATURAL}
        self.seen: Counter[tuple[str, tuple[Any, ...]]] = Counter()
        self.done = Imported()

    def row(self, row: _Row) -> None:
        table, values = row.table, self._renumbered(row)
        if table.name in _NATURAL:
            added = self._natural(table, values)
        elif "id" in table.c and _is_integer(table.c.id) and table.c.id.primary_key:
            added = self._counted(table, values)
        else:
            added = _insert_ignore(self.tx, table, values, [c.name for c in table.primary_key.columns])
        (self.done.added if added else self.done.present)[table.name] += 1

    def _renumbered(self, row: _Row) -> dict[str, Any]:
        values = dict(row.values)
        for column in row.table.columns:
            for fk in column.foreign_keys:
                parent = fk.column.table.name
                if parent in self.ids and values[column.name] is not None:
                    old = values[column.name]
                    if old not in self.ids[parent]:
                        raise InputError(
                            f"line {row.line}: {row.table.name}.{column.name} refers to {parent} id {old}, "
                            "which no earlier line holds"
                        )
                    values[column.name] = self.ids[parent][old]
        return values

    def _natural(self, table: Table, values: dict[str, Any]) -> bool:
        old = values.pop("id")
        keys = _NATURAL[table.name]
        added = _insert_ignore(self.tx, table, values, list(keys))
        where = [table.c[k] == values[k] for k in keys]
        existing = self.tx.execute(select(table).where(*where)).mappings().one()
        self.ids[table.name][old] = int(existing["id"])
        if not added and table is t.incidents and values["updated_at"] > existing["updated_at"]:
            # The same credential's incident in both stores: the later change wins, and the
            # events of both are kept (they are the audit trail).
            changed = {k: values[k] for k in ("state", "resolution", "assignee", "updated_at")}
            self.tx.execute(update(table).where(*where).values(**changed))
        return added

    def _counted(self, table: Table, values: dict[str, Any]) -> bool:
        values.pop("id")
        signature = tuple(values[k] for k in sorted(values))
        self.seen[(table.name, signature)] += 1
        where = [table.c[k].is_(None) if v is None else table.c[k] == v for k, v in values.items()]
        have = self.tx.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
        if int(have) >= self.seen[(table.name, signature)]:
            return False
        self.tx.execute(insert(table).values(**values))
        return True


def import_lines(store: Store, lines: Iterable[str], *, name: str) -> Imported:
    """Every row of an export into `store`, in one transaction: all of them or, on the first
    problem (a malformed line, a row the store refuses), none."""
    rows, warnings = _parse(lines, store, name)
    current_line = 0
    try:
        with store.begin() as tx:
            importer = _Importer(tx)
            for row in rows:
                current_line = row.line
                importer.row(row)
    except InputError as exc:
        raise InputError(f"{name}: {exc}; nothing imported") from None
    except SQLAlchemyError as exc:
        original = getattr(exc, "orig", None)  # the driver's own words, without the SQL
        reason = str(original) if original is not None else exc.__class__.__name__
        raise InputError(
            f"{name}: line {current_line}: the store refused it ({reason}); nothing imported"
        ) from None
    importer.done.warnings = warnings
    return importer.done
