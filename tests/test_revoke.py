"""Revocation through the provider's API: `revoke` blocks as rule data (linted like checks), the
requests the founding types and the others send (answered by transports shaped like the
providers' documented answers), and `leakwarden revoke`'s confirmation, dry run and outcomes."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import io
import json
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest

import leakwarden.net
from leakwarden.cli.main import main
from leakwarden.errors import RuleError
from leakwarden.matching.engine import PythonEngine
from leakwarden.net import Net, NetSettings
from leakwarden.rules.catalog import Catalog, RuleFile, build_catalog, builtin_files
from leakwarden.rules.verify_schema import host_allowed
from leakwarden.verify import CheckPlan, values_for
from leakwarden.verify.revoke import RevokeStatus, plan_revoke, revoke
from tests.fix_support import Fakes


def net_with(handler: httpx.MockTransport | None = None) -> Net:
    return Net(NetSettings(retries=0), transport=handler, sleep=lambda _s: None)  # type: ignore[arg-type]


def _revocable(catalog: Catalog) -> list[str]:
    return [r.id for r in catalog.rules if r.revoke is not None]


def test_the_founding_types_and_the_documented_apis_are_revocable(catalog: Catalog) -> None:
    ids = set(_revocable(catalog))
    assert {"scaleway.api_key", "alibaba.access_key"} <= ids
    assert {"github.personal_access_token", "gitlab.personal_access_token", "slack.bot_token"} <= ids


def test_every_revocation_plans_a_request_to_its_own_host_from_its_own_example(catalog: Catalog) -> None:
    engine = PythonEngine(catalog)
    for rule_id in _revocable(catalog):
        rule = catalog[rule_id]
        assert rule.revoke is not None
        match = next(
            m for example in rule.examples for m in engine.scan(example.encode()) if m.rule_id == rule.id
        )
        values = values_for(rule, match.secret, match.parts, match.captures)
        planned = plan_revoke(rule, values)
        assert isinstance(planned, CheckPlan), (rule.id, planned)
        host = urlsplit(planned.request.url).hostname or ""
        assert host_allowed(host, rule.revoke.request.hosts), rule.id
        assert rule.revoke.effect.endswith("."), rule.id


def test_scaleway_key_is_deleted_with_its_own_secret(catalog: Catalog) -> None:
    access, secret = Fakes(seed=21).scaleway()
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    rule = catalog["scaleway.api_key"]
    values = values_for(rule, secret, {"access_key": access, "secret_key": secret})
    outcome = revoke(rule, values, net_with(httpx.MockTransport(handle)))
    assert outcome.status == RevokeStatus.REVOKED
    assert seen[0].method == "DELETE"
    assert str(seen[0].url) == f"https://api.scaleway.com/iam/v1alpha1/api-keys/{access}"
    assert seen[0].headers["X-Auth-Token"] == secret


def test_alibaba_pair_deactivates_itself_with_a_valid_signature(catalog: Catalog) -> None:
    key_id, secret = Fakes(seed=22).alibaba()
    queries: list[dict[str, str]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        query = dict(parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True))
        queries.append(dict(query))
        signature = query.pop("Signature")
        canonical = "&".join(
            f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items())
        )
        to_sign = "GET&%2F&" + quote(canonical, safe="-_.~")
        expected = base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest())
        if signature != expected.decode():
            return httpx.Response(400, json={"Code": "SignatureDoesNotMatch"})
        return httpx.Response(200, json={"RequestId": "04F0F334-1335-436C-A1D7-6C044FE73368"})

    rule = catalog["alibaba.access_key"]
    values = values_for(rule, secret, {"access_key_id": key_id, "access_key_secret": secret})
    outcome = revoke(rule, values, net_with(httpx.MockTransport(handle)))
    assert outcome.status == RevokeStatus.REVOKED, outcome
    assert outcome.host == "ims.aliyuncs.com"
    assert queries[0]["Action"] == "UpdateAccessKey"
    assert queries[0]["UserAccessKeyId"] == key_id
    assert queries[0]["Status"] == "Inactive"
    assert rule.revoke is not None
    assert rule.revoke.reversible


def test_github_revocation_is_unauthenticated_and_carries_the_token_in_the_body(catalog: Catalog) -> None:
    token = Fakes(seed=23).github_pat()
    bodies: list[dict[str, object]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers
        bodies.append(json.loads(request.content))
        return httpx.Response(202)

    rule = catalog["github.personal_access_token"]
    outcome = revoke(rule, values_for(rule, token), net_with(httpx.MockTransport(handle)))
    assert outcome.status == RevokeStatus.REVOKED
    assert bodies == [{"credentials": [token]}]
    refused = revoke(
        rule, values_for(rule, token), net_with(httpx.MockTransport(lambda r: httpx.Response(422)))
    )
    assert refused.status == RevokeStatus.REFUSED


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ({"ok": True, "revoked": True}, RevokeStatus.REVOKED),
        ({"ok": False, "error": "invalid_auth"}, RevokeStatus.REFUSED),
        ({"ok": True, "revoked": False}, RevokeStatus.UNKNOWN),
    ],
)
def test_slack_reads_the_answer_not_the_status(
    catalog: Catalog, answer: dict[str, object], status: str
) -> None:
    rule = catalog["slack.bot_token"]
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=answer))
    assert revoke(rule, values_for(rule, "xoxb-1-2-abc"), net_with(transport)).status == status


def test_gitlab_forbidden_and_network_failure_are_outcomes_not_crashes(catalog: Catalog) -> None:
    rule = catalog["gitlab.personal_access_token"]
    values = values_for(rule, "glpat-" + "a1B2c3D4e5F6g7H8i9J0")
    forbidden = revoke(rule, values, net_with(httpx.MockTransport(lambda r: httpx.Response(403))))
    assert forbidden.status == RevokeStatus.FORBIDDEN
    assert "use the console" in forbidden.reason

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    assert revoke(rule, values, net_with(httpx.MockTransport(down))).status == RevokeStatus.ERROR


def test_a_type_without_a_revocation_api_says_where_to_revoke_it(catalog: Catalog) -> None:
    planned = plan_revoke(catalog["stripe.secret_key"], {"secret": "sk_live_x"})
    assert not isinstance(planned, CheckPlan)
    assert planned.status == RevokeStatus.NOT_REVOCABLE
    assert "https://dashboard.stripe.com/apikeys" in planned.reason


# --- the schema and the linter -----------------------------------------------------------------

ACME = """
provider: acme
provider_name: Acme
rules:
  - id: acme.token
    name: Acme token
    category: saas
    confidence: high
    pattern: '\\b(?P<secret>acme_[a-z0-9]{24})\\b'
    keywords: [acme_]
    references: [https://acme.example/docs]
    examples: ['ACME_TOKEN=acme_k3j4h5g6f7d8s9a0q1w2e3r4']
    playbook: {what: An Acme token., revoke_url: 'https://acme.example/tokens', logs: Acme audit log.}
    revoke:
      hosts: [api.acme.example]
      request: {method: DELETE, url: 'URL', headers: {Authorization: 'Bearer {{ secret }}'}}
      done: [{status: 204}]
      refused: [{status: 401}]
      effect: EFFECT
"""


def _acme(
    url: str = "https://api.acme.example/v1/tokens/self", effect: str = "Deletes the token."
) -> Catalog:
    text = ACME.replace("URL", url).replace("EFFECT", effect or "''")
    return build_catalog([*builtin_files(), RuleFile("acme.yaml", text.encode())])


def test_a_revoke_block_must_say_what_it_does() -> None:
    with pytest.raises(RuleError, match=r"revoke\.effect"):
        _acme(effect="")


def test_a_check_may_not_delete() -> None:
    bad = ACME.replace("    revoke:", "    verify:").replace("done:", "live:").replace("refused:", "dead:")
    bad = bad.replace("      effect: EFFECT\n", "").replace("URL", "https://api.acme.example/v1/me")
    with pytest.raises(RuleError, match=r"verify\.request\.method"):
        build_catalog([*builtin_files(), RuleFile("acme.yaml", bad.encode())])


def test_rules_check_refuses_a_revocation_to_another_host() -> None:
    from leakwarden.lint import verify_problems

    catalog = _acme("https://collector.example/v1/tokens")
    problems = [str(p) for p in verify_problems(catalog["acme.token"], catalog)]
    assert any("revoke.request.url" in p and "not among revoke.hosts" in p for p in problems)
    assert list(verify_problems(_acme()["acme.token"], _acme())) == []


# --- the command -------------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def scaleway_api(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    monkeypatch.setattr(leakwarden.net, "Net", functools.partial(Net, transport=httpx.MockTransport(handle)))
    return sent


def test_revoke_asks_for_the_provider_name_and_then_sends(
    scaleway_api: list[httpx.Request], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    access, secret = Fakes(seed=31).scaleway()
    monkeypatch.setattr("sys.stdin", Terminal("aws\n"))
    assert main(["revoke", "scaleway.access_key", access, "--partner", secret]) == 1
    assert scaleway_api == []
    assert "Not confirmed: nothing was sent" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", Terminal("scaleway\n"))
    assert main(["revoke", "scaleway.access_key", access, "--partner", secret]) == 0
    out = capsys.readouterr().out
    assert "REVOKED" in out
    assert secret not in out
    assert len(scaleway_api) == 1

    # What a check would now say is known without asking: dead, revoked by us.
    assert main(["verify", "scaleway.access_key", access, "--partner", secret, "--format", "json"]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["status"] == "dead"
    assert verdict["cached"] is True
    assert "revoked with leakwarden revoke" in verdict["reason"]
    assert len(scaleway_api) == 1


def test_revoke_without_a_terminal_needs_yes(
    scaleway_api: list[httpx.Request], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    access, secret = Fakes(seed=32).scaleway()
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["revoke", "scaleway.access_key", access, "--partner", secret]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert scaleway_api == []
    assert main(["revoke", "scaleway.access_key", access, "--partner", secret, "--yes"]) == 0
    assert len(scaleway_api) == 1


def test_revoke_dry_run_sends_nothing(
    scaleway_api: list[httpx.Request], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    access, secret = Fakes(seed=33).scaleway()
    assert main(["revoke", "scaleway.api_key", access, "--partner", secret, "--dry-run"]) == 0
    captured = capsys.readouterr()
    assert f"DELETE https://api.scaleway.com/iam/v1alpha1/api-keys/{access[:4]}****" in captured.out
    assert secret not in captured.out
    assert access not in captured.out
    assert "effect  Deletes the API key" in captured.out
    assert "nothing was sent" in captured.err
    assert scaleway_api == []


def test_revoke_of_a_type_without_an_api_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["revoke", "stripe.secret_key", "sk_live_" + "a1B2c3D4" * 3, "--yes"]) == 2
    assert "no revocation API: revoke it at https://dashboard.stripe.com/apikeys" in capsys.readouterr().err


def test_the_guide_offers_the_command_where_it_exists(catalog: Catalog) -> None:
    from leakwarden.remediate import render, rule_guide

    text = render([rule_guide(catalog["scaleway.api_key"], catalog)], "md")
    assert "leakwarden revoke scaleway.api_key" in text
    assert "leakwarden revoke" not in render([rule_guide(catalog["stripe.secret_key"], catalog)], "md")
