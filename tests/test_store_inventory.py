"""`leakwarden inventory` (a fingerprint, a whole secret or one half of a pair finds every place
the credential and its partners were seen) and `leakwarden store export|import` (JSON lines,
idempotent, one transaction, refused across schema revisions, warned across keys)."""

from __future__ import annotations

import io
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from leakwarden.cli.main import main
from leakwarden.incidents.inventory import (
    by_fingerprint,
    inventory_of_fingerprint,
    inventory_of_secret,
    place_category,
)
from leakwarden.incidents.service import act, record, resolve_key, show
from leakwarden.rules.catalog import Catalog
from leakwarden.scan import scan_paths
from leakwarden.store import open_store, schema
from leakwarden.store.migrate import current, head, upgrade
from leakwarden.store.rows import add_credential, open_incident
from tests.fix_support import Fakes


@dataclass
class Leaks:
    repo: Path
    other: Path
    token: str
    access: str
    secret: str


@pytest.fixture
def leaks(tmp_path: Path) -> Leaks:
    fakes = Fakes(seed=73)
    token = fakes.github_pat()
    access, secret = fakes.scaleway()
    repo, other = tmp_path / "repo", tmp_path / "other"
    for directory in (repo / ".github" / "workflows", repo / "node_modules" / "sdk", other):
        directory.mkdir(parents=True)
    (repo / "deploy.sh").write_text(f"export GITHUB_TOKEN={token}\n")
    (repo / ".github" / "workflows" / "release.yml").write_text(f"env:\n  GITHUB_TOKEN: {token}\n")
    (repo / "node_modules" / "sdk" / "index.js").write_text(f"const token = '{token}';\n")
    (repo / ".env").write_text(f"SCW_ACCESS_KEY={access}\nSCW_SECRET_KEY={secret}\n")
    (other / "backup.conf").write_text(f"SCW_ACCESS_KEY={access}\n")  # the key id alone
    return Leaks(repo, other, token, access, secret)


def _db(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name / 'findings.db'}"


def _record_both(db: str, leaks: Leaks, catalog: Catalog) -> None:
    store = open_store(db)
    for root in (leaks.repo, leaks.other):
        result = scan_paths([str(root)], catalog=catalog)
        record(store, result, catalog, source="path", now=lambda: "2026-12-01T10:00:00Z")


def _count(db: str, table: object) -> int:
    with open_store(db).begin() as tx:
        return int(tx.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_place_categories_say_what_must_be_rebuilt_or_edited() -> None:
    layer = "0" * 63 + "a"
    assert place_category(f"app.tar!blobs/sha256/{layer}!etc/app.conf") == "container image"
    assert place_category(f"image/{layer}/layer.tar/srv/settings.py") == "container image"
    assert (
        place_category("registry.example/app:1.4@sha256:0123456789ab!layer 3!srv/app.py") == "container image"
    )
    assert place_category("srv/app.py", "image-layer") == "container image"
    assert place_category("dist/tool-1.0-py3-none-any.whl!tool/config.py") == "package"
    assert place_category("web/node_modules/sdk/index.js") == "package"
    assert place_category(".github/workflows/release.yml") == "CI configuration"
    assert place_category("deploy/.env") == "environment file"
    assert place_category("src/app.py") == "source code"


def test_inventory_by_fingerprint_groups_by_target_newest_first(
    tmp_path: Path, leaks: Leaks, catalog: Catalog
) -> None:
    db = _db(tmp_path, "a")
    _record_both(db, leaks, catalog)
    (leaks.repo / "rotate.sh").write_text(f"TOKEN={leaks.token}\n")  # seen later: listed first
    store = open_store(db)
    later = scan_paths([str(leaks.repo)], catalog=catalog)
    record(store, later, catalog, source="path", now=lambda: "2026-12-02T10:00:00Z")
    github = next(
        f.fingerprint
        for f in scan_paths([str(leaks.repo)], catalog=catalog).findings
        if f.rule_id.startswith("github")
    )
    fingerprint = by_fingerprint(store, github[:8])
    assert fingerprint == github
    found = inventory_of_fingerprint(store, github)
    assert [c.credential.rule_id for c in found.credentials] == ["github.personal_access_token"]
    assert [g.target for g in found.targets] == [str(leaks.repo)]
    places = found.targets[0].places
    assert Path(places[0].path).name == "rotate.sh"
    assert {Path(p.path).name: p.category for p in places} == {
        "rotate.sh": "source code",
        "deploy.sh": "source code",
        "release.yml": "CI configuration",
        "index.js": "package",
    }


def test_a_half_finds_its_pair_and_the_pair_finds_the_lone_half(
    tmp_path: Path, leaks: Leaks, catalog: Catalog
) -> None:
    db = _db(tmp_path, "a")
    _record_both(db, leaks, catalog)
    store = open_store(db)
    by_secret_half = inventory_of_secret(store, [leaks.secret])
    assert {(c.credential.rule_id, c.why) for c in by_secret_half.credentials} == {
        ("scaleway.api_key", "matched"),
        ("scaleway.access_key", "shares access_key"),
    }
    assert {g.target for g in by_secret_half.targets} == {str(leaks.repo), str(leaks.other)}
    by_key_id = inventory_of_secret(store, [leaks.access])
    assert {(c.credential.rule_id, c.why) for c in by_key_id.credentials} == {
        ("scaleway.api_key", "matched"),
        ("scaleway.access_key", "matched"),
    }
    assert not inventory_of_secret(store, [secrets.token_urlsafe(30)]).found


def test_credentials_recorded_before_revision_0002_are_found_by_their_whole_secret(
    tmp_path: Path, leaks: Leaks, catalog: Catalog
) -> None:
    db = _db(tmp_path, "a")
    store = open_store(db, migrate=False)
    upgrade(store, "0001")
    assert current(store) == "0001"
    upgrade(store)
    assert current(store) == head()
    _record_both(db, leaks, catalog)
    with store.begin() as tx:  # as a store upgraded from 0001 has them: no parts yet
        tx.execute(delete(schema.credential_parts))
    assert [c.credential.rule_id for c in inventory_of_secret(store, [leaks.token]).credentials] == [
        "github.personal_access_token"
    ]
    assert not inventory_of_secret(store, [leaks.secret]).found  # a half needs the parts
    record(store, scan_paths([str(leaks.repo)], catalog=catalog), catalog, source="path")
    assert inventory_of_secret(store, [leaks.secret]).found  # recorded again: parts are back


def test_cli_inventory_reads_the_secret_from_stdin_and_never_shows_it(
    tmp_path: Path,
    leaks: Leaks,
    catalog: Catalog,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = _db(tmp_path, "a")
    _record_both(db, leaks, catalog)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{leaks.access}\n{leaks.secret}\n"))
    assert main(["inventory", "-", "--db", db]) == 0
    out = capsys.readouterr().out
    assert leaks.access not in out
    assert leaks.secret not in out
    assert "[environment file]" in out
    assert "scaleway.access_key" in out
    assert str(leaks.other) in out
    monkeypatch.setattr("sys.stdin", io.StringIO(leaks.token + "\n"))
    assert main(["inventory", "-", "--db", db, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["found"] is True
    assert {p["category"] for p in document["targets"][0]["places"]} == {
        "source code",
        "CI configuration",
        "package",
    }
    monkeypatch.setattr("sys.stdin", io.StringIO(secrets.token_hex(20)))
    assert main(["inventory", "-", "--db", db]) == 1
    assert "No credential" in capsys.readouterr().out


def test_an_ambiguous_fingerprint_prefix_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _db(tmp_path, "a")
    with open_store(db).begin() as tx:
        for _ in range(2):
            fingerprint = "deadbeef" + secrets.token_hex(16)
            add_credential(
                tx,
                fingerprint=fingerprint,
                rule_id="github.personal_access_token",
                provider="github",
                confidence="high",
                secret_hmac=secrets.token_hex(32),
                preview="ghp_************",
                now="2026-12-01T10:00:00Z",
            )
            open_incident(tx, fingerprint, "2026-12-01T10:00:00Z")
    assert main(["inventory", "deadbeef", "--db", db]) == 2
    assert "ambiguous" in capsys.readouterr().err


def _export(db: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["store", "export", "--db", db]) == 0
    return capsys.readouterr().out.splitlines()


def test_export_then_import_is_the_same_store_and_importing_twice_changes_nothing(
    tmp_path: Path,
    leaks: Leaks,
    catalog: Catalog,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEAKWARDEN_STORE_KEY", secrets.token_hex(32))  # both stores: one key
    source, target = _db(tmp_path, "a"), _db(tmp_path, "b")
    _record_both(source, leaks, catalog)
    store = open_store(source)
    number = resolve_key(store, "1")
    act(store, number, "resolve", actor="ana", resolution="rotated", note="rotated in vault",
        now=lambda: "2026-12-02T09:30:00Z")  # fmt: skip
    dump = tmp_path / "store.jsonl"
    assert main(["store", "export", "--db", source, "-o", str(dump)]) == 0
    lines = dump.read_text().splitlines()
    header = json.loads(lines[0])
    assert (header["schema"], len(header["key_fingerprint"])) == (head(), 16)
    tables = [json.loads(line)["table"] for line in lines[1:]]
    assert tables.index("credentials") < tables.index("occurrences") < tables.index("sightings")
    assert leaks.token not in dump.read_text()

    assert main(["store", "import", str(dump), "--db", target]) == 0
    first = capsys.readouterr()
    assert f"imported {len(lines) - 1} rows" in first.out
    assert "another key" not in first.err
    assert _export(target, capsys)[1:] == lines[1:]
    assert main(["store", "import", str(dump), "--db", target]) == 0
    assert "imported 0 rows (nothing)" in capsys.readouterr().out
    assert _export(target, capsys)[1:] == lines[1:]
    events = show(open_store(target), number).events
    assert (events[-1].at, events[-1].actor, events[-1].note) == (
        "2026-12-02T09:30:00Z",
        "ana",
        "rotated in vault",
    )
    assert inventory_of_secret(open_store(target), [leaks.secret]).found  # the same key: hashes match


def test_import_into_a_store_with_its_own_rows_renumbers_and_merges(
    tmp_path: Path, leaks: Leaks, catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = _db(tmp_path, "a"), _db(tmp_path, "b")
    _record_both(source, leaks, catalog)
    other = open_store(target)
    seen = scan_paths([str(leaks.other)], catalog=catalog)
    record(other, seen, catalog, source="path", now=lambda: "2026-12-03T08:00:00Z")  # incident #1 here
    dump = tmp_path / "store.jsonl"
    dump.write_text("\n".join(_export(source, capsys)) + "\n")
    assert main(["store", "import", str(dump), "--db", target]) == 0
    assert "another key" in capsys.readouterr().err  # each SQLite store made its own key
    assert _count(target, schema.incidents) == 3
    assert _count(target, schema.scans) == 3
    target_store = open_store(target)
    lone = inventory_of_fingerprint(target_store, by_fingerprint(target_store, _lone(source)) or "")
    assert len(lone.targets[0].places) == 1  # the same place, from either store, is one place
    for incident in (2, 3):
        assert [e.kind for e in show(target_store, incident).events] == ["opened"]
    # Both stores opened the lone key's incident: the merged audit trail keeps both openings.
    trail = show(target_store, 1).events
    assert [e.kind for e in trail] == ["opened", "opened"]
    assert trail[0].at == "2026-12-03T08:00:00Z"


def _lone(db: str) -> str:
    with open_store(db).begin() as tx:
        return str(
            tx.execute(
                select(schema.credentials.c.fingerprint).where(
                    schema.credentials.c.rule_id == "scaleway.access_key"
                )
            ).scalar_one()
        )


def test_import_refuses_another_schema_revision_and_malformed_lines_all_or_nothing(
    tmp_path: Path, leaks: Leaks, catalog: Catalog, capsys: pytest.CaptureFixture[str]
) -> None:
    source, target = _db(tmp_path, "a"), _db(tmp_path, "b")
    _record_both(source, leaks, catalog)
    lines = _export(source, capsys)
    dump = tmp_path / "store.jsonl"

    header = json.loads(lines[0])
    dump.write_text("\n".join([json.dumps({**header, "schema": "0001"}), *lines[1:]]) + "\n")
    assert main(["store", "import", str(dump), "--db", target]) == 2
    assert "exported at schema revision '0001'" in capsys.readouterr().err

    broken = list(lines)
    broken[2] = broken[2][:-3]
    broken[4] = json.dumps({"table": "passwords", "value": "x"})
    broken[5] = json.dumps({**json.loads(broken[5]), "first_seen": 17})
    dump.write_text("\n".join(broken) + "\n")
    assert main(["store", "import", str(dump), "--db", target]) == 2
    err = capsys.readouterr().err
    assert "3 malformed line(s), nothing imported" in err
    assert "line 3: not JSON" in err
    assert "line 5: unknown table 'passwords'" in err
    assert "line 6: " in err

    orphan = [line for line in lines if json.loads(line).get("table") != "credentials"]
    dump.write_text("\n".join(orphan) + "\n")  # places of credentials the file does not hold
    assert main(["store", "import", str(dump), "--db", target]) == 2
    assert "the store refused it" in capsys.readouterr().err
    assert _count(target, schema.scans) == 0  # the scans before the refused line are gone too
