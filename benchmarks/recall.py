"""Held-out recall: 100 realistic files, one credential of a different type each, in the places
where credentials really leak (CI configs, `.env`, Terraform, notebooks, shell history,
Dockerfiles, Kubernetes manifests, compose files, source code), each beside a decoy.

    python3 benchmarks/recall.py                      # leakwarden from this checkout
    python3 benchmarks/recall.py --peers              # and the peers installed by benchmarks/run.py
    python3 benchmarks/recall.py --min-confidence low

Written once from the providers' published formats, independently of the rules, and not tuned
against: a miss is reported, never fixed here. For each file it reports whether the credential
was found (a finding holds its value), typed (that finding names the expected provider), and
whether anything else was reported (the decoy, or a second rule on the same value). Values come
from a seeded generator (`fakes.py`'s helpers); none was ever issued by a provider.

Standard library only, like the rest of the harness.
"""

# ruff: noqa: E501  (the case table and the literal connection strings read best one per line)

from __future__ import annotations

import argparse
import json
import random
import shutil
import string
import subprocess
import sys
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fakes
from fakes import ALNUM, BASE32, HEX, UPPER_DIGITS, URLSAFE, _b64url, _base62, _draw, _mixed

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work" / "recall"
SEED = "leakwarden-recall-v1"
LOWER_DIGITS = string.ascii_lowercase + string.digits
DIGITS = string.digits

Gen = Callable[[random.Random], list[tuple[str, str]]]


@dataclass(frozen=True)
class Case:
    providers: frozenset[str]  # provider ids that count as typed (naming varies, detection does not)
    context: str  # one of CONTEXTS
    generate: Gen  # [(VARIABLE, value), ...]: every value is part of the credential


def one(name: str, value: Callable[[random.Random], str]) -> Gen:
    return lambda r: [(name, value(r))]


def two(n1: str, v1: Callable[[random.Random], str], n2: str, v2: Callable[[random.Random], str]) -> Gen:
    return lambda r: [(n1, v1(r)), (n2, v2(r))]


def crc_token(prefix: str, length: int = 30) -> Callable[[random.Random], str]:
    def make(r: random.Random) -> str:
        body = _mixed(r, length)
        return prefix + body + _base62(zlib.crc32(body.encode()), 6)

    return make


def d(alphabet: str, length: int, prefix: str = "", suffix: str = "") -> Callable[[random.Random], str]:
    return lambda r: prefix + _draw(r, alphabet, length) + suffix


def m(length: int, prefix: str = "", suffix: str = "") -> Callable[[random.Random], str]:
    return lambda r: prefix + _mixed(r, length) + suffix


def uid(prefix: str = "") -> Callable[[random.Random], str]:
    return lambda r: prefix + str(uuid.UUID(int=r.getrandbits(128), version=4))


def jwt(claims: dict[str, object]) -> Callable[[random.Random], str]:
    def make(r: random.Random) -> str:
        head = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = _b64url(json.dumps({**claims, "iat": 1760000000 + r.randrange(10**6)}).encode())
        return f"{head}.{body}.{_b64url(r.randbytes(32))}"

    return make


def pypi(r: random.Random) -> str:
    # A macaroon's serialisation: location, identifier, signature (random here).
    raw = b"\x02\x01\x08pypi.org\x02\x01" + r.randbytes(70)
    return "pypi-" + _b64url(raw)


def ops_token(r: random.Random) -> str:
    doc = {
        "signInAddress": "my.1password.com",
        "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256", "iterations": 650000,
                     "salt": _b64url(r.randbytes(16))},
        "email": _draw(r, LOWER_DIGITS, 26) + "@1passwordserviceaccounts.com",
        "srpX": r.randbytes(32).hex(),
        "muk": {"alg": "A256GCM", "ext": True, "k": _b64url(r.randbytes(32)), "key_ops": ["encrypt", "decrypt"],
                "kty": "oct", "kid": "mp"},
        "secretKey": "A3-" + _draw(r, UPPER_DIGITS, 6) + "-" + _draw(r, UPPER_DIGITS, 11),
        "throttleSecret": {"seed": r.randbytes(32).hex(), "uuid": _draw(r, UPPER_DIGITS, 26)},
        "deviceUuid": _draw(r, LOWER_DIGITS, 26),
    }  # fmt: skip
    return "ops_" + _b64url(json.dumps(doc, separators=(",", ":")).encode())


def mapbox_secret(r: random.Random) -> str:
    claims = _b64url(
        json.dumps({"u": "acme-" + _draw(r, LOWER_DIGITS, 6), "a": _draw(r, LOWER_DIGITS, 25)}).encode()
    )
    return f"sk.{claims}.{_mixed(r, 22)}"


def pem_rsa(r: random.Random) -> str:
    return fakes.private_key(r)


def openssh_key(r: random.Random) -> str:
    body = b"openssh-key-v1\x00" + b"\x00\x00\x00\x04none\x00\x00\x00\x04none\x00\x00\x00\x00\x00\x00\x00\x01"
    body += b"\x00\x00\x003\x00\x00\x00\x0bssh-ed25519\x00\x00\x00 " + r.randbytes(32) + r.randbytes(200)
    b64 = fakes.base64.b64encode(body).decode()
    lines = "\n".join(b64[i : i + 70] for i in range(0, len(b64), 70))
    return f"-----BEGIN OPENSSH PRIVATE KEY-----\n{lines}\n-----END OPENSSH PRIVATE KEY-----\n"


def slack_bot(r: random.Random) -> str:
    return f"xoxb-{_draw(r, DIGITS, 11)}-{_draw(r, DIGITS, 13)}-{_mixed(r, 24)}"


def slack_webhook(r: random.Random) -> str:
    team, bot = "T" + _draw(r, UPPER_DIGITS, 10), "B" + _draw(r, UPPER_DIGITS, 10)
    return f"https://hooks.slack.com/services/{team}/{bot}/{_mixed(r, 24)}"


def discord_webhook(r: random.Random) -> str:
    return f"https://discord.com/api/webhooks/{_draw(r, DIGITS, 19)}/{_draw(r, URLSAFE, 68)}"


def teams_webhook(r: random.Random) -> str:
    g = lambda: str(uuid.UUID(int=r.getrandbits(128), version=4))  # noqa: E731
    return f"https://acme.webhook.office.com/webhookb2/{g()}@{g()}/IncomingWebhook/{_draw(r, HEX, 32)}/{g()}"


def google_chat(r: random.Random) -> str:
    return (
        f"https://chat.googleapis.com/v1/spaces/AAAA{_draw(r, ALNUM, 7)}/messages"
        f"?key=AIzaSy{_mixed(r, 33)}&token={_draw(r, URLSAFE, 43)}"
    )


def discord_bot(r: random.Random) -> str:
    user = fakes.base64.b64encode(_draw(r, DIGITS, 18).encode()).decode().rstrip("=")
    return f"{user}.{_draw(r, URLSAFE, 6)}.{_draw(r, URLSAFE, 38)}"


def mongodb_uri(r: random.Random) -> str:
    return f"mongodb+srv://app_{_draw(r, LOWER_DIGITS, 4)}:{_mixed(r, 20)}@cluster0.{_draw(r, LOWER_DIGITS, 5)}.mongodb.net/prod?retryWrites=true"


def postgres_uri(r: random.Random) -> str:
    return (
        f"postgresql://billing:{_mixed(r, 18)}@db-{_draw(r, LOWER_DIGITS, 6)}.internal.acme.io:5432/billing"
    )


def azure_storage(r: random.Random) -> str:
    key = fakes.base64.b64encode(r.randbytes(64)).decode()
    return f"DefaultEndpointsProtocol=https;AccountName=acme{_draw(r, LOWER_DIGITS, 6)};AccountKey={key};EndpointSuffix=core.windows.net"


def azure_sb(r: random.Random) -> str:
    key = fakes.base64.b64encode(r.randbytes(32)).decode()
    return f"Endpoint=sb://acme-{_draw(r, LOWER_DIGITS, 6)}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={key}"


def entra_secret(r: random.Random) -> str:
    return _draw(r, ALNUM, 3) + _draw(r, DIGITS, 1) + "Q~" + _draw(r, ALNUM + "_~.-", 34)


def twilio_sid(r: random.Random) -> str:
    return "AC" + _draw(r, HEX, 32)


def b64std(n: int) -> Callable[[random.Random], str]:
    return lambda r: fakes.base64.b64encode(r.randbytes(n)).decode()


def sendgrid(r: random.Random) -> str:
    return f"SG.{_draw(r, URLSAFE, 22)}.{_draw(r, URLSAFE, 43)}"


def telegram(r: random.Random) -> str:
    return f"{_draw(r, '123456789', 1)}{_draw(r, DIGITS, 9)}:AA{_draw(r, URLSAFE, 33)}"


def asana(r: random.Random) -> str:
    return f"2/{_draw(r, DIGITS, 16)}/{_draw(r, DIGITS, 16)}:{_draw(r, HEX, 32)}"


def tfc(r: random.Random) -> str:
    return f"{_mixed(r, 14)}.atlasv1.{_mixed(r, 67)}"


def postman(r: random.Random) -> str:
    return f"PMAK-{_draw(r, HEX, 24)}-{_draw(r, HEX, 34)}"


def age_key(r: random.Random) -> str:
    return "AGE-SECRET-KEY-1" + _draw(r, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)


def dynatrace(r: random.Random) -> str:
    return f"dt0c01.{_draw(r, UPPER_DIGITS, 24)}.{_draw(r, UPPER_DIGITS, 64)}"


def flutterwave(r: random.Random) -> str:
    return f"FLWSECK-{_draw(r, HEX, 32)}-X"


def brevo(r: random.Random) -> str:
    return f"xkeysib-{_draw(r, HEX, 64)}-{_mixed(r, 16)}"


def langsmith(r: random.Random) -> str:
    return f"lsv2_pt_{_draw(r, HEX, 32)}_{_draw(r, HEX, 10)}"


def circleci(r: random.Random) -> str:
    return f"CCIPAT_{_mixed(r, 22)}_{_draw(r, HEX, 40)}"


def resend(r: random.Random) -> str:
    return f"re_{_mixed(r, 8)}_{_mixed(r, 24)}"


def airtable(r: random.Random) -> str:
    return f"pat{_mixed(r, 14)}.{_draw(r, HEX, 64)}"


def grafana_sa(r: random.Random) -> str:
    return f"glsa_{_mixed(r, 32)}_{_draw(r, HEX, 8)}"


def slack_app(r: random.Random) -> str:
    return f"xapp-1-A{_draw(r, UPPER_DIGITS, 10)}-{_draw(r, DIGITS, 13)}-{_draw(r, HEX, 64)}"


def azure_devops_context(r: random.Random) -> str:
    return _draw(r, "abcdefghijklmnopqrstuvwxyz234567", 52)


def woo_key(r: random.Random) -> str:
    return "ck_" + _draw(r, HEX, 40)


def woo_secret(r: random.Random) -> str:
    return "cs_" + _draw(r, HEX, 40)


P = frozenset
CASES: list[Case] = [
    # code hosts, CI/CD, registries
    Case(P({"github"}), "gha", one("GH_RELEASE_TOKEN", crc_token("ghp_"))),
    Case(P({"github"}), "history", one("GITHUB_TOKEN", crc_token("gho_"))),
    Case(P({"github"}), "python", one("INSTALLATION_TOKEN", crc_token("ghs_"))),
    Case(P({"gitlab"}), "gitlab", one("GITLAB_TOKEN", d(URLSAFE, 20, "glpat-"))),
    Case(P({"gitlab"}), "shell", one("RUNNER_TOKEN", d(URLSAFE, 20, "glrt-"))),
    Case(P({"gitlab"}), "k8s", one("GITLAB_DEPLOY_TOKEN", d(URLSAFE, 20, "gldt-"))),
    Case(P({"npm"}), "dockerfile", one("NPM_TOKEN", crc_token("npm_"))),
    Case(P({"pypi"}), "gha", one("PYPI_API_TOKEN", pypi)),
    Case(P({"dockerhub", "docker"}), "circleci", one("DOCKERHUB_TOKEN", d(URLSAFE, 27, "dckr_pat_"))),
    Case(P({"circleci"}), "env", one("CIRCLE_TOKEN", circleci)),
    Case(P({"buildkite"}), "shell", one("BUILDKITE_API_TOKEN", d(HEX, 40, "bkua_"))),
    Case(P({"sonarqube", "sonar", "sonarsource"}), "gha", one("SONAR_TOKEN", d(HEX, 40, "squ_"))),
    Case(P({"rubygems"}), "history", one("GEM_HOST_API_KEY", d(HEX, 48, "rubygems_"))),
    Case(P({"nuget"}), "gitlab", one("NUGET_API_KEY", d(LOWER_DIGITS, 43, "oy2"))),
    Case(P({"hashicorp", "terraform", "terraform_cloud"}), "tf", one("token", tfc)),
    Case(P({"hashicorp", "vault"}), "k8s", one("VAULT_TOKEN", m(90, "hvs."))),
    Case(P({"pulumi"}), "gha", one("PULUMI_ACCESS_TOKEN", d(HEX, 40, "pul-"))),
    Case(P({"doppler"}), "dockerfile", one("DOPPLER_TOKEN", m(43, "dp.st.prd."))),
    Case(P({"onepassword", "1password"}), "k8s", one("OP_SERVICE_ACCOUNT_TOKEN", ops_token)),
    Case(P({"atlassian", "bitbucket"}), "env", one("BITBUCKET_APP_PASSWORD", d(ALNUM, 28, "ATBB", "3F5B6A1C"))),
    Case(P({"postman"}), "js", one("POSTMAN_API_KEY", postman)),
    Case(P({"scalr"}), "tf", one("scalr_token", jwt({"jti": "at-v0u7", "iss": "scalr"}))),
    Case(P({"packagecloud"}), "shell", one("PACKAGECLOUD_TOKEN", d(HEX, 48))),
    # cloud and hosting
    Case(P({"aws"}), "env", two("AWS_ACCESS_KEY_ID", d(BASE32, 16, "AKIA"), "AWS_SECRET_ACCESS_KEY", d(ALNUM + "+/", 40))),
    Case(P({"aws"}), "ipynb", two("aws_access_key_id", d(BASE32, 16, "AKIA"), "aws_secret_access_key", d(ALNUM + "+/", 40))),
    Case(P({"google"}), "js", one("GOOGLE_MAPS_API_KEY", m(35, "AIza"))),
    Case(P({"google"}), "properties", one("google.oauth.client-secret", m(28, "GOCSPX-"))),
    Case(P({"azure"}), "properties", one("azure.storage.connection-string", azure_storage)),
    Case(P({"azure"}), "compose", one("SERVICEBUS_CONNECTION", azure_sb)),
    Case(P({"azure"}), "tf", one("client_secret", entra_secret)),
    Case(P({"azure"}), "gitlab", one("AZURE_DEVOPS_PAT", azure_devops_context)),
    Case(P({"alibaba"}), "python", two("ALIBABA_CLOUD_ACCESS_KEY_ID", m(20, "LTAI"), "ALIBABA_CLOUD_ACCESS_KEY_SECRET", m(30))),
    Case(P({"scaleway"}), "env", two("SCW_ACCESS_KEY", d(UPPER_DIGITS, 17, "SCW"), "SCW_SECRET_KEY", uid())),
    Case(P({"digitalocean"}), "gha", one("DIGITALOCEAN_ACCESS_TOKEN", d(HEX, 64, "dop_v1_"))),
    Case(P({"cloudflare"}), "shell", one("CLOUDFLARE_API_TOKEN", d(URLSAFE, 40))),
    Case(P({"heroku"}), "history", one("HEROKU_API_KEY", uid())),
    Case(P({"render"}), "env", one("RENDER_API_KEY", m(32, "rnd_"))),
    Case(P({"netlify"}), "gha", one("NETLIFY_AUTH_TOKEN", m(40, "nfp_"))),
    Case(P({"tencent", "tencentcloud"}), "python", two("TENCENTCLOUD_SECRET_ID", m(32, "AKID"), "TENCENTCLOUD_SECRET_KEY", m(32))),
    Case(P({"exoscale"}), "tf", two("key", d(HEX, 24, "EXO"), "secret", m(43))),
    Case(P({"databricks"}), "ipynb", one("DATABRICKS_TOKEN", d(HEX, 32, "dapi"))),
    Case(P({"supabase"}), "env", one("SUPABASE_ACCESS_TOKEN", d(HEX, 40, "sbp_"))),
    Case(P({"planetscale"}), "compose", one("PLANETSCALE_SERVICE_TOKEN", m(43, "pscale_tkn_"))),
    Case(P({"flyio", "fly"}), "gha", one("FLY_API_TOKEN", m(43, "fo1_"))),
    # payments and commerce
    Case(P({"stripe"}), "env", one("STRIPE_SECRET_KEY", m(99, "sk_" "live_"))),
    Case(P({"stripe"}), "python", one("STRIPE_API_KEY", m(99, "rk_" "live_"))),
    Case(P({"stripe"}), "js", one("STRIPE_WEBHOOK_SECRET", m(32, "whsec_"))),
    Case(P({"square"}), "properties", one("square.access-token", d(URLSAFE, 60, "EAAA"))),
    Case(P({"shopify"}), "env", one("SHOPIFY_ACCESS_TOKEN", d(HEX, 32, "shpat_"))),
    Case(P({"razorpay"}), "python", two("RAZORPAY_KEY_ID", m(14, "rzp_" "live_"), "RAZORPAY_KEY_SECRET", m(24))),
    Case(P({"flutterwave"}), "env", one("FLW_SECRET_KEY", flutterwave)),
    Case(P({"easypost"}), "history", one("EASYPOST_API_KEY", m(54, "EZAK"))),
    Case(P({"shippo"}), "js", one("SHIPPO_API_TOKEN", d(HEX, 40, "shippo_" "live_"))),
    Case(P({"mollie"}), "compose", one("MOLLIE_API_KEY", m(30, "live_"))),
    Case(P({"woocommerce"}), "properties", two("woocommerce.consumer-key", woo_key, "woocommerce.consumer-secret", woo_secret)),
    Case(P({"plaid"}), "env", two("PLAID_CLIENT_ID", d(HEX, 24), "PLAID_SECRET", d(HEX, 30))),
    # messaging, mail, support
    Case(P({"slack"}), "k8s", one("SLACK_BOT_TOKEN", slack_bot)),
    Case(P({"slack"}), "gha", one("SLACK_WEBHOOK_URL", slack_webhook)),
    Case(P({"slack"}), "shell", one("SLACK_APP_TOKEN", slack_app)),
    Case(P({"discord"}), "python", one("DISCORD_BOT_TOKEN", discord_bot)),
    Case(P({"discord"}), "circleci", one("DISCORD_WEBHOOK", discord_webhook)),
    Case(P({"telegram"}), "dockerfile", one("TELEGRAM_BOT_TOKEN", telegram)),
    Case(P({"twilio"}), "env", two("TWILIO_ACCOUNT_SID", twilio_sid, "TWILIO_AUTH_TOKEN", d(HEX, 32))),
    Case(P({"twilio"}), "js", two("TWILIO_API_KEY", d(HEX, 32, "SK"), "TWILIO_API_SECRET", m(32))),
    Case(P({"sendgrid"}), "properties", one("spring.sendgrid.api-key", sendgrid)),
    Case(P({"mailgun"}), "python", one("MAILGUN_API_KEY", d(HEX, 32, "key-"))),
    Case(P({"mailchimp"}), "env", one("MAILCHIMP_API_KEY", d(HEX, 32, "", "-us14"))),
    Case(P({"brevo", "sendinblue"}), "compose", one("BREVO_API_KEY", brevo)),
    Case(P({"resend"}), "js", one("RESEND_API_KEY", resend)),
    Case(P({"microsoft_teams", "microsoft", "teams"}), "gha", one("TEAMS_WEBHOOK_URL", teams_webhook)),
    Case(P({"google_chat", "google"}), "shell", one("GOOGLE_CHAT_WEBHOOK", google_chat)),
    Case(P({"vonage", "nexmo"}), "env", two("VONAGE_API_KEY", d(HEX, 8), "VONAGE_API_SECRET", m(16))),
    Case(P({"zendesk"}), "python", one("ZENDESK_API_TOKEN", m(40))),
    # observability and analytics
    Case(P({"datadog"}), "k8s", one("DD_API_KEY", d(HEX, 32))),
    Case(P({"newrelic", "new_relic"}), "dockerfile", one("NEW_RELIC_API_KEY", d(UPPER_DIGITS, 27, "NRAK-"))),
    Case(P({"sentry"}), "env", one("SENTRY_AUTH_TOKEN", d(HEX, 64, "sntryu_"))),
    Case(P({"grafana"}), "tf", one("grafana_auth", grafana_sa)),
    Case(P({"dynatrace"}), "k8s", one("DT_API_TOKEN", dynatrace)),
    Case(P({"posthog"}), "python", one("POSTHOG_PERSONAL_API_KEY", m(43, "phx_"))),
    Case(P({"launchdarkly"}), "env", one("LAUNCHDARKLY_SDK_KEY", uid("sdk-"))),
    Case(P({"algolia"}), "js", two("ALGOLIA_APP_ID", d(UPPER_DIGITS, 10), "ALGOLIA_ADMIN_API_KEY", d(HEX, 32))),
    # AI
    Case(P({"openai"}), "ipynb", one("OPENAI_API_KEY", lambda r: "sk-proj-" + _draw(r, URLSAFE, 74) + "T3BlbkFJ" + _draw(r, URLSAFE, 74))),
    Case(P({"anthropic"}), "env", one("ANTHROPIC_API_KEY", lambda r: "sk-ant-api03-" + _draw(r, URLSAFE, 93) + "AA")),
    Case(P({"huggingface"}), "ipynb", one("HF_TOKEN", d(string.ascii_letters, 34, "hf_"))),
    Case(P({"groq"}), "python", one("GROQ_API_KEY", m(52, "gsk_"))),
    Case(P({"replicate"}), "shell", one("REPLICATE_API_TOKEN", m(37, "r8_"))),
    Case(P({"perplexity"}), "env", one("PERPLEXITY_API_KEY", m(48, "pplx-"))),
    Case(P({"xai"}), "js", one("XAI_API_KEY", m(80, "xai-"))),
    Case(P({"openrouter"}), "compose", one("OPENROUTER_API_KEY", d(HEX, 64, "sk-or-v1-"))),
    Case(P({"langsmith", "langchain"}), "ipynb", one("LANGCHAIN_API_KEY", langsmith)),
    Case(P({"nvidia"}), "history", one("NVIDIA_API_KEY", d(URLSAFE, 64, "nvapi-"))),
    Case(P({"tavily"}), "python", one("TAVILY_API_KEY", m(32, "tvly-"))),
    Case(P({"cohere"}), "ipynb", one("COHERE_API_KEY", m(40))),
    Case(P({"mistral"}), "env", one("MISTRAL_API_KEY", m(32))),
    # databases, SaaS, identity
    Case(P({"mongodb", "mongodb_atlas", "generic"}), "k8s", one("MONGODB_URI", mongodb_uri)),
    Case(P({"generic"}), "compose", one("DATABASE_URL", postgres_uri)),
    Case(P({"airtable"}), "js", one("AIRTABLE_TOKEN", airtable)),
    Case(P({"asana"}), "python", one("ASANA_ACCESS_TOKEN", asana)),
    Case(P({"linear"}), "env", one("LINEAR_API_KEY", m(40, "lin_api_"))),
    Case(P({"notion"}), "js", one("NOTION_TOKEN", m(46, "ntn_"))),
    Case(P({"mapbox"}), "js", one("MAPBOX_SECRET_TOKEN", mapbox_secret)),
    Case(P({"okta"}), "tf", one("okta_api_token", m(40, "00"))),
    Case(P({"figma"}), "env", one("FIGMA_TOKEN", lambda r: f"figd_{_draw(r, URLSAFE, 40)}")),
    # private keys and generic classes
    Case(P({"private_key"}), "pem", one("id_rsa", pem_rsa)),
    Case(P({"private_key"}), "pem", one("id_ed25519", openssh_key)),
    Case(P({"age"}), "env", one("SOPS_AGE_KEY", age_key)),
]  # fmt: skip

# A decoy beside every credential: what a careless rule would flag. None is a credential.
DECOYS: list[Callable[[random.Random], tuple[str, str]]] = [
    lambda r: ("BUILD_ID", str(uuid.UUID(int=r.getrandbits(128), version=4))),
    lambda r: ("GIT_COMMIT_SHA", _draw(r, HEX, 40)),
    lambda r: ("API_TOKEN", "<your-api-token>"),
    lambda r: ("CHECKSUM_SHA256", _draw(r, HEX, 64)),
    lambda r: ("EXAMPLE_GITHUB_TOKEN", "ghp_" + "x" * 36),
    lambda r: ("IMAGE_DIGEST", "sha256:" + _draw(r, HEX, 64)),
    lambda r: ("SECRET_KEY", "${SECRET_KEY}"),
    lambda r: ("SESSION_ID", _mixed(r, 32)),
    lambda r: ("PASSWORD", "changeme"),
    lambda r: ("INTEGRITY", "sha512-" + fakes.base64.b64encode(r.randbytes(64)).decode()),
]


def _yaml_env(pairs: list[tuple[str, str]], indent: str) -> str:
    return "".join(f"{indent}{k}: {json.dumps(v)}\n" for k, v in pairs)


def render(context: str, pairs: list[tuple[str, str]]) -> tuple[str, str]:
    """(file name, content) of one leak in one context."""
    if context == "env":
        return ".env", "# local settings\n" + "".join(f"{k}={v}\n" for k, v in pairs)
    if context == "shell":
        return "deploy.sh", "#!/bin/sh\nset -e\n" + "".join(
            f'export {k}="{v}"\n' for k, v in pairs
        ) + "./release.sh\n"
    if context == "history":
        lines = "".join(f"export {k}={v}\n" for k, v in pairs)
        return ".bash_history", "cd ~/src/app\ngit pull\n" + lines + "make deploy\n"
    if context == "gha":
        return ".github/workflows/release.yml", (
            "name: release\non:\n  push:\n    tags: ['v*']\njobs:\n  release:\n    runs-on: ubuntu-latest\n"
            "    env:\n"
            + _yaml_env(pairs, "      ")
            + "    steps:\n      - uses: actions/checkout@v4\n      - run: make release\n"
        )
    if context == "gitlab":
        return ".gitlab-ci.yml", "variables:\n" + _yaml_env(
            pairs, "  "
        ) + "deploy:\n  stage: deploy\n  script:\n    - make deploy\n"
    if context == "circleci":
        return ".circleci/config.yml", (
            "version: 2.1\njobs:\n  build:\n    docker:\n      - image: cimg/base:stable\n    environment:\n"
            + _yaml_env(pairs, "      ")
            + "    steps:\n      - checkout\n"
        )
    if context == "tf":
        body = "".join(f'  {k} = "{v}"\n' for k, v in pairs)
        return "main.tf", f'provider "acme" {{\n{body}}}\n'
    if context == "ipynb":
        source = ["import os\n"] + [f'os.environ["{k}"] = "{v}"\n' for k, v in pairs]
        cell = {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": source}
        nb = {
            "cells": [cell],
            "metadata": {"kernelspec": {"name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
        return "analysis.ipynb", json.dumps(nb, indent=1) + "\n"
    if context == "dockerfile":
        return "Dockerfile", "FROM python:3.12-slim\n" + "".join(
            f"ENV {k}={v}\n" for k, v in pairs
        ) + 'CMD ["python", "app.py"]\n'
    if context == "k8s":
        env = "".join(f"            - name: {k}\n              value: {json.dumps(v)}\n" for k, v in pairs)
        return "deployment.yaml", (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n"
            "      containers:\n        - name: api\n          image: acme/api:1.4.2\n          env:\n" + env
        )
    if context == "compose":
        return "docker-compose.yml", "services:\n  app:\n    image: acme/app\n    environment:\n" + _yaml_env(
            pairs, "      "
        )
    if context == "python":
        return "settings.py", '"""Settings."""\n' + "".join(f'{k} = "{v}"\n' for k, v in pairs)
    if context == "js":
        body = "".join(f"  {k}: '{v}',\n" for k, v in pairs)
        return "config.js", f"module.exports = {{\n{body}}};\n"
    if context == "properties":
        return "application.properties", "server.port=8080\n" + "".join(f"{k}={v}\n" for k, v in pairs)
    if context == "pem":
        return pairs[0][0], pairs[0][1]
    raise ValueError(context)


def build(root: Path) -> list[dict[str, object]]:
    if root.exists():
        shutil.rmtree(root)
    r = random.Random(SEED)
    manifest = []
    for index, case in enumerate(CASES):
        pairs = case.generate(r)
        decoy = DECOYS[index % len(DECOYS)](r)
        name, content = render(case.context, pairs if case.context == "pem" else [*pairs, decoy])
        path = root / f"{index:03d}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        manifest.append({
            "index": index, "path": str(path.relative_to(root)), "context": case.context,
            "providers": sorted(case.providers), "values": [v for _, v in pairs],
            "decoy": decoy[1] if case.context != "pem" else None,
        })  # fmt: skip
    (root.parent / "recall-manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def leakwarden_findings(root: Path, min_confidence: str) -> list[tuple[str, str, set[str]]]:
    """(path, provider, values) of every finding: the secret and each part of a pair."""
    command = [sys.executable, "-m", "leakwarden", "scan", "path", str(root), "--format", "json",
               "--show-secrets", "--min-confidence", min_confidence, "-q"]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=_env(), check=False)
    if out.returncode not in (0, 1):
        raise SystemExit(f"leakwarden failed ({out.returncode}): {out.stderr.strip()}")
    rows = []
    for finding in json.loads(out.stdout)["findings"]:
        values = {finding["secret"], *(finding.get("parts") or {}).values()}
        for occurrence in finding["occurrences"]:
            rows.append(
                (str(Path(occurrence["path"]).resolve().relative_to(root)), finding["provider"], values)
            )
    return rows


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + (":" + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _covers(values: set[str], wanted: str) -> bool:
    """A finding covers a planted value when it holds it, or holds the secret part of it (the
    password of a URI, the key of a connection string, the token of a webhook URL)."""
    wanted = wanted.strip()
    return any(wanted in x or (len(x) >= 8 and x in wanted) for x in values)


def judge(manifest: list[dict[str, object]], rows: list[tuple[str, str, set[str]]]) -> dict[str, object]:
    per_case = []
    for entry in manifest:
        mine = [(prov, vals) for path, prov, vals in rows if path == entry["path"]]
        wanted = [str(v) for v in entry["values"]]  # type: ignore[attr-defined]
        hits = [(prov, vals) for prov, vals in mine if any(_covers(vals, w) for w in wanted)]
        found = bool(hits) and all(any(_covers(vals, w) for _, vals in hits) for w in wanted)
        typed = found and any(prov in entry["providers"] for prov, _ in hits)  # type: ignore[operator]
        decoy = entry["decoy"]
        decoy_hit = decoy is not None and any(str(decoy) in x for _, vals in mine for x in vals)
        extra = len(mine) - len(hits)
        per_case.append({**entry, "found": found, "typed": typed, "decoy_hit": decoy_hit, "extra": extra,
                         "reported_as": sorted({p for p, _ in hits})})  # fmt: skip
    return {
        "files": len(manifest),
        "found": sum(c["found"] for c in per_case),
        "typed": sum(c["typed"] for c in per_case),
        "decoy_hits": sum(c["decoy_hit"] for c in per_case),
        "other_findings": sum(c["extra"] for c in per_case),
        "cases": per_case,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--min-confidence", default="medium", choices=["low", "medium", "high"])
    parser.add_argument("--json", action="store_true", help="print the whole judgement as JSON")
    args = parser.parse_args()
    manifest = build(WORK)
    result = judge(manifest, leakwarden_findings(WORK, args.min_confidence))
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"held-out recall ({len(CASES)} files, --min-confidence {args.min_confidence}): "
          f"found {result['found']}, typed {result['typed']}, decoy hits {result['decoy_hits']}, "
          f"other findings {result['other_findings']}")  # fmt: skip
    for case in result["cases"]:  # type: ignore[attr-defined]
        if not (case["found"] and case["typed"]) or case["decoy_hit"] or case["extra"]:
            print(f"  {case['path']:<42} {case['context']:<10} want {'/'.join(case['providers']):<24} "
                  f"found={case['found']} typed={case['typed']} as={','.join(case['reported_as']) or '-'} "
                  f"decoy={case['decoy_hit']} extra={case['extra']}")  # fmt: skip


if __name__ == "__main__":
    main()
