"""Incident guides: every rule's guide renders in every format; the founding types' guides are
complete; `rules check` enforces guide data behind its switch; a finding's guide names every
place the credential was found and every variable it is bound to; the CLI commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leakwarden import lint
from leakwarden.cli.main import main
from leakwarden.errors import RuleError
from leakwarden.model import CommitProvenance, Confidence, FileProvenance, Finding, Location, Occurrence
from leakwarden.remediate import (
    FOUNDING_PROVIDERS,
    ITEMS,
    completeness,
    finding_guide,
    finding_info,
    missing_items,
    render,
    report_findings,
    resolve_rule,
    rule_guide,
)
from leakwarden.remediate.places import binding_name, bindings, category
from leakwarden.remediate.templates import SECTION_TITLES
from leakwarden.rules.catalog import Catalog, RuleFile, build_catalog, builtin_files, load_catalog
from leakwarden.rules.schema import parse_document
from leakwarden.scan import scan_paths
from tests.conftest import write

ACCESS = "SCWFSJWESQRAQJXM9X4O"
SECRET = "eb9bff35-ec2b-4bb4-ba81-d752c751e3de"
DOTENV = f"SCW_DEFAULT_REGION=fr-par\nSCW_ACCESS_KEY={ACCESS}\nSCW_SECRET_KEY={SECRET}\n"
CI_YML = f"""name: deploy
on: [push]
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      SCALEWAY_ACCESS_KEY: {ACCESS}
      SCALEWAY_SECRET_KEY: {SECRET}
    steps:
      - run: terraform apply -auto-approve
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- every guide renders ---------------------------------------------------------------------------


def test_every_rule_guide_renders_in_every_format(catalog: Catalog) -> None:
    for rule in catalog.rules:
        guide = rule_guide(rule, catalog)
        assert guide.title.startswith("My ")
        assert guide.title.endswith("leaked! What should I do?")
        assert [s.number for s in guide.sections if s.number] == list(range(1, 10))
        markdown = render([guide], "md")
        for key, title in SECTION_TITLES.items():
            if key not in ("references", "leaks"):
                assert title in markdown, (rule.id, title)
        assert markdown.count("```") == 2 * 20, rule.id  # four platforms x five languages
        plain = render([guide], "text")
        assert "\x1b[" not in plain
        assert "First steps" in plain
        assert "**" not in plain
        document = json.loads(render([guide], "json"))
        assert document["guides"][0]["rule_id"] == rule.id
        assert len(document["guides"][0]["parts"]) >= 1
        if rule.playbook.revoke_url:
            assert rule.playbook.revoke_url in markdown


def test_text_on_a_terminal_is_rich(catalog: Catalog) -> None:
    colored = render([rule_guide(catalog["scaleway.api_key"], catalog)], "text", color=True)
    assert "\x1b[" in colored
    assert "api-key delete" in colored


# --- the founding guides are complete ----------------------------------------------------------------


def test_founding_rules_have_complete_guides(catalog: Catalog) -> None:
    founding = [r for r in catalog.rules if r.provider in FOUNDING_PROVIDERS]
    assert len(founding) == 11
    for rule in founding:
        assert missing_items(rule, full=True) == [], rule.id
        assert completeness(rule).status == "complete"
        assert list(lint.guide_problems(rule)) == []
        assert all(ref.startswith("https://") for ref in rule.playbook.guide_references)


def test_founding_rules_pass_the_strict_check(catalog: Catalog) -> None:
    founding = [r.id for r in catalog.rules if r.provider in FOUNDING_PROVIDERS]
    assert [str(p) for p in lint.check_guides(catalog, only=founding)] == []
    for rule_id in founding:
        assert [str(p) for p in lint._metadata_problems(catalog[rule_id])] == []


def test_founding_guides_are_specific(catalog: Catalog) -> None:
    text = {}
    for provider in FOUNDING_PROVIDERS:
        rule = resolve_rule(catalog, provider)
        assert rule is not None, provider
        text[provider] = render([rule_guide(rule, catalog)], "md")
    assert "UpdateAccessKey" in text["alibaba"]
    assert "--Status Inactive" in text["alibaba"]
    assert "GetAccessKeyLastUsed" in text["alibaba"]
    assert "ActionTrail" in text["alibaba"]
    assert "Audit Trail" in text["scaleway"]
    assert "scw iam api-key delete" in text["scaleway"]
    assert "service account" in text["scalr"].lower()
    assert "audit log" in text["scalr"].lower()
    assert "https://packagecloud.io/api_token" in text["packagecloud"]
    assert "master_token" in text["packagecloud"]
    assert "`SCW_ACCESS_KEY`" in text["scaleway"]
    assert "`SCW_SECRET_KEY`" in text["scaleway"]
    assert "ALIBABA_CLOUD_ACCESS_KEY_SECRET" in text["alibaba"]
    sts = render([rule_guide(catalog["alibaba.sts_credentials"], catalog)], "md")
    assert "AssumeRole" in sts


def test_a_provider_with_several_credentials_names_them(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "guide", "github")
    assert code == 2
    assert "name one:" in err
    assert "github.personal_access_token" in err


# --- the lint switch ----------------------------------------------------------------------------------

BARE = """
provider: acme
provider_name: Acme
rules:
  - id: acme.token
    name: Acme token
    category: saas
    confidence: high
    pattern: '\\b(?P<secret>acme_[a-z0-9]{32})\\b'
    keywords: [acme_]
    references: [https://example.com/docs]
    examples: ['token = acme_0123456789abcdefghijklmnopqrstuv']
    playbook:
      what: An Acme token.
      revoke_url: https://example.com/tokens
      logs: Acme audit log.
"""


def _catalog_with(text: str, name: str = "builtin:acme.yaml") -> Catalog:
    return build_catalog([*builtin_files(), RuleFile(name, text.encode())])


def test_a_builtin_rule_without_guide_data_fails_the_check() -> None:
    catalog = _catalog_with(BARE)
    problems = lint.check_guides(catalog, only=["acme.token"])
    assert {p.field for p in problems} == {"playbook.generate", "playbook.revoke/revoke_url"}
    assert all("guide data missing" in p.message for p in problems)


def test_check_catalog_includes_the_guide_check(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(lint, "check_guides", lambda *args: calls.append(args) or [])
    monkeypatch.setattr(lint, "engines_for", lambda catalog: [])
    catalog = _catalog_with(BARE)
    lint.check_catalog(catalog, only=["acme.token"])
    assert calls == [(catalog, ["acme.token"])]


def test_every_builtin_rule_carries_its_guide_data(catalog: Catalog) -> None:
    assert [str(p) for p in lint.check_guides(catalog)] == []


def test_users_rules_are_not_held_to_guide_data() -> None:
    catalog = _catalog_with(BARE, name="my-rules.yaml")
    assert lint.check_guides(catalog, only=["acme.token"]) == []


def test_minimum_guide_items() -> None:
    (rule,) = parse_document(__import__("yaml").safe_load(BARE), "x.yaml")
    assert [i.key for i in missing_items(rule, full=False)] == ["generate", "revoke"]
    assert [i.key for i in missing_items(rule, full=True)] == [i.key for i in ITEMS]  # `what` lacks `usage`


def test_pair_env_vars_must_name_the_pair_roles(catalog: Catalog) -> None:
    text = (Path(__file__).parents[1] / "src/leakwarden/rules/catalog/scaleway.yaml").read_text()
    text = text.replace("provider: scaleway", "provider: scw").replace(
        "provider_name: Scaleway", "provider_name: S"
    )
    text = text.replace("scaleway.", "scw.").replace("secret_key: SCW_SECRET_KEY", "secret: SCW_SECRET_KEY")
    mine = build_catalog([RuleFile("mine.yaml", text.encode())])
    problems = [p for p in lint._metadata_problems(mine["scw.api_key"]) if p.field == "playbook.env_vars"]
    assert problems
    assert "pair role" in problems[0].message


# --- schema ----------------------------------------------------------------------------------------


def _playbook_doc(playbook: str) -> str:
    return BARE.replace("      logs: Acme audit log.\n", "      logs: Acme audit log.\n" + playbook)


def test_new_playbook_fields_parse() -> None:
    doc = _playbook_doc(
        "      env_vars: ACME_TOKEN\n      secret_path: apps/acme\n      generate: [Open the console.]\n"
        "      guide_references: [https://example.com/rotate]\n"
    )
    (rule,) = parse_document(__import__("yaml").safe_load(doc), "x.yaml")
    assert rule.playbook.env_vars == (("", "ACME_TOKEN"),)
    assert rule.playbook.secret_path == "apps/acme"
    assert rule.playbook.generate == ("Open the console.",)
    assert rule.playbook.what == "An Acme token."  # the original fields are untouched


@pytest.mark.parametrize(
    ("playbook", "field"),
    [
        ("      env_vars: 'NOT A NAME'\n", "playbook.env_vars"),
        ("      env_vars: {Token: ACME_TOKEN}\n", "playbook.env_vars"),
        ("      secret_path: /abs/../path\n", "playbook.secret_path"),
        ("      generate: Open the console.\n", "playbook.generate"),
        ("      remedy: typo\n", "playbook.remedy"),
    ],
)
def test_bad_playbook_fields_are_errors(playbook: str, field: str) -> None:
    with pytest.raises(RuleError) as error:
        parse_document(__import__("yaml").safe_load(_playbook_doc(playbook)), "x.yaml")
    assert error.value.field == field


# --- places and bindings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "name"),
    [
        ("SCW_ACCESS_KEY=", "SCW_ACCESS_KEY"),
        ('export SCW_SECRET_KEY="', "SCW_SECRET_KEY"),
        ("      access_key: ", "access_key"),
        ('{"scwSecretKey": "', "scwSecretKey"),
        ('client = Client(access_key="', "access_key"),
        ('  secret_key = "', "secret_key"),
        ("$token = '", "token"),
        ("spring.datasource.password=", "spring.datasource.password"),
        ('os.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "', "ALIBABA_CLOUD_ACCESS_KEY_SECRET"),
        ('ENV["SCALR_TOKEN"] ||= "', "SCALR_TOKEN"),
        ('auth = oss2.Auth("', ""),
        ("curl -fsSL https://", ""),
        ("", ""),
    ],
)
def test_binding_names(prefix: str, name: str) -> None:
    assert binding_name(prefix) == name


def test_bindings_finds_every_name_in_order() -> None:
    assert bindings(DOTENV + "OTHER=" + ACCESS + "\n", [ACCESS, SECRET]) == [
        "SCW_ACCESS_KEY",
        "SCW_SECRET_KEY",
        "OTHER",
    ]


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        (".github/workflows/deploy.yml", "CI configuration"),
        ("ci.yml", "CI configuration"),
        ("app/.gitlab-ci.yml", "CI configuration"),
        (".circleci/config.yml", "CI configuration"),
        ("Jenkinsfile", "CI configuration"),
        (".env", "environment file"),
        ("config/.env.production", "environment file"),
        ("infra/main.tf", "infrastructure as code"),
        ("Dockerfile", "container build"),
        ("docker-compose.yml", "container build"),
        ("src/app.py", "source code"),
        ("README.md", "documentation"),
        ("settings.yaml", "configuration"),
        ("data.bin", "file"),
    ],
)
def test_place_categories(path: str, kind: str) -> None:
    assert category(path) == kind


# --- a finding's guide ---------------------------------------------------------------------------


def _scan_pair(tmp_path: Path) -> tuple[Finding, dict[str, str], list[Finding]]:
    env = write(tmp_path / ".env", DOTENV)
    ci = write(tmp_path / "ci.yml", CI_YML)
    result = scan_paths([str(tmp_path)], jobs=1)
    (finding,) = [f for f in result.findings if f.rule_id == "scaleway.api_key"]
    texts = {str(p): p.read_text() for p in (env, ci)}
    return finding, texts, result.findings


def test_finding_guide_lists_every_place_and_variable(tmp_path: Path, catalog: Catalog) -> None:
    finding, texts, pool = _scan_pair(tmp_path)
    assert len(finding.occurrences) == 2
    info = finding_info(finding, texts=texts, pool=pool)
    assert {Path(p.path).name for p in info.places} == {".env", "ci.yml"}
    assert {p.category for p in info.places} == {"environment file", "CI configuration"}
    assert set(info.variables) == {
        "SCW_ACCESS_KEY",
        "SCW_SECRET_KEY",
        "SCALEWAY_ACCESS_KEY",
        "SCALEWAY_SECRET_KEY",
    }
    guide = finding_guide(finding, catalog, info)
    for fmt in ("md", "text", "json"):
        out = render([guide], fmt)
        for name in ("SCW_ACCESS_KEY", "SCW_SECRET_KEY", "SCALEWAY_ACCESS_KEY", "SCALEWAY_SECRET_KEY"):
            assert name in out, (fmt, name)
        assert str(tmp_path / ".env") in out
        assert str(tmp_path / "ci.yml") in out
        assert SECRET not in out  # a guide never prints the secret
    markdown = render([guide], "md")
    assert "CI configuration holds it" in markdown
    assert "Where it was found (2)" in markdown


def test_finding_guide_shows_commit_provenance(catalog: Catalog) -> None:
    commit = CommitProvenance(
        path="deploy/.env", commit="0123456789abcdef" * 2 + "01234567", author_name="Ada",
        author_email="ada@example.com",
        date="2024-03-01T10:00:00+00:00", subject="add deploy config",
    )  # fmt: skip
    occurrence = Occurrence(commit, Location(3, 16, 3, 52), "b" * 40)
    finding = Finding(
        "scaleway.api_key",
        SECRET,
        Confidence.HIGH,
        {"access_key": ACCESS, "secret_key": SECRET},
        [occurrence],
    )
    info = finding_info(finding, texts={f"{commit.commit}:deploy/.env": DOTENV})
    assert info.first_seen == "2024-03-01T10:00:00+00:00"
    (place,) = info.places
    assert (place.commit, place.author, place.variables) == (
        commit.commit,
        "Ada <ada@example.com>",
        ("SCW_ACCESS_KEY", "SCW_SECRET_KEY"),
    )
    markdown = render([finding_guide(finding, catalog, info)], "md")
    assert "`0123456789ab`" in markdown
    assert "Ada" in markdown
    assert "in git history" in markdown
    assert "Search from 2024-03-01T10:00:00+00:00" in markdown


def test_related_findings_share_a_value(tmp_path: Path, catalog: Catalog) -> None:
    write(tmp_path / "keys.py", f'SCW_ACCESS_KEY = "{ACCESS}"\n')
    finding, texts, pool = _scan_pair(tmp_path)
    alone = [f for f in pool if f.rule_id == "scaleway.access_key"]
    assert alone, [f.rule_id for f in pool]
    info = finding_info(finding, texts=texts, pool=pool)
    assert [(r.rule_id, r.certain) for r in info.related] == [("scaleway.access_key", True)]


# --- the CLI --------------------------------------------------------------------------------------


def test_guide_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "guide", "scaleway.api_key", "--format", "md")
    assert code == 0
    assert out.startswith("# My Scaleway API key")
    code, out, _ = run(capsys, "guide", "alibaba", "--format", "md", "--lang", "go", "--platform", "vault")
    assert code == 0
    assert "# My Alibaba Cloud AccessKey pair leaked" in out
    assert out.count("```go") == 1
    assert "```python" not in out
    code, out, _ = run(capsys, "guide", "scalr.api_token")
    assert code == 0
    assert "\x1b[" not in out
    assert "SCALR_TOKEN" in out
    code, out, _ = run(capsys, "guide", "scalr.api_token", "--format", "json")
    assert json.loads(out)["guides"][0]["completeness"]["status"] == "complete"


def test_guide_list(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "guide", "--list", "--format", "json")
    rows = {row["rule_id"]: row for row in json.loads(out)}
    assert code == 0
    assert set(rows) == {r.id for r in load_catalog().rules}
    assert rows["packagecloud.api_token"]["status"] == "complete"
    code, out, _ = run(capsys, "guide", "--list", "scaleway")
    assert code == 0
    assert len(out.splitlines()) == 3
    assert "complete" in out


def test_guide_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "guide", "no.such_rule")[0] == 2
    assert run(capsys, "guide")[0] == 2


def test_scan_json_carries_remediation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".env", DOTENV)
    code, out, _ = run(capsys, "scan", "path", str(tmp_path), "--format", "json")
    assert code == 1
    (finding,) = json.loads(out)["findings"]
    remediation = finding["remediation"]
    assert remediation["revoke_url"] == "https://console.scaleway.com/iam/api-keys"
    assert remediation["guide"] == "leakwarden guide scaleway.api_key"
    assert remediation["finding_guide"].startswith("leakwarden remediate --report ")
    assert remediation["guide_status"] == "complete"
    assert len(remediation["first_steps"]) >= 3


def test_remediate_command_from_a_redacted_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "src" / ".env", DOTENV)
    write(tmp_path / "src" / "ci.yml", CI_YML)
    report = tmp_path / "report.json"
    assert run(capsys, "scan", "path", str(tmp_path / "src"), "--format", "json", "-o", str(report))[0] == 1
    fingerprint = json.loads(report.read_text())["findings"][0]["fingerprint"]
    code, out, _ = run(capsys, "remediate", "--report", str(report), fingerprint[:10], "--format", "md")
    assert code == 0
    for name in (
        "SCW_ACCESS_KEY",
        "SCW_SECRET_KEY",
        "SCALEWAY_ACCESS_KEY",
        "SCALEWAY_SECRET_KEY",
        ".env",
        "ci.yml",
    ):
        assert name in out, name
    assert SECRET not in out
    assert fingerprint in out
    code, out, _ = run(capsys, "remediate", "--report", str(report), "--format", "json", "--lang", "python")
    (guide,) = json.loads(out)["guides"]
    assert guide["finding"]["fingerprint"] == fingerprint
    assert len(guide["finding"]["places"]) == 2


def test_remediate_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path / "bad.json", "{not json")
    assert run(capsys, "remediate", "--report", str(bad))[0] == 2
    empty = write(tmp_path / "empty.json", json.dumps({"findings": []}))
    assert run(capsys, "remediate", "--report", str(empty))[0] == 0
    assert run(capsys, "remediate", "--report", str(empty), "abcdef0123")[0] == 2
    occurrence = {"path": "x", "kind": "file", "line": 1, "column": 1}
    unknown = {"findings": [{"fingerprint": "f" * 40, "rule_id": "acme.token", "occurrences": [occurrence]}]}
    assert run(capsys, "remediate", "--report", str(write(tmp_path / "u.json", json.dumps(unknown))))[0] == 2


def test_report_findings_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / ".env", DOTENV)
    _, out, _ = run(capsys, "scan", "path", str(tmp_path), "--format", "json", "--show-secrets")
    (item,) = report_findings(json.loads(out))
    assert not item.redacted
    assert item.finding.parts == {"access_key": ACCESS, "secret_key": SECRET}
    assert item.finding.fingerprint == item.fingerprint
    assert isinstance(item.finding.occurrences[0].provenance, FileProvenance)


def test_first_steps_check_the_logs_before_acting_on_them(catalog: Catalog) -> None:
    from leakwarden.remediate import first_steps

    steps = first_steps(catalog["scaleway.api_key"])
    check = next(i for i, s in enumerate(steps) if s.startswith("Check for use by someone else"))
    act = next(i for i, s in enumerate(steps) if s.startswith("If the logs show someone else"))
    assert check < act
    assert check == 0


@pytest.mark.parametrize(
    "rule_id",
    ["private_key.rsa", "private_key.ec", "private_key.pkcs8", "private_key.openssh", "private_key.putty"],
)
def test_a_private_key_is_revoked_where_it_is_trusted_not_at_a_manual_page(
    catalog: Catalog, rule_id: str
) -> None:
    playbook = catalog[rule_id].playbook
    assert playbook.revoke_url == ""
    assert "authorized_keys" in playbook.revoke_where
    assert playbook.revoke_at == playbook.revoke_where
    text = render([rule_guide(catalog[rule_id], catalog)], "md")
    assert "Revoke it" in text
    assert "man.openbsd.org/ssh-keygen#KEY_REVOCATION_LISTS" not in text
    if rule_id in ("private_key.rsa", "private_key.pkcs8"):
        assert "the CA revoke every certificate" in playbook.revoke_where


def test_the_text_report_points_a_private_key_at_where_it_is_trusted(
    catalog: Catalog, tmp_path: Path
) -> None:
    import base64
    import random

    der = b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00" + random.Random(3).randbytes(1180)
    body = "\n".join(base64.b64encode(der).decode()[i : i + 64] for i in range(0, 1596, 64))
    write(tmp_path / "id_rsa", f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\n")
    report = tmp_path / "out.txt"
    assert main(["scan", "path", str(tmp_path / "id_rsa"), "-o", str(report), "--no-baseline"]) == 1
    assert "revoke it wherever its public half is trusted: delete its line from every" in report.read_text()
