"""The findings store and incidents: migrations, idempotent recording without a raw secret at
rest, the lifecycle with its automatic reopenings, the audit trail, the CLI, and two scans
recording into one database at once."""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select

from leakwarden.cli.main import main
from leakwarden.errors import InputError
from leakwarden.incidents import TransitionError
from leakwarden.incidents.service import UnknownIncident, act, record, resolve_key, show
from leakwarden.model import Verdict, VerdictStatus
from leakwarden.rules.catalog import Catalog
from leakwarden.scan import scan_paths
from leakwarden.store import open_store, schema
from leakwarden.store.migrate import current, head, upgrade
from leakwarden.store.rows import Filters, list_incidents
from tests import pg_server as pg_server_module
from tests.fix_support import Fakes
from tests.pg_server import PgServer, ServerUnavailable

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new empty store's URL: a SQLite file, or a database of the session's PostgreSQL server
    (whose key is the team's, from the environment, as on a real server)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'findings.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    monkeypatch.setenv("LEAKWARDEN_STORE_KEY", secrets.token_hex(32))
    return server.create_database()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    fakes = Fakes(seed=41)
    access, secret = fakes.scaleway()
    (root / "deploy.sh").write_text(f"export GITHUB_TOKEN={fakes.github_pat()}\n")
    (root / ".env").write_text(f"SCW_ACCESS_KEY={access}\nSCW_SECRET_KEY={secret}\n")
    return root


def _count(store: object, table: object) -> int:
    with store.begin() as tx:  # type: ignore[attr-defined]
        return int(tx.execute(select(func.count()).select_from(table)).scalar_one())


def test_migrations_build_exactly_the_schema_the_code_declares(db: str) -> None:
    store = open_store(db)
    assert current(store) == head()
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), schema.metadata) == []
    open_store(db)  # a second open finds it current and changes nothing
    assert current(store) == head()


def test_without_the_server_binaries_the_postgresql_tests_say_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(pg_server_module, "BIN_GLOB", str(tmp_path / "nowhere" / "*" / "bin"))
    with pytest.raises(ServerUnavailable, match=r"apt-get install -y postgresql"):
        pg_server_module.find_bin_dir()


def test_a_bare_postgresql_url_means_psycopg(pg_server: PgServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKWARDEN_STORE_KEY", secrets.token_hex(32))
    url = pg_server.create_database()
    for bare in ("postgresql://", "postgres://"):
        store = open_store(url.replace("postgresql+psycopg://", bare))
        assert (store.engine.dialect.driver, current(store)) == ("psycopg", head())
        store.close()


def test_upgrading_from_the_first_revision_reaches_the_declared_schema(db: str) -> None:
    store = open_store(db, migrate=False)
    assert current(store) is None
    upgrade(store, "0001")
    assert current(store) == "0001"
    upgrade(store)
    assert current(store) == head()
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), schema.metadata) == []
        tables = set(inspect(connection).get_table_names())
    assert tables == {t.name for t in schema.metadata.sorted_tables} | {"alembic_version"}


def test_recording_twice_changes_nothing_but_the_scan_list(db: str, tree: Path, catalog: Catalog) -> None:
    store = open_store(db)
    result = scan_paths([str(tree)], catalog=catalog)
    first = record(store, result, catalog, source="path")
    assert len(first.opened) == 2
    counts = {t.name: _count(store, t) for t in (schema.incidents, schema.occurrences, schema.events)}
    second = record(store, result, catalog, source="path")
    assert (second.opened, second.reopened, second.new_places) == ([], [], 0)
    assert {t.name: _count(store, t) for t in (schema.incidents, schema.occurrences, schema.events)} == counts
    assert _count(store, schema.scans) == 2
    (tree / "later.sh").write_text(f"export GITHUB_TOKEN={Fakes(seed=42).github_pat()}\n")
    third = record(store, scan_paths([str(tree)], catalog=catalog), catalog, source="path")
    assert third.opened == [3]  # re-recorded credentials used up no incident number


def _every_stored_value(store: object) -> str:
    """Every row of every table, as the database gives it back: what a stolen copy would hold."""
    with store.begin() as tx:  # type: ignore[attr-defined]
        return "\n".join(
            repr(tuple(row)) for table in schema.metadata.sorted_tables for row in tx.execute(select(table))
        )


def test_no_raw_secret_at_rest(db: str, tree: Path, catalog: Catalog) -> None:
    store = open_store(db)
    result = scan_paths([str(tree)], catalog=catalog)
    record(store, result, catalog, source="path")
    stored = _every_stored_value(store)
    store.close()
    assert "github.personal_access_token" in stored  # the dump is not empty
    if db.startswith("sqlite:///"):  # and below the rows, the file's own pages and journal
        database = Path(db.removeprefix("sqlite:///"))
        stored += repr(
            b"".join(p.read_bytes() for p in database.parent.iterdir() if p.name.startswith("findings.db"))
        )
    for finding in result.findings:
        assert finding.secret not in stored
        for part in finding.parts.values():
            assert part not in stored


def test_the_sqlite_key_is_the_owners_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEAKWARDEN_STORE_KEY", raising=False)
    db = f"sqlite:///{tmp_path / 'findings.db'}"
    open_store(db).close()
    key = tmp_path / "findings.db.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    key.chmod(0o644)
    with pytest.raises(InputError, match="readable by its owner only"):
        open_store(db)


def test_a_server_database_needs_the_team_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from leakwarden.store.db import _key

    monkeypatch.delenv("LEAKWARDEN_STORE_KEY", raising=False)
    with pytest.raises(InputError, match="LEAKWARDEN_STORE_KEY"):
        _key("postgresql://lw@127.0.0.1/lw")
    monkeypatch.setenv("LEAKWARDEN_STORE_KEY", "abc")
    with pytest.raises(InputError, match="64 hexadecimal digits"):
        _key("postgresql://lw@127.0.0.1/lw")
    monkeypatch.setenv("LEAKWARDEN_STORE_KEY", "ab" * 32)
    assert _key("postgresql://lw@127.0.0.1/lw") == bytes.fromhex("ab" * 32)


def test_the_lifecycle_and_its_audit_trail(db: str, tree: Path, catalog: Catalog) -> None:
    store = open_store(db)
    record(store, scan_paths([str(tree)], catalog=catalog), catalog, source="path")
    incident = resolve_key(store, "1")
    act(store, incident, "assign", actor="ana", assignee="bo")
    with pytest.raises(TransitionError, match="resolve needs a reason"):
        act(store, incident, "resolve", actor="bo")
    act(store, incident, "resolve", actor="bo", resolution="rotated", note="new key in vault")
    with pytest.raises(TransitionError, match="cannot resolve an incident that is resolved"):
        act(store, incident, "resolve", actor="bo", resolution="revoked")
    act(store, incident, "note", actor="ana", note="checked the audit log: no foreign use")
    act(store, incident, "reopen", actor="ana")
    act(store, incident, "ignore", actor="ana", note="test fixture")
    view = show(store, incident)
    assert [(e.actor, e.kind, e.state) for e in view.events] == [
        ("leakwarden", "opened", "open"),
        ("ana", "assigned", "assigned"),
        ("bo", "resolved", "resolved"),
        ("ana", "note", "resolved"),
        ("ana", "reopened", "open"),
        ("ana", "ignored", "ignored"),
    ]
    assert view.events[2].note == "new key in vault"
    assert view.incident.state == "ignored"


def test_resolved_reopens_in_a_new_place_and_when_live_after_revoked(
    db: str, tree: Path, catalog: Catalog
) -> None:
    store = open_store(db)
    result = scan_paths([str(tree)], catalog=catalog)
    record(store, result, catalog, source="path")
    github = next(f for f in result.findings if f.rule_id.startswith("github"))
    number = resolve_key(store, github.fingerprint[:10])
    act(store, number, "resolve", actor="ana", resolution="revoked")

    github.verdict = Verdict(
        VerdictStatus.LIVE, "api.github.com accepted it (HTTP 200)", "2026-12-04T20:00:00Z"
    )
    done = record(store, result, catalog, source="path")
    assert done.reopened == [number]
    view = show(store, number)
    assert view.incident.state == "open"
    assert [e.kind for e in view.events][-2:] == ["verdict", "reopened"]
    assert view.events[-1].note == "verified live after it was marked revoked"

    act(store, number, "resolve", actor="ana", resolution="rotated")
    (tree / "copy.sh").write_text((tree / "deploy.sh").read_text())
    done = record(store, scan_paths([str(tree)], catalog=catalog), catalog, source="path")
    assert done.reopened == [number]
    assert show(store, number).places[0].path.endswith("copy.sh")  # newest first


def test_unknown_keys_are_refused(db: str) -> None:
    store = open_store(db)
    with pytest.raises(UnknownIncident, match="no incident '7'"):
        resolve_key(store, "7")
    with pytest.raises(UnknownIncident):
        resolve_key(store, "abc")


def _record_in_child(db: str, root: str, queue: multiprocessing.Queue[str]) -> None:
    from leakwarden.rules.catalog import load_catalog

    try:
        catalog = load_catalog()
        record(open_store(db), scan_paths([root], catalog=catalog), catalog, source="path")
        queue.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test with it
        queue.put(repr(exc))


def _open_in_child(db: str, queue: multiprocessing.Queue[str]) -> None:
    try:
        open_store(db).close()
        queue.put("ok")
    except Exception as exc:  # reported to the parent, which fails the test with it
        queue.put(repr(exc))


def test_first_opens_at_once_migrate_once(db: str) -> None:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = context.Queue()
    workers = [context.Process(target=_open_in_child, args=(db, queue)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert sorted(queue.get(timeout=5) for _ in workers) == ["ok"] * 3
    assert current(open_store(db, migrate=False)) == head()


def test_two_scans_recording_at_once_lose_nothing(db: str, tmp_path: Path) -> None:
    open_store(db).close()  # migrated before the race
    both = Fakes(seed=99)
    shared = [both.github_pat(), both.github_pat()]
    roots = []
    for index in range(2):
        root = tmp_path / f"r{index}"
        root.mkdir()
        fakes = Fakes(seed=100 + index)
        for n in range(15):
            (root / f"f{n:02}.sh").write_text(f"export GITHUB_TOKEN={fakes.github_pat()}\n")
        # Two credentials both scans find, met in opposite orders: they race for the same rows.
        first, last = shared if index == 0 else shared[::-1]
        (root / "a.sh").write_text(f"export GITHUB_TOKEN={first}\n")
        (root / "z.sh").write_text(f"export GITHUB_TOKEN={last}\n")
        roots.append(str(root))
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[str] = context.Queue()
    workers = [context.Process(target=_record_in_child, args=(db, root, queue)) for root in roots]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert sorted(queue.get(timeout=5) for _ in workers) == ["ok", "ok"]
    store = open_store(db)
    with store.begin() as tx:
        incidents = list_incidents(tx, Filters())
    assert len(incidents) == 32
    assert sorted(i.id for i in incidents) == list(range(1, 33))
    assert sorted(i.places for i in incidents) == [1] * 30 + [2, 2]  # each shared one, in both trees
    assert _count(store, schema.credentials) == 32
    assert _count(store, schema.occurrences) == 34
    assert _count(store, schema.sightings) == 34
    assert _count(store, schema.events) == 32  # one "opened" each, none twice


def test_cli_record_list_show_and_act(
    db: str, tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["scan", "path", str(tree), "--record", "--db", db, "--quiet"]) == 1
    capsys.readouterr()
    assert main(["incidents", "list", "--db", db, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["rule_id"] for r in rows} == {"github.personal_access_token", "scaleway.api_key"}
    assert all(r["state"] == "open" for r in rows)
    assert main(["incidents", "list", "--db", db, "--provider", "scaleway", "--format", "csv"]) == 0
    table = capsys.readouterr().out
    assert table.startswith("id,state,resolution")
    assert table.count("\r\n") == 2
    assert "scaleway.api_key" in table
    number = next(r["id"] for r in rows if r["rule_id"] == "scaleway.api_key")
    assert main(["incidents", "resolve", str(number), "--as", "revoked", "--by", "ana", "--db", db]) == 0
    assert "resolved (revoked)" in capsys.readouterr().out
    assert main(["incidents", "resolve", str(number), "--as", "revoked", "--db", db]) == 2
    assert "cannot resolve an incident that is resolved" in capsys.readouterr().err
    assert main(["incidents", "list", "--db", db, "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1  # resolved ones are not listed by default
    assert main(["incidents", "list", "--db", db, "--all", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 2
    assert main(["incidents", "note", str(number), "rotated in vault too", "--db", db]) == 0
    capsys.readouterr()
    assert main(["incidents", "show", str(number), "--db", db, "--format", "json"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert [e["kind"] for e in view["events"]] == ["opened", "resolved", "note"]
    assert view["places"][0]["path"].endswith(".env")
    assert main(["incidents", "show", str(number), "--db", db]) == 0
    text = capsys.readouterr().out
    assert "Incident #" in text
    assert "My Scaleway API key" in text  # the guide follows
    assert main(["incidents", "show", "99", "--db", db]) == 2
    assert main(["incidents", "list", "--db", db, "--since", "yesterday"]) == 2
    assert main(["store", "migrate", "--db", db]) == 0
    assert head() in capsys.readouterr().out


def test_config_records_every_scan(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tree / ".leakwarden.toml").write_text('record = true\ndb = "state/findings.db"\n')
    monkeypatch.chdir(tree)
    assert main(["scan", "path", "."]) == 1
    assert "recorded in sqlite:///" in capsys.readouterr().err
    assert (tree / "state" / "findings.db").is_file()
    assert main(["scan", "path", ".", "--no-record"]) == 1
    assert "recorded" not in capsys.readouterr().err


def test_hostile_paths_are_shown_as_text(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "hostile"
    root.mkdir()
    (root / "a\x1b[31m\nb.sh").write_text(f"export GITHUB_TOKEN={Fakes(seed=5).github_pat()}\n")
    assert main(["scan", "path", str(root), "--record", "--db", db, "--quiet"]) == 1
    capsys.readouterr()
    assert main(["incidents", "show", "1", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "\x1b[31m" not in out
    assert "\\x1b[31m\\x0ab.sh" in out
    assert os.sep in out


def test_names_that_are_not_utf8_and_nul_are_stored_as_reports_show_them(
    db: str, tmp_path: Path, catalog: Catalog
) -> None:
    root = tmp_path / "bytes"
    root.mkdir()
    for name in (b"key\xff.sh", b"key\xfe.sh"):  # two names that differ only in a non-UTF-8 byte
        Path(os.fsdecode(os.fsencode(root) + b"/" + name)).write_text(
            f"export GITHUB_TOKEN={Fakes(seed=8).github_pat()}\n"
        )
    store = open_store(db)
    done = record(store, scan_paths([str(root)], catalog=catalog), catalog, source="path")
    assert (len(done.opened), done.new_places) == (1, 2)
    number = done.opened[0]
    act(store, number, "note", actor="ana", note="pasted from a binary: a\x00b")
    view = show(store, number)
    assert sorted(Path(p.path).name for p in view.places) == ["key\\xfe.sh", "key\\xff.sh"]
    assert view.events[-1].note == "pasted from a binary: a\\x00b"
