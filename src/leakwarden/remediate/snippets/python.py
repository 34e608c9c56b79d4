"""Python: os.environ, boto3, hvac, and the Conjur REST API through urllib."""

from __future__ import annotations

from collections.abc import Sequence

from leakwarden.remediate.model import Part
from leakwarden.remediate.snippets.naming import VAULT_MOUNT, snake


def env(parts: Sequence[Part], label: str, path: str) -> str:
    lines = ["import os", "", f"# {label}: read from the environment, never from source code."]
    lines += [f'{snake(p.env_var)} = os.environ["{p.env_var}"]' for p in parts]
    return "\n".join(lines) + "\n"


def aws(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [
        "import json",
        "",
        "import boto3",
        "",
        f"# {label}: one JSON secret in AWS Secrets Manager, one key per variable.",
        "# Credentials, region and endpoint come from the usual AWS chain (role, profile, env).",
        'secrets_manager = boto3.client("secretsmanager")',
        f'response = secrets_manager.get_secret_value(SecretId="{path}")',
        'secret = json.loads(response["SecretString"])',
    ]
    lines += [f'{snake(p.env_var)} = secret["{p.env_var}"]' for p in parts]
    return "\n".join(lines) + "\n"


def vault(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [
        "import os",
        "",
        "import hvac",
        "",
        f'# {label}: KV v2 secret "{path}" on the "{VAULT_MOUNT}" mount, one key per variable.',
        "# VAULT_ADDR and VAULT_TOKEN come from the environment (or log in with AppRole, Kubernetes...).",
        'vault = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"])',
        "response = vault.secrets.kv.v2.read_secret_version(",
        f'    path="{path}", mount_point="{VAULT_MOUNT}", raise_on_deleted_version=True',
        ")",
        'secret = response["data"]["data"]',
    ]
    lines += [f'{snake(p.env_var)} = secret["{p.env_var}"]' for p in parts]
    return "\n".join(lines) + "\n"


def conjur(parts: Sequence[Part], label: str, path: str) -> str:
    head = f"""import os
import urllib.parse
import urllib.request

# {label}: one Conjur variable per part. The application authenticates as a Conjur host
# (CONJUR_AUTHN_LOGIN, e.g. host/myapp, and its CONJUR_AUTHN_API_KEY) through the REST API.
CONJUR_URL = os.environ["CONJUR_APPLIANCE_URL"].rstrip("/")
CONJUR_ACCOUNT = urllib.parse.quote(os.environ["CONJUR_ACCOUNT"], safe="")


def conjur_access_token() -> str:
    login = urllib.parse.quote(os.environ["CONJUR_AUTHN_LOGIN"], safe="")
    request = urllib.request.Request(
        f"{{CONJUR_URL}}/authn/{{CONJUR_ACCOUNT}}/{{login}}/authenticate",
        data=os.environ["CONJUR_AUTHN_API_KEY"].encode(),
        headers={{"Accept-Encoding": "base64"}},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def conjur_secret(token: str, variable_id: str) -> str:
    request = urllib.request.Request(
        f"{{CONJUR_URL}}/secrets/{{CONJUR_ACCOUNT}}/variable/{{urllib.parse.quote(variable_id, safe='')}}",
        headers={{"Authorization": f'Token token="{{token}}"'}},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


token = conjur_access_token()
"""
    return head + "".join(f'{snake(p.env_var)} = conjur_secret(token, "{p.secret_id}")\n' for p in parts)
