"""`scan … --verify`: every finding carries its provider's verdict in every report format, live
ones first; `--only-live` keeps those; `--verify-dry-run` sends nothing; the credential goes
only to the hosts its rule declares; the verdict cache spares the provider a second question.

The providers are played by an injected transport (the real request building and judging run),
patched into `leakwarden.net.Net`, the one HTTP seam.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import zlib
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import leakwarden.net
from leakwarden.cli.main import main
from leakwarden.net import Net
from tests.fix_support import Fakes


class Providers:
    """GitHub says the PAT is live (and whose); Scaleway says the key pair is dead."""

    def __init__(self, login: str = "octo-dev") -> None:
        self.login = login
        self.asked: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(request.url.host)
        if request.url.host == "api.github.com":
            assert request.headers["Authorization"].startswith("Bearer ghp_")
            return httpx.Response(
                200, json={"login": self.login, "id": 4242}, headers={"x-oauth-scopes": "repo, read:org"}
            )
        if request.url.host == "api.scaleway.com":
            return httpx.Response(401, json={"message": "authentication is denied"})
        raise AssertionError(f"a credential was sent to {request.url.host}")


@pytest.fixture
def providers(monkeypatch: pytest.MonkeyPatch) -> Providers:
    fake = Providers()
    monkeypatch.setattr(leakwarden.net, "Net", functools.partial(Net, transport=httpx.MockTransport(fake)))
    return fake


@pytest.fixture
def tree(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    # New credentials for every test: the verdict cache outlives a test (it is the session's).
    fakes = Fakes(seed=zlib.crc32(request.node.name.encode()))
    access, secret = fakes.scaleway()
    _, lone_secret = fakes.alibaba()
    (tmp_path / "deploy.sh").write_text(f"export GITHUB_TOKEN={fakes.github_pat()}\n")
    (tmp_path / ".env").write_text(f"SCW_ACCESS_KEY={access}\nSCW_SECRET_KEY={secret}\n")
    (tmp_path / "settings.py").write_text(f'ALIBABA_CLOUD_ACCESS_KEY_SECRET = "{lone_secret}"\n')
    return tmp_path


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["scan", "path", *args])
    out, err = capsys.readouterr()
    return code, out, err


def by_rule(report: dict[str, object]) -> dict[str, dict[str, object]]:
    findings = report["findings"]
    assert isinstance(findings, list)
    return {f["rule_id"]: f for f in findings}


def test_every_finding_gets_a_verdict_and_live_ones_lead(
    providers: Providers, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = scan(capsys, str(tree), "--verify", "--format", "json", "--min-confidence", "low")
    assert code == 1
    report = json.loads(out)
    found = by_rule(report)
    assert report["findings"][0]["rule_id"] == "github.personal_access_token"  # live first
    live = found["github.personal_access_token"]["verdict"]
    assert live["status"] == "live"
    assert live["host"] == "api.github.com"
    assert live["identity"] == {"login": "octo-dev", "user_id": "4242", "scopes": "repo, read:org"}
    assert found["scaleway.api_key"]["verdict"]["status"] == "dead"
    assert found["scaleway.api_key"]["verdict"]["http_status"] == 401
    half = found["alibaba.access_key_secret"]["verdict"]
    assert half["status"] == "not checkable"
    assert "other half was not found" in half["reason"]
    assert set(providers.asked) == {"api.github.com", "api.scaleway.com"}
    assert report["summary"]["verified"] == {"dead": 1, "live": 1, "not checkable": 1}
    assert "verified: 1 dead, 1 live, 1 not checkable" in err


def test_only_live_keeps_the_live_and_says_what_it_set_aside(
    providers: Providers, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = scan(capsys, str(tree), "--only-live", "--format", "json", "--min-confidence", "low")
    assert code == 1
    report = json.loads(out)
    assert [f["rule_id"] for f in report["findings"]] == ["github.personal_access_token"]
    assert any("--only-live set aside 2 findings" in note for note in report["summary"]["notes"])


def test_text_sarif_csv_junit_and_gitlab_carry_the_verdict(
    providers: Providers, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text, _ = scan(capsys, str(tree), "--verify")
    assert text.index("verdict LIVE") < text.index("verdict DEAD")
    assert "login=octo-dev" in text
    assert "It is live: rotate it now" in text
    assert "The provider refused it" in text

    _, sarif, _ = scan(capsys, str(tree), "--verify", "--format", "sarif")
    results = json.loads(sarif)["runs"][0]["results"]
    assert {r["properties"]["verdict"]["status"] for r in results} == {"live", "dead", "not checkable"}

    _, table, _ = scan(capsys, str(tree), "--verify", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(table)))
    assert {row["verdict"] for row in rows} == {"live", "dead", "not checkable"}
    assert any("login=octo-dev" in row["identity"] for row in rows)

    _, junit, _ = scan(capsys, str(tree), "--verify", "--format", "junit")
    assert "verdict: LIVE" in junit
    _, gitlab, _ = scan(capsys, str(tree), "--verify", "--format", "gitlab")
    assert "LIVE" in json.dumps(json.loads(gitlab))


def test_a_provider_cannot_write_to_the_terminal(
    monkeypatch: pytest.MonkeyPatch, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = Providers(login="\x1b[2J\x1b[31mpwned\nfake line")
    monkeypatch.setattr(leakwarden.net, "Net", functools.partial(Net, transport=httpx.MockTransport(hostile)))
    _, text, _ = scan(capsys, str(tree), "--verify")
    assert "\x1b" not in text
    assert "\\x1b[2J" in text
    assert "pwned\\x0afake line" in text


def test_dry_run_sends_nothing_and_shows_no_secret(
    monkeypatch: pytest.MonkeyPatch, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError("a dry run sent a request")

    monkeypatch.setattr(leakwarden.net, "Net", functools.partial(Net, transport=httpx.MockTransport(refuse)))
    token = (tree / "deploy.sh").read_text().split("=", 1)[1].strip()
    code, out, err = scan(capsys, str(tree), "--verify-dry-run", "--format", "json")
    assert code == 1
    assert "GET https://api.github.com/user" in err
    assert "Authorization: Bearer ************" in err
    assert token not in err
    assert "nothing was sent" in err
    assert all(f["verdict"] is None for f in json.loads(out)["findings"])


def test_config_turns_it_on_and_the_command_line_off(
    providers: Providers, tree: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tree / ".leakwarden.toml").write_text("verify = true\n")
    monkeypatch.chdir(tree)
    _, out, _ = scan(capsys, ".", "--format", "json")
    assert json.loads(out)["summary"]["verified"]
    asked = len(providers.asked)
    _, out, _ = scan(capsys, ".", "--format", "json", "--no-verify")
    assert json.loads(out)["summary"]["verified"] == {}
    assert len(providers.asked) == asked
    (tree / ".leakwarden.toml").write_text('verify = "yes"\n')
    code, _, err = scan(capsys, ".")
    assert code == 2
    assert "key verify: must be true or false" in err


def test_a_second_scan_asks_nobody_about_what_is_cached(
    providers: Providers, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan(capsys, str(tree), "--verify", "--format", "json")
    first = len(providers.asked)
    assert first == 2
    _, out, _ = scan(capsys, str(tree), "--verify", "--format", "json")
    assert len(providers.asked) == first  # live for an hour, dead for a week
    assert json.loads(out)["summary"]["verified"] == {"dead": 1, "live": 1, "not checkable": 1}


def test_identical_credentials_are_asked_once(
    providers: Providers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    token = Fakes(seed=3).github_pat()
    for name in ("a.sh", "b.env", "c.yml"):
        (tmp_path / name).write_text(f"GITHUB_TOKEN={token}\n")
    scan(capsys, str(tmp_path), "--verify", "--format", "json")
    assert providers.asked == ["api.github.com"]


def _handler(status: int) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(status)


def test_a_provider_error_is_a_verdict_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    transport = httpx.MockTransport(_handler(503))
    monkeypatch.setattr(
        leakwarden.net, "Net", functools.partial(Net, transport=transport, sleep=lambda _s: None)
    )
    code, out, _ = scan(capsys, str(tree), "--verify", "--format", "json")
    assert code == 1
    statuses = {f["rule_id"]: f["verdict"]["status"] for f in json.loads(out)["findings"]}
    assert statuses["github.personal_access_token"] == "unknown"


# --- verify --report: a saved report's findings, secrets read back from its files ---------------


def _verify_report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["verify", "--format", "json", "--no-cache", *args])
    return code, json.loads(capsys.readouterr().out)


def test_verify_report_reads_redacted_secrets_back_from_the_files(
    providers: Providers, tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    scan(capsys, str(tree), "--format", "json", "-o", str(report))
    assert "ghp_" not in report.read_text().replace("ghp_****", "")  # redacted
    code, rows = _verify_report(capsys, "--report", str(report))
    assert code == 1  # something is live
    statuses = {r["rule_id"]: r["verdict"]["status"] for r in rows}  # type: ignore[index]
    assert statuses["github.personal_access_token"] == "live"
    assert statuses["scaleway.api_key"] == "dead"
    assert rows[0]["rule_id"] == "github.personal_access_token"

    github = next(r for r in rows if r["rule_id"] == "github.personal_access_token")
    code, one = _verify_report(capsys, "--report", str(report), str(github["fingerprint"])[:12])
    assert [r["rule_id"] for r in one] == ["github.personal_access_token"]

    (tree / "deploy.sh").unlink()
    code, rows = _verify_report(capsys, "--report", str(report))
    gone = next(r for r in rows if r["rule_id"] == "github.personal_access_token")["verdict"]
    assert gone["status"] == "not checkable"  # type: ignore[index]
    assert "no longer holds it" in gone["reason"]  # type: ignore[index]
    assert code == 0


def test_verify_report_uses_a_report_that_shows_its_secrets(
    providers: Providers, tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report.json"
    scan(capsys, str(tree), "--format", "json", "--show-secrets", "-o", str(report))
    (tree / "deploy.sh").unlink()
    code, rows = _verify_report(capsys, "--report", str(report))
    assert code == 1
    assert rows[0]["verdict"]["status"] == "live"  # type: ignore[index]


def test_verify_report_refuses_what_does_not_fit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["verify", "--report", str(bad)]) == 2
    assert "cannot read the report" in capsys.readouterr().err
    assert main(["verify"]) == 2
    assert "give a RULE_ID and its SECRET, or --report FILE" in capsys.readouterr().err
