"""`leakwarden fix` building blocks: variable names, the environment file writer, and the
refusal when the JavaScript grammars are missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from leakwarden.fix import Status, plan_fixes
from leakwarden.fix.dotenv import parse, with_entries, with_names
from leakwarden.fix.model import EnvEntry, Secret
from leakwarden.fix.names import Namer, binding_name, env_name, rule_name
from leakwarden.rules.catalog import load_catalog
from tests.conftest import write
from tests.fix_support import Fakes, snapshot


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("scw_secret_key", "SCW_SECRET_KEY"),
        ("scwSecretKey", "SCW_SECRET_KEY"),
        ("APIKeyForOSS", "API_KEY_FOR_OSS"),
        ("x-api-token", "X_API_TOKEN"),
        ("2fa.secret", "V_2FA_SECRET"),
        ("--", ""),
    ],
)
def test_env_name(identifier: str, expected: str) -> None:
    assert env_name(identifier) == expected


def test_generic_bindings_give_way_to_the_rule() -> None:
    assert binding_name("accessKeySecret") == ""
    assert binding_name("token") == ""
    assert binding_name("id") == ""
    assert binding_name("aws_access_key_id") == "AWS_ACCESS_KEY_ID"
    assert rule_name("alibaba.access_key", "access_key_secret") == "ALIBABA_CLOUD_ACCESS_KEY_SECRET"
    assert rule_name("scaleway.api_key", "access_key") == "SCW_ACCESS_KEY"
    assert rule_name("acme.deploy_token") == "ACME_DEPLOY_TOKEN"  # the generic fallback
    assert rule_name("acme.key_pair", "client_secret") == "ACME_CLIENT_SECRET"


def test_every_pair_rule_of_the_catalogue_gets_two_distinct_names() -> None:
    for rule in load_catalog().rules:
        if rule.pair is not None:
            names = {rule_name(rule.id, rule.pair.anchor_role), rule_name(rule.id, rule.pair.partner_role)}
            assert len(names) == 2, rule.id


def test_namer_reuses_values_makes_names_unique_and_forks() -> None:
    namer = Namer({"SCW_SECRET_KEY": "old-value"})
    first = Secret("value-1", "scaleway.secret_key")
    assert namer.name(first) == "SCW_SECRET_KEY_2"
    assert namer.name(first, "something_else") == "SCW_SECRET_KEY_2"
    assert namer.name(Secret("old-value", "scaleway.secret_key")) == "SCW_SECRET_KEY"
    trial = namer.fork()
    trial.name(Secret("value-3", "scaleway.secret_key"), "prod_scw_secret")
    assert [e.name for e in trial.new_entries] == ["SCW_SECRET_KEY_2", "PROD_SCW_SECRET"]
    assert [e.name for e in namer.new_entries] == ["SCW_SECRET_KEY_2"]


def test_env_writer_appends_quotes_and_never_duplicates() -> None:
    old = "# mine\nDEBUG=1\nexport TOKEN='abc'"  # no newline at the end
    entries = [
        EnvEntry("TOKEN", "other", "r"),
        EnvEntry("PLAIN", "a1b2-c3", "r"),
        EnvEntry("SPACED", "with space", "r"),
        EnvEntry("HARD", "it's $x\n", "r"),
    ]
    new = with_entries(old, entries)
    assert new.startswith(old + "\n# Added by leakwarden fix.")
    values = parse(new)
    assert {k: values[k] for k in ("DEBUG", "TOKEN", "PLAIN", "SPACED")} == {
        "DEBUG": "1",
        "TOKEN": "abc",
        "PLAIN": "a1b2-c3",
        "SPACED": "with space",
    }
    assert '\nHARD="it\'s \\$x\\n"\n' in new
    assert with_entries(old, [EnvEntry("DEBUG", "2", "r")]) == old
    assert with_names("A=\n", ["A", "B", "B"]) == "A=\nB=\n"


def test_javascript_without_grammars_is_refused_not_broken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "tree_sitter_javascript", None)  # import now fails
    key_id, secret = Fakes(80).alibaba()
    write(tmp_path / "oss.js", f"// aliyun\nconst c = {{ id: '{key_id}', secret: '{secret}' }};\n")
    before = snapshot(tmp_path)
    plan = plan_fixes([str(tmp_path)], env_file=tmp_path / ".env")
    [outcome] = plan.outcomes
    assert outcome.status == Status.BY_HAND
    assert "pip install 'leakwarden[fix]'" in outcome.reason
    assert plan.changes == []
    assert snapshot(tmp_path) == before
