"""Typed check kinds, offline: OAuth client credentials (the token request as the providers
document it, then the identity step with the issued token) and private keys (judged from the
key alone: the fingerprint `ssh-keygen -l` prints, nothing sent)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import string
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from leakwarden.errors import RuleError
from leakwarden.lint import verify_problems
from leakwarden.model import Verdict, VerdictStatus
from leakwarden.net import Net, NetSettings
from leakwarden.rules.catalog import Catalog, load_catalog
from leakwarden.rules.verify_schema import LocalCheck
from leakwarden.verify import CheckPlan, check, describe, plan_check, values_for
from leakwarden.verify.keys import key_facts, private_key_verdict, ssh_fingerprint

NOW = dt.datetime(2026, 12, 4, 12, 0, 0, tzinfo=dt.UTC)
URLSAFE = string.ascii_letters + string.digits + "-_"


def fixed_now() -> dt.datetime:
    return NOW


def _net(handler: Callable[[httpx.Request], httpx.Response]) -> Net:
    return Net(NetSettings(retries=0), transport=httpx.MockTransport(handler), sleep=lambda _s: None)


def _paypal_pair(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    return "A" + "".join(rng.choices(URLSAFE, k=79)), "E" + "".join(rng.choices(URLSAFE, k=79))


def _crowdstrike_pair(seed: int) -> tuple[str, str]:
    rng = random.Random(seed)
    alnum = string.ascii_letters + string.digits
    return "".join(rng.choices("0123456789abcdef", k=32)), "".join(rng.choices(alnum, k=40))


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"nothing may be sent, got {request.method} {request.url}")


# --- oauth_client_credentials: PayPal (HTTP Basic) ----------------------------------------------


def _paypal_server(
    client_id: str, secret: str, seen: list[httpx.Request]
) -> Callable[[httpx.Request], httpx.Response]:
    """PayPal's token endpoint as its authentication guide describes it."""

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert (request.method, request.url.host, request.url.path) == (
            "POST",
            "api-m.paypal.com",
            "/v1/oauth2/token",
        )
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        assert parse_qs(request.content.decode()) == {"grant_type": ["client_credentials"]}
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Basic" or base64.b64decode(token).decode() != f"{client_id}:{secret}":
            return httpx.Response(
                401, json={"error": "invalid_client", "error_description": "Client Authentication failed"}
            )
        return httpx.Response(
            200,
            json={
                "scope": "https://uri.paypal.com/services/invoicing openid",
                "access_token": "A21AA" + "x" * 90,
                "token_type": "Bearer",
                "app_id": "APP-80W284485P519543T",
                "expires_in": 32400,
                "nonce": "2026-12-04T12:00:00Zabc",
            },
        )

    return handle


def test_paypal_credentials_get_a_token_and_name_the_app(catalog: Catalog) -> None:
    rule = catalog["paypal.rest_api_credentials"]
    client_id, secret = _paypal_pair(1)
    seen: list[httpx.Request] = []
    values = values_for(rule, client_id, {"client_id": client_id, "client_secret": secret})
    verdict = check(rule, values, _net(_paypal_server(client_id, secret, seen)), now=fixed_now)
    assert verdict.status == VerdictStatus.LIVE, verdict.reason
    assert verdict.reason == "api-m.paypal.com issued a token (HTTP 200)"
    assert verdict.identity["app"] == "APP-80W284485P519543T"
    assert "invoicing" in verdict.identity["scope"]
    assert len(seen) == 1
    assert "A21AA" not in json.dumps(verdict.identity) + verdict.reason  # the token is not kept


def test_paypal_refusal_is_dead(catalog: Catalog) -> None:
    rule = catalog["paypal.rest_api_credentials"]
    client_id, secret = _paypal_pair(2)
    _, other_secret = _paypal_pair(3)
    values = values_for(rule, client_id, {"client_id": client_id, "client_secret": other_secret})
    verdict = check(rule, values, _net(_paypal_server(client_id, secret, [])), now=fixed_now)
    assert verdict.status == VerdictStatus.DEAD
    assert verdict.http_status == 401


def test_a_200_without_a_token_is_not_taken_for_one(catalog: Catalog) -> None:
    rule = catalog["paypal.rest_api_credentials"]
    client_id, secret = _paypal_pair(4)
    values = values_for(rule, client_id, {"client_id": client_id, "client_secret": secret})
    verdict = check(rule, values, _net(lambda _r: httpx.Response(200, json={"ok": True})), now=fixed_now)
    assert verdict.status == VerdictStatus.LIVE
    assert verdict.reason.endswith("but its answer holds no access token")


def test_dry_run_shows_the_token_request_redacted(catalog: Catalog) -> None:
    rule = catalog["paypal.rest_api_credentials"]
    client_id, secret = _paypal_pair(5)
    planned = plan_check(rule, values_for(rule, client_id, {"client_id": client_id, "client_secret": secret}))
    assert isinstance(planned, CheckPlan)
    text = describe(planned)
    assert text.startswith("POST https://api-m.paypal.com/v1/oauth2/token\n")
    assert "Authorization: Basic ************" in text
    assert "grant_type=client_credentials" in text
    assert secret not in text
    assert client_id not in text


# --- oauth_client_credentials: CrowdStrike (client in the body) ---------------------------------


def test_crowdstrike_sends_the_client_in_the_body_and_reads_its_cloud(catalog: Catalog) -> None:
    rule = catalog["crowdstrike.api_client"]
    client_id, secret = _crowdstrike_pair(6)
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        assert "authorization" not in request.headers
        form = parse_qs(request.content.decode())
        if form != {
            "grant_type": ["client_credentials"],
            "client_id": [client_id],
            "client_secret": [secret],
        }:
            return httpx.Response(403, json={"errors": [{"code": 403, "message": "access denied"}]})
        return httpx.Response(
            201,
            json={"access_token": "eyJ" + "a" * 60, "expires_in": 1799, "token_type": "bearer"},
            headers={"X-Cs-Region": "us-2"},
        )

    values = values_for(rule, client_id, {"client_id": client_id, "client_secret": secret})
    verdict = check(rule, values, _net(handle), now=fixed_now)
    assert verdict.status == VerdictStatus.LIVE, verdict.reason
    assert verdict.identity == {"cloud": "us-2", "expires_in": "1799"}
    assert seen[0].url == "https://api.crowdstrike.com/oauth2/token"
    wrong = values_for(rule, client_id, {"client_id": client_id, "client_secret": secret[::-1]})
    assert check(rule, wrong, _net(handle), now=fixed_now).status == VerdictStatus.DEAD


def test_a_secret_with_form_characters_is_percent_encoded_in_the_body(catalog: Catalog) -> None:
    rule = catalog["crowdstrike.api_client"]
    planned = plan_check(rule, {"secret": "x", "client_id": "id", "client_secret": "a&b=c+d"})
    assert isinstance(planned, CheckPlan)
    assert parse_qs(planned.request.body.decode())["client_secret"] == ["a&b=c+d"]


# --- the identity step, on a rule of one's own ----------------------------------------------------

ACME = """provider: acme
provider_name: Acme
rules:
  - id: acme.client
    name: Acme OAuth client
    category: saas
    confidence: high
    pattern: '\\bacme_client=(?P<client>[a-z0-9]{{12}}):(?P<secret>[A-Za-z0-9]{{32}})\\b'
    keywords: [acme_client]
    references: ['https://acme.example/docs/oauth']
    examples: ['acme_client=abcdef123456:{example}']
    verify:
      kind: oauth_client_credentials
      hosts: [auth.acme.example, api.acme.example]
      oauth:
        token_url: https://auth.acme.example/oauth/token
        client_id: '{{{{ client }}}}'
        client_secret: '{{{{ secret }}}}'
        scope: 'read:me'
      identity:
        url: '{identity}'
        extract: {{org: organisation.name, user: id}}
"""


def _acme(tmp_path: Path, identity: str = "https://api.acme.example/v1/me") -> tuple[Catalog, str]:
    secret = "".join(random.Random(9).choices(string.ascii_letters + string.digits, k=32))
    path = tmp_path / "acme.yaml"
    path.write_text(ACME.format(example=secret, identity=identity))
    return load_catalog([path], builtin=False), secret


def test_the_identity_step_uses_the_issued_token_once(tmp_path: Path) -> None:
    catalog, secret = _acme(tmp_path)
    rule = catalog["acme.client"]
    issued = "tok_" + "q" * 40
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "auth.acme.example":
            assert parse_qs(request.content.decode())["scope"] == ["read:me"]
            return httpx.Response(200, json={"access_token": issued, "token_type": "Bearer"})
        assert request.headers["authorization"] == f"Bearer {issued}"
        return httpx.Response(200, json={"id": "u-17", "organisation": {"name": "Acme Widgets"}})

    values = values_for(rule, secret, captures={"client": "abcdef123456"})
    verdict = check(rule, values, _net(handle), now=fixed_now)
    assert verdict.status == VerdictStatus.LIVE
    assert verdict.identity == {"org": "Acme Widgets", "user": "u-17"}
    assert [r.url.host for r in seen] == ["auth.acme.example", "api.acme.example"]
    assert issued not in verdict.reason + json.dumps(verdict.identity)
    assert list(verify_problems(rule, catalog)) == []


def test_a_failed_identity_step_leaves_the_credential_live(tmp_path: Path) -> None:
    catalog, secret = _acme(tmp_path)
    rule = catalog["acme.client"]

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "auth.acme.example":
            return httpx.Response(200, json={"access_token": "tok_abc"})
        return httpx.Response(403, json={"error": "insufficient_scope"})

    verdict = check(rule, values_for(rule, secret, captures={"client": "abcdef123456"}), _net(handle))
    assert verdict.status == VerdictStatus.LIVE
    assert "identity not read" not in verdict.reason  # 403: valid, narrower rights, said as such
    assert "said whose it is" in verdict.reason


@pytest.mark.parametrize(
    ("identity", "problem"),
    [
        ("https://collector.example/v1/me", "is not among verify.hosts"),
        ("https://{{ access_token }}.acme.example/v1/me", "into the host"),
        ("https://api.acme.example/v1/{{ tenant }}", "unknown value 'tenant'"),
    ],
)
def test_rules_check_holds_the_identity_step_to_the_same_rules(
    tmp_path: Path, identity: str, problem: str
) -> None:
    catalog, _ = _acme(tmp_path, identity.replace("{{", "{{{{").replace("}}", "}}}}"))
    problems = [str(p) for p in verify_problems(catalog["acme.client"], catalog)]
    assert any(problem in p for p in problems), problems


def test_an_identity_host_outside_the_rule_is_refused_before_sending(tmp_path: Path) -> None:
    """The linter reports it; a user who runs the rule anyway still sends nothing there."""
    catalog, secret = _acme(tmp_path, "https://collector.example/v1/me")
    rule = catalog["acme.client"]
    hosts: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(200, json={"access_token": "tok_abc"})

    verdict = check(rule, values_for(rule, secret, captures={"client": "abcdef123456"}), _net(handle))
    assert hosts == ["auth.acme.example"]
    assert (
        "identity not asked: refused: collector.example is not a host acme.client declares" in verdict.reason
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("        token_url: https://auth.acme.example/oauth/token\n", ""), "verify.oauth.token_url"),
        (("        scope: 'read:me'", "        auth: digest"), "verify.oauth.auth"),
        (("kind: oauth_client_credentials", "kind: ftp_login"), "verify.kind"),
        (
            ("      identity:\n", "      request: {url: 'https://x.example'}\n      identity:\n"),
            "verify.request",
        ),
    ],
)
def test_a_malformed_oauth_block_names_the_field(tmp_path: Path, change: tuple[str, str], field: str) -> None:
    path = tmp_path / "acme.yaml"
    text = ACME.format(example="A" * 32, identity="https://api.acme.example/v1/me")
    assert change[0] in text
    path.write_text(text.replace(*change))
    with pytest.raises(RuleError) as raised:
        load_catalog([path], builtin=False)
    assert raised.value.field == field


# --- private keys ---------------------------------------------------------------------------------

# Measured with `ssh-keygen -l -f` (OpenSSH 9) on the catalogue's own examples.
SSH_KEYGEN = {
    "private_key.rsa": ("RSA", 1024, "SHA256:cU1JTSxCvnEEA7cnUl5+e2NIhXrQ107+rQmbCuNx4i4"),
    "private_key.ec": ("ECDSA", 256, "SHA256:BUUOTwxEWBvAsDeN6ZFTPUe7dorsP7cGys6kTiJpHv4"),
    "private_key.openssh": ("Ed25519", 256, "SHA256:sRS9bQWjzE+Gk7Qmc7xA5mw7FV10f3FeC/8PtVokhbs"),
    "private_key.openssh_encrypted": ("Ed25519", 256, "SHA256:FplG2GCd/iLh0oErhOHIgLFna89Vqck4WVeaZjE33k0"),
}


@pytest.mark.parametrize("rule_id", sorted(SSH_KEYGEN))
def test_the_fingerprint_is_the_one_ssh_keygen_prints(catalog: Catalog, rule_id: str) -> None:
    facts = key_facts(catalog[rule_id].examples[0])
    assert (facts.kind, facts.bits, facts.fingerprint) == SSH_KEYGEN[rule_id]
    assert facts.encrypted == rule_id.endswith("_encrypted")  # OpenSSH keeps the public key in clear


def _generated_keys() -> list[
    tuple[str, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey]
]:
    return [
        ("RSA", rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ECDSA", ec.generate_private_key(ec.SECP256R1())),
        ("Ed25519", ed25519.Ed25519PrivateKey.generate()),
    ]


@pytest.mark.parametrize("form", ["pem", "openssh", "json", "java", "commented"])
def test_generated_keys_in_every_wrapping_give_their_fingerprint(form: str) -> None:
    for kind, private in _generated_keys():
        public_line = private.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        )
        expected = ssh_fingerprint(base64.b64decode(public_line.split()[1]))
        encoding = (
            serialization.PrivateFormat.OpenSSH if form == "openssh" else serialization.PrivateFormat.PKCS8
        )
        text = private.private_bytes(
            serialization.Encoding.PEM, encoding, serialization.NoEncryption()
        ).decode()
        if form == "json":
            text = json.dumps({"private_key": text})[len('{"private_key": ') : -1]
        elif form == "java":
            text = " +\n".join(f'    "{line}\\n"' for line in text.splitlines())
        elif form == "commented":
            text = "\n".join(f"# {line}" for line in text.splitlines())
        verdict = private_key_verdict(text, "2026-12-04T12:00:00Z")
        assert verdict.status == VerdictStatus.NOT_CHECKABLE
        assert verdict.identity["fingerprint"] == expected, (form, kind)
        assert verdict.identity["key_type"] == kind
        assert "cannot be checked remotely" in verdict.reason
        assert expected in verdict.reason


def test_a_curve_ssh_cannot_name_is_fingerprinted_by_its_der_public_key() -> None:
    key = ec.generate_private_key(ec.SECP256K1())
    text = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    facts = key_facts(text)
    assert (facts.kind, facts.bits) == ("ECDSA", 256)
    assert facts.fingerprint == "SPKI-" + ssh_fingerprint(der)


def test_an_encrypted_pem_key_says_it_needs_the_passphrase() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    text = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"correct horse battery"),
    ).decode()
    verdict = private_key_verdict(text, "now")
    assert "encrypted: fingerprint needs the passphrase" in verdict.reason
    assert verdict.identity == {"key_type": "PKCS#8", "encrypted": "yes"}


@pytest.mark.parametrize(
    "text",
    [
        "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n"
        "-----END OPENSSH PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\n!!!not base64!!!\n-----END PRIVATE KEY-----",
        "no key at all",
    ],
)
def test_an_unreadable_key_says_so_and_does_not_raise(text: str) -> None:
    verdict = private_key_verdict(text, "now")
    assert verdict.status == VerdictStatus.NOT_CHECKABLE
    assert "could not be read for a fingerprint" in verdict.reason
    assert verdict.identity == {}


def test_every_private_key_rule_is_judged_offline_and_sends_nothing(catalog: Catalog) -> None:
    net = _net(_no_network)
    rules = [r for r in catalog.rules if r.provider == "private_key"]
    assert rules
    assert all(isinstance(r.verify, LocalCheck) for r in rules)
    for rule in rules:
        for example in rule.examples:
            verdict = check(rule, values_for(rule, example), net, now=fixed_now)
            assert verdict.status == VerdictStatus.NOT_CHECKABLE, rule.id
            assert "cannot be checked remotely" in verdict.reason, rule.id
    assert net.sent == []


def test_the_dry_run_of_a_private_key_is_its_verdict(catalog: Catalog) -> None:
    rule = catalog["private_key.openssh"]
    planned = plan_check(rule, values_for(rule, rule.examples[0]), now=fixed_now)
    assert isinstance(planned, Verdict)
    assert planned.identity["fingerprint"] == SSH_KEYGEN["private_key.openssh"][2]


def test_rules_check_keeps_the_private_key_kind_to_private_keys(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    text = ACME.format(example="A" * 32, identity="https://api.acme.example/v1/me")
    path.write_text(text.split("    verify:")[0] + "    verify: {kind: private_key}\n")
    catalog = load_catalog([path], builtin=False)
    problems = [str(p) for p in verify_problems(catalog["acme.client"], catalog)]
    assert problems == [
        f"{path}: rule acme.client: verify.kind: private_key is for rules of category private_key"
    ]


def test_the_kinds_are_spec_types_the_catalogue_uses(catalog: Catalog) -> None:
    kinds = {r.verify.kind for r in catalog.rules if r.verify is not None}
    assert {"http", "oauth_client_credentials", "private_key"} <= kinds


def test_cli_reads_a_whole_key_from_stdin_and_prints_its_fingerprint(
    catalog: Catalog, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from leakwarden.cli.main import main

    monkeypatch.setattr("sys.stdin", io.StringIO(catalog["private_key.openssh"].examples[0]))
    assert main(["verify", "private_key.openssh", "--no-cache", "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status"] == "not checkable"
    assert shown["identity"]["fingerprint"] == SSH_KEYGEN["private_key.openssh"][2]


def test_scan_verify_gives_a_found_key_its_fingerprint(
    catalog: Catalog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from leakwarden.cli.main import main

    (tmp_path / "id_rsa").write_text(catalog["private_key.rsa"].examples[0])
    main(["scan", "path", str(tmp_path), "--verify", "-q", "--engine", "python", "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [f["verdict"]["identity"].get("fingerprint") for f in findings] == [
        SSH_KEYGEN["private_key.rsa"][2]
    ]
