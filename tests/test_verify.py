"""Live checks, offline: requests are planned from the rules' data, signed as the providers
document, confined to the rules' hosts, and judged from answers shaped like the providers'
(served by an injected transport that checks what it receives, signatures included)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Callable
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest

from leakwarden.matching.engine import PythonEngine
from leakwarden.model import VerdictStatus
from leakwarden.net import Net, NetSettings, Response
from leakwarden.rules.catalog import Catalog
from leakwarden.rules.schema import Rule
from leakwarden.rules.verify_schema import Condition, VerifySpec, host_allowed
from leakwarden.verify import CheckPlan, check, judge, plan_check, values_for
from leakwarden.verify.signing import alibaba_rpc_v1
from tests.fix_support import Fakes

NOW = dt.datetime(2026, 12, 4, 12, 0, 0, tzinfo=dt.UTC)


def fixed_now() -> dt.datetime:
    return NOW


def net_for(
    handler: Callable[[httpx.Request], httpx.Response], **settings: object
) -> tuple[Net, list[float]]:
    slept: list[float] = []
    net = Net(NetSettings(**settings), transport=httpx.MockTransport(handler), sleep=slept.append)  # type: ignore[arg-type]
    return net, slept


# --- signatures ---------------------------------------------------------------------------------


def test_alibaba_signature_matches_the_documented_worked_example() -> None:
    """Alibaba's RPC signature documentation: DescribeRegions with AccessKey secret `testsecret`."""
    params = {
        "AccessKeyId": "testid",
        "Action": "DescribeRegions",
        "Format": "XML",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf",
        "SignatureVersion": "1.0",
        "Timestamp": "2016-02-23T12:46:24Z",
        "Version": "2014-05-26",
    }
    assert alibaba_rpc_v1("GET", params, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY="


def _alibaba_server(
    secret: str, known_id: str, calls: list[dict[str, str]]
) -> Callable[[httpx.Request], httpx.Response]:
    """STS as documented: recompute the signature from the query and answer like GetCallerIdentity."""

    def handle(request: httpx.Request) -> httpx.Response:
        query = dict(parse_qsl(urlsplit(str(request.url)).query, keep_blank_values=True))
        calls.append(query)
        signature = query.pop("Signature")
        canonical = "&".join(
            f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(query.items())
        )
        to_sign = "GET&%2F&" + quote(canonical, safe="-_.~")
        expected = base64.b64encode(
            hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
        ).decode()
        if query["AccessKeyId"] != known_id:
            return httpx.Response(
                404,
                json={"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."},
            )
        if signature != expected:
            return httpx.Response(
                400, json={"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
            )
        return httpx.Response(
            200,
            json={
                "AccountId": "1234567890123456",
                "UserId": "216959339000654321",
                "PrincipalId": "216959339000654321",
                "IdentityType": "RAMUser",
                "Arn": "acs:ram::1234567890123456:user/deploy-bot",
                "RequestId": "2C9BE469-4A35-44D5-9529-CAA280B11603",
            },
        )

    return handle


def test_alibaba_pair_is_signed_and_names_its_principal(catalog: Catalog) -> None:
    key_id, secret = Fakes(41).alibaba()
    calls: list[dict[str, str]] = []
    net, _ = net_for(_alibaba_server(secret, key_id, calls))
    rule = catalog["alibaba.access_key"]
    live = check(rule, values_for(rule, secret, {"access_key_id": key_id, "access_key_secret": secret}), net)
    assert live.status == VerdictStatus.LIVE
    assert live.identity["arn"] == "acs:ram::1234567890123456:user/deploy-bot"
    assert live.identity["account"] == "1234567890123456"
    assert calls[0]["Action"] == "GetCallerIdentity"
    assert secret not in json.dumps(calls)  # the secret signs; it is never sent
    wrong = check(
        rule, values_for(rule, secret, {"access_key_id": key_id, "access_key_secret": secret[::-1]}), net
    )
    assert wrong.status == VerdictStatus.DEAD
    unknown = check(
        rule, values_for(rule, secret, {"access_key_id": "LTAI" + "q" * 20, "access_key_secret": secret}), net
    )
    assert unknown.status == VerdictStatus.DEAD


def test_aws_pair_is_signed_by_botocore(catalog: Catalog) -> None:
    rule = catalog["aws.access_key"]
    values = values_for(
        rule, "s" * 40, {"access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "s" * 40}
    )
    planned = plan_check(rule, values, now=fixed_now)
    assert isinstance(planned, CheckPlan)
    headers = dict(planned.request.headers)
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/")
    assert "/us-east-1/sts/aws4_request" in headers["Authorization"]
    assert "s" * 40 not in json.dumps(headers)
    assert planned.request.body == b"Action=GetCallerIdentity&Version=2011-06-15"


# --- every check in the catalogue ----------------------------------------------------------------


def _checked_rules(catalog: Catalog) -> list[Rule]:
    """The rules whose check is sent (a `kind: private_key` check is judged offline)."""
    return [r for r in catalog.rules if isinstance(r.verify, VerifySpec)]


def test_the_founding_types_and_the_most_leaked_carry_checks(catalog: Catalog) -> None:
    ids = {r.id for r in _checked_rules(catalog)}
    assert {"scaleway.api_key", "alibaba.access_key", "scalr.api_token", "packagecloud.api_token"} <= ids
    assert {"aws.access_key", "github.personal_access_token", "slack.bot_token", "stripe.secret_key"} <= ids


def test_every_check_plans_a_request_to_its_own_host_from_its_own_example(catalog: Catalog) -> None:
    engine = PythonEngine(catalog)
    for rule in _checked_rules(catalog):
        spec = rule.verify
        assert spec is not None
        match = next(
            m for example in rule.examples for m in engine.scan(example.encode()) if m.rule_id == rule.id
        )
        context = dict.fromkeys(spec.needs, "acme")
        values = values_for(rule, match.secret, match.parts, match.captures, context)
        planned = plan_check(rule, values, now=fixed_now, nonce=lambda: "nonce")
        assert isinstance(planned, CheckPlan), (rule.id, planned)
        url = urlsplit(planned.request.url)
        assert url.scheme == "https", rule.id
        assert host_allowed(url.hostname or "", spec.hosts), rule.id
        for value in planned.secrets:
            assert value not in (url.hostname or ""), rule.id


# --- the founding types, against answers shaped like the providers' ------------------------------


def test_scaleway_key_names_its_bearer_and_project(catalog: Catalog) -> None:
    access, secret = Fakes(42).scaleway()

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "api.scaleway.com"
        assert request.url.path == f"/iam/v1alpha1/api-keys/{access}"
        if request.headers.get("x-auth-token") != secret:
            return httpx.Response(
                401, json={"message": "authentication is denied", "type": "denied_authentication"}
            )
        return httpx.Response(
            200,
            json={
                "access_key": access,
                "application_id": "9f1c1a2e-0b6e-4f5e-8d7e-3f6f0c4a1b2c",
                "default_project_id": "6a1f1f9b-5a2d-4c3e-9c11-2f1c9e7d8b10",
                "description": "ci deploy",
                "expires_at": None,
            },
        )

    net, _ = net_for(handle)
    rule = catalog["scaleway.api_key"]
    live = check(rule, values_for(rule, secret, {"access_key": access, "secret_key": secret}), net)
    assert live.status == VerdictStatus.LIVE
    assert live.identity == {
        "application": "9f1c1a2e-0b6e-4f5e-8d7e-3f6f0c4a1b2c",
        "project": "6a1f1f9b-5a2d-4c3e-9c11-2f1c9e7d8b10",
        "description": "ci deploy",
    }
    dead = check(rule, values_for(rule, "x", {"access_key": access, "secret_key": "x" * 36}), net)
    assert dead.status == VerdictStatus.DEAD


def test_packagecloud_token_is_the_basic_user(catalog: Catalog) -> None:
    token = Fakes(43).packagecloud()

    def handle(request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(f"{token}:".encode()).decode()
        if request.headers.get("authorization") != expected:
            return httpx.Response(401, json={"error": "Unauthenticated"})
        return httpx.Response(200, json=[{"name": "prod", "fqname": "acme/prod", "private": True}])

    net, _ = net_for(handle)
    rule = catalog["packagecloud.api_token"]
    live = check(rule, values_for(rule, token), net)
    assert (live.status, live.identity) == (VerdictStatus.LIVE, {"repository": "acme/prod"})
    assert check(rule, values_for(rule, "0" + token[1:]), net).status == VerdictStatus.DEAD


def test_scalr_needs_its_account_host_and_uses_it(catalog: Catalog) -> None:
    token = Fakes(44).scalr()
    rule = catalog["scalr.api_token"]
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        ok = request.headers.get("authorization") == f"Bearer {token}"
        return httpx.Response(200 if ok else 401, json={"data": []})

    net, _ = net_for(handle)
    missing = check(rule, values_for(rule, token), net)
    assert missing.status == VerdictStatus.NOT_CHECKABLE
    assert "needs account" in missing.reason
    assert seen == []
    live = check(rule, values_for(rule, token, captures={"account": "acme"}), net)
    assert live.status == VerdictStatus.LIVE
    assert seen == ["acme.scalr.io"]


@pytest.mark.parametrize(
    "account",
    ["attacker.example/", "attacker.example#", "acme.scalr.io.attacker.example/x?", "a:b@evil.example/"],
)
def test_a_capture_cannot_steer_the_credential_to_another_host(catalog: Catalog, account: str) -> None:
    rule = catalog["scalr.api_token"]
    planned = plan_check(rule, values_for(rule, Fakes(45).scalr(), captures={"account": account}))
    assert not isinstance(planned, CheckPlan)
    assert planned.status == VerdictStatus.NOT_CHECKABLE
    assert "refused" in planned.reason


def test_slack_says_dead_in_a_200(catalog: Catalog) -> None:
    rule = catalog["slack.bot_token"]
    net, _ = net_for(lambda request: httpx.Response(200, json={"ok": False, "error": "invalid_auth"}))
    assert check(rule, values_for(rule, "xoxb-1-2-x"), net).status == VerdictStatus.DEAD
    net, _ = net_for(
        lambda request: httpx.Response(200, json={"ok": True, "team": "Acme", "user": "deploybot"})
    )
    live = check(rule, values_for(rule, "xoxb-1-2-x"), net)
    assert (live.status, live.identity["team"]) == (VerdictStatus.LIVE, "Acme")


def test_forbidden_is_live_with_narrower_rights_and_headers_are_extracted(catalog: Catalog) -> None:
    rule = catalog["github.personal_access_token"]
    net, _ = net_for(
        lambda r: httpx.Response(
            200, json={"login": "octo", "id": 7}, headers={"X-OAuth-Scopes": "repo, read:org"}
        )
    )
    live = check(rule, values_for(rule, "ghp_x"), net)
    assert live.identity == {"login": "octo", "user_id": "7", "scopes": "repo, read:org"}
    net, _ = net_for(lambda r: httpx.Response(403, json={"message": "Resource not accessible"}))
    forbidden = check(rule, values_for(rule, "ghp_x"), net)
    assert forbidden.status == VerdictStatus.LIVE
    assert "narrower rights" in forbidden.reason


# --- what the network and a lying server do ------------------------------------------------------


def test_rate_limit_with_retry_after_is_honoured_then_succeeds(catalog: Catalog) -> None:
    answers = iter(
        [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200, json={"login": "octo"})]
    )
    net, slept = net_for(lambda r: next(answers), per_host_per_s=0)
    verdict = check(catalog["github.personal_access_token"], {"secret": "ghp_x"}, net)
    assert verdict.status == VerdictStatus.LIVE
    assert slept == [3.0]


def test_server_errors_are_retried_then_reported_unknown(catalog: Catalog) -> None:
    net, slept = net_for(lambda r: httpx.Response(503), retries=2, backoff_s=0.25, per_host_per_s=0)
    verdict = check(catalog["npm.access_token"], {"secret": "npm_x"}, net)
    assert verdict.status == VerdictStatus.UNKNOWN
    assert "HTTP 503" in verdict.reason
    assert slept == [0.25, 0.5]
    assert len(net.sent) == 3


def test_a_long_retry_after_is_not_waited_for(catalog: Catalog) -> None:
    net, slept = net_for(lambda r: httpx.Response(429, headers={"Retry-After": "3600"}), per_host_per_s=0)
    verdict = check(catalog["npm.access_token"], {"secret": "npm_x"}, net)
    assert verdict.status == VerdictStatus.UNKNOWN
    assert "rate limiting" in verdict.reason
    assert slept == []


def test_timeouts_and_malformed_json_lose_nothing(catalog: Catalog) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    net, _ = net_for(slow, retries=1, per_host_per_s=0)
    verdict = check(catalog["npm.access_token"], {"secret": "npm_x"}, net)
    assert verdict.status == VerdictStatus.ERROR
    assert "no answer from registry.npmjs.org" in verdict.reason
    assert "npm_x" not in verdict.reason
    net, _ = net_for(lambda r: httpx.Response(200, content=b"{not json"), per_host_per_s=0)
    garbled = check(catalog["npm.access_token"], {"secret": "npm_x"}, net)
    assert (garbled.status, garbled.identity) == (VerdictStatus.LIVE, {})


def test_a_redirect_to_another_host_is_not_followed(catalog: Catalog) -> None:
    hosts: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(302, headers={"Location": "https://collector.example/steal"})

    net, _ = net_for(handle)
    verdict = check(catalog["openai.project_api_key"], {"secret": "sk-proj-x"}, net)
    assert verdict.status == VerdictStatus.UNKNOWN
    assert "not followed" in verdict.reason
    assert hosts == ["api.openai.com"]


def test_per_host_rate_limit_spaces_requests() -> None:
    clock = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds

    net = Net(
        NetSettings(per_host_per_s=2.0),
        transport=httpx.MockTransport(lambda r: httpx.Response(200)),
        sleep=sleep,
        clock=lambda: clock[0],
    )
    from leakwarden.net import Request

    for _ in range(5):
        net.send(Request("GET", "https://api.example.com/x"))
    net.send(Request("GET", "https://other.example.com/x"))
    assert slept == [0.5, 0.5, 0.5, 0.5]  # four waits for one host, none for the other


def test_a_slow_answer_cannot_squeeze_more_than_the_limit_into_one_second_at_the_host() -> None:
    """Spacing at the sender is not enough: a request answered late may have arrived late. The
    limiter counts answers within the last second too, so the host never sees rate + 1 in one."""
    clock = [0.0]
    sent_at: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock[0])
        if len(sent_at) == 1:
            clock[0] += 0.9  # the first answer takes 0.9 s (a slow handshake, a busy proxy)
        return httpx.Response(200)

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    net = Net(
        NetSettings(per_host_per_s=2.0),
        transport=httpx.MockTransport(handle),
        sleep=sleep,
        clock=lambda: clock[0],
    )
    from leakwarden.net import Request

    for _ in range(3):
        net.send(Request("GET", "https://api.example.com/x"))
    # Spacing alone would send the third at 1.4 s, within a second of the first's possible arrival.
    assert sent_at == [0.0, 0.9, 1.9]


def test_plain_http_is_refused() -> None:
    from leakwarden.net import NetError, Request

    net, _ = net_for(lambda r: httpx.Response(200))
    with pytest.raises(NetError, match="only https"):
        net.send(Request("GET", "http://api.example.com/"))


# --- the linter's safety rules ------------------------------------------------------------------

ACME = """provider: acme
provider_name: Acme
rules:
  - id: acme.token
    name: Acme token
    category: saas
    confidence: high
    pattern: '\\b(?P<secret>acme_[a-z0-9]{{24}})\\b'
    keywords: [acme_]
    references: ['https://acme.example/docs/tokens']
    examples: ['ACME_TOKEN=acme_k3j5h7g9f1d3s5a7p9o1i3u5']
    verify:
      hosts: [api.acme.example]
      request:
        url: '{url}'
        headers: {{Authorization: 'Bearer {{{{ secret }}}}'}}
      live: [{{status: 200}}]
      dead: [{{status: 401}}]
"""


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://api.acme.example/v1/me", None),
        ("http://api.acme.example/v1/me", "must be an https URL"),
        ("https://collector.example/v1/me", "is not among verify.hosts"),
        ("https://{{ secret }}.acme.example/v1/me", "into the host"),
        ("https://api.acme.example/v1/{{ tenant }}", "unknown value 'tenant'"),
    ],
)
def test_rules_check_refuses_unsafe_checks(tmp_path: object, url: str, problem: str | None) -> None:
    from pathlib import Path

    from leakwarden.lint import verify_problems
    from leakwarden.rules.catalog import load_catalog

    path = Path(str(tmp_path)) / "acme.yaml"
    path.write_text(ACME.format(url=url))
    catalog = load_catalog([path])
    problems = [str(p) for p in verify_problems(catalog["acme.token"], catalog)]
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_a_malformed_verify_block_names_the_field(tmp_path: object) -> None:
    from pathlib import Path

    from leakwarden.errors import RuleError
    from leakwarden.rules.catalog import load_catalog

    path = Path(str(tmp_path)) / "acme.yaml"
    path.write_text(
        ACME.format(url="https://api.acme.example/").replace("dead: [{status: 401}]", "dead: [{status: 999}]")
    )
    with pytest.raises(RuleError, match=r"verify\.dead\[0\]\.status"):
        load_catalog([path])


def test_cli_dry_run_redacts_and_reads_the_secret_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from leakwarden.cli.main import main

    token = Fakes(46).packagecloud()
    monkeypatch.setattr("sys.stdin", io.StringIO(token + "\n"))
    code = main(["verify", "packagecloud.api_token", "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("GET https://packagecloud.io/api/v1/repos")
    assert "Authorization: Basic " in out
    assert token not in out
    assert main(["verify", "scaleway.secret_key", "eb9bff35-ec2b-4bb4-ba81-d752c751e3de"]) == 0
    assert "half of scaleway.api_key" in capsys.readouterr().out
    assert main(["verify", "scalway.api_key", "x"]) == 2
    assert "(nearest: scaleway.api_key" in capsys.readouterr().err


def _answer(condition: Condition) -> Response:
    """The plainest answer a condition describes: its first status, its JSON, its words."""
    document: dict[str, object] = {}
    for path, value in condition.json:
        node = document
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})  # type: ignore[assignment]
        node[last] = value
    if condition.words:
        document["message"] = " ".join(condition.words)
    body = json.dumps(document).encode() if document else b""
    return Response(condition.status[0] if condition.status else 200, {}, body)


def test_every_check_tells_its_own_live_and_dead_answers_apart(catalog: Catalog) -> None:
    """A check whose dead conditions also match its live answer (or the reverse) would report
    every key dead, or every key live: each described answer must get its own verdict."""
    for rule in _checked_rules(catalog):
        spec = rule.verify
        assert spec is not None
        for condition in spec.live:
            verdict = judge(spec, _answer(condition), "host", "now")
            assert verdict.status == VerdictStatus.LIVE, (rule.id, condition, verdict.reason)
        for condition in spec.dead:
            assert judge(spec, _answer(condition), "host", "now").status == VerdictStatus.DEAD, (
                rule.id,
                condition,
            )
        for condition in spec.forbidden:
            verdict = judge(spec, _answer(condition), "host", "now")
            assert (verdict.status, "narrower" in verdict.reason) == (VerdictStatus.LIVE, True), rule.id


def test_verdicts_are_cached_without_the_secret_dead_longer_than_live(tmp_path: object) -> None:
    from pathlib import Path

    from leakwarden.model import Verdict
    from leakwarden.verify.cache import VerdictCache, cache_key

    now = [1000.0]
    cache = VerdictCache(Path(str(tmp_path)), clock=lambda: now[0], live_ttl_s=60, dead_ttl_s=600)
    live_key = cache_key("npm.access_token", {"secret": "npm_live_value"})
    dead_key = cache_key("npm.access_token", {"secret": "npm_dead_value"})
    cache.put(live_key, Verdict(VerdictStatus.LIVE, "ok", "t", "registry.npmjs.org", 200, {"user": "octo"}))
    cache.put(dead_key, Verdict(VerdictStatus.DEAD, "refused", "t", "registry.npmjs.org", 401))
    cache.put(cache_key("npm.access_token", {"secret": "x"}), Verdict(VerdictStatus.UNKNOWN, "503"))
    stored = [p.read_text() for p in Path(str(tmp_path)).rglob("*.json")]
    assert len(stored) == 2
    assert not any("npm_live_value" in text or "npm_dead_value" in text for text in stored)
    cached = cache.get(live_key)
    assert cached is not None
    assert cached.identity == {"user": "octo"}
    now[0] += 120
    assert cache.get(live_key) is None
    assert cache.get(dead_key) is not None
    now[0] += 600
    assert cache.get(dead_key) is None
    next(Path(str(tmp_path)).rglob("*.json")).write_text("{damaged")
    assert cache.get(live_key) is None


def test_a_dry_run_never_shows_basic_credentials_in_base64(catalog: Catalog) -> None:
    from leakwarden.verify import describe

    token = "9f8e" * 12
    rule = catalog["packagecloud.api_token"]
    planned = plan_check(rule, values_for(rule, token), now=fixed_now)
    assert isinstance(planned, CheckPlan)
    shown = describe(planned)
    assert "Authorization: Basic ************" in shown
    assert base64.b64encode(f"{token}:".encode()).decode() not in shown
    assert token not in shown


# --- checks whose answers are not a plain 200 / 401 ---------------------------------------------


def _fake(seed: int, alphabet: str, length: int) -> str:
    """A fake secret in the provider's alphabet and length (never a real one)."""
    import random

    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


HEX = "0123456789abcdef"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def test_mailchimp_data_centre_comes_from_the_key_and_names_the_host(catalog: Catalog) -> None:
    key = _fake(51, HEX, 32) + "-us14"
    rule = catalog["mailchimp.api_key"]
    match = next(
        m for m in PythonEngine(catalog).scan(f"MAILCHIMP_KEY={key}".encode()) if m.rule_id == rule.id
    )
    assert match.captures == {"dc": "us14"}
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        expected = "Basic " + base64.b64encode(f"anystring:{key}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return httpx.Response(401, json={"title": "API Key Invalid", "status": 401})
        return httpx.Response(200, json={"account_id": "8d3a3db4d97663a9074efcc16", "account_name": "Acme"})

    net, _ = net_for(handle)
    live = check(rule, values_for(rule, key, captures=match.captures), net)
    assert (live.status, live.identity["account_name"]) == (VerdictStatus.LIVE, "Acme")
    assert seen == ["us14.api.mailchimp.com"]
    wrong = _fake(52, HEX, 32) + "-us14"
    assert check(rule, values_for(rule, wrong, captures={"dc": "us14"}), net).status == VerdictStatus.DEAD


def test_mandrill_key_goes_in_the_body_and_an_error_body_is_dead(catalog: Catalog) -> None:
    key = _fake(53, ALNUM + "_-", 22)
    rule = catalog["mailchimp.transactional_api_key"]

    def handle(request: httpx.Request) -> httpx.Response:
        assert request.url.host == "mandrillapp.com"
        if json.loads(request.content)["key"] != key:
            return httpx.Response(
                500, json={"status": "error", "code": -1, "name": "Invalid_Key", "message": "Invalid API key"}
            )
        return httpx.Response(200, json={"username": "ops@acme.example", "reputation": 73})

    net, _ = net_for(handle, retries=0)
    live = check(rule, values_for(rule, key), net)
    assert (live.status, live.identity["user"]) == (VerdictStatus.LIVE, "ops@acme.example")
    assert check(rule, values_for(rule, key[::-1]), net).status == VerdictStatus.DEAD


@pytest.mark.parametrize(
    ("rule_id", "answer", "expected", "narrower"),
    [
        (
            "resend.api_key",
            (401, {"name": "restricted_api_key", "statusCode": 401}),
            VerdictStatus.LIVE,
            True,
        ),
        ("resend.api_key", (403, {"name": "invalid_api_key", "statusCode": 403}), VerdictStatus.DEAD, False),
        (
            "resend.api_key",
            (400, {"name": "validation_error", "message": "API key is invalid"}),
            VerdictStatus.DEAD,
            False,
        ),
        ("xai.api_key", (200, {"name": "ci", "api_key_disabled": True}), VerdictStatus.DEAD, False),
        ("xai.api_key", (200, {"name": "ci", "api_key_disabled": False}), VerdictStatus.LIVE, False),
        (
            "zendesk.api_token",
            (200, {"user": {"id": None, "name": "Anonymous user"}}),
            VerdictStatus.DEAD,
            False,
        ),
        (
            "cloudflare.turnstile_secret_key",
            (200, {"error-codes": ["invalid-input-response"]}),
            VerdictStatus.LIVE,
            False,
        ),
        (
            "cloudflare.turnstile_secret_key",
            (200, {"error-codes": ["invalid-input-secret"]}),
            VerdictStatus.DEAD,
            False,
        ),
        (
            "etherscan.api_key",
            (200, {"status": "0", "result": "Invalid API Key (#err2)|x"}),
            VerdictStatus.DEAD,
            False,
        ),
        (
            "elevenlabs.api_key",
            (401, {"detail": {"status": "missing_permissions"}}),
            VerdictStatus.LIVE,
            True,
        ),
    ],
)
def test_answers_that_are_not_a_plain_status_get_their_verdict(
    catalog: Catalog, rule_id: str, answer: tuple[int, dict[str, object]], expected: str, narrower: bool
) -> None:
    rule = catalog[rule_id]
    assert rule.verify is not None
    status, body = answer
    verdict = judge(rule.verify, Response(status, {}, json.dumps(body).encode()), "host", "now")
    assert (verdict.status, "narrower" in verdict.reason) == (expected, narrower)


def test_s3_compatible_pairs_are_signed_by_botocore_with_the_payload_hash(catalog: Catalog) -> None:
    access = _fake(54, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 20)
    secret = _fake(55, ALNUM, 40)
    rule = catalog["wasabi.access_key_pair"]
    planned = plan_check(
        rule, values_for(rule, secret, {"access_key": access, "secret_key": secret}), now=fixed_now
    )
    assert isinstance(planned, CheckPlan)
    headers = dict(planned.request.headers)
    assert headers["Authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={access}/20261204/us-east-1/s3/")
    assert "x-amz-content-sha256" in headers["Authorization"]
    assert secret not in json.dumps(headers)
