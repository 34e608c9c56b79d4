"""Ruby: ENV.fetch, aws-sdk-secretsmanager, the vault gem and the conjur-api gem."""

from __future__ import annotations

from collections.abc import Sequence

from leakwarden.remediate.model import Part
from leakwarden.remediate.snippets.naming import VAULT_MOUNT, snake


def env(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [f"# {label}: read from the environment, never from source code."]
    lines += [f'{snake(p.env_var)} = ENV.fetch("{p.env_var}")' for p in parts]
    return "\n".join(lines) + "\n"


def aws(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [
        'require "json"',
        'require "aws-sdk-secretsmanager"',
        "",
        f"# {label}: one JSON secret in AWS Secrets Manager, one key per variable.",
        "client = Aws::SecretsManager::Client.new",
        f'secret = JSON.parse(client.get_secret_value(secret_id: "{path}").secret_string)',
    ]
    lines += [f'{snake(p.env_var)} = secret.fetch("{p.env_var}")' for p in parts]
    return "\n".join(lines) + "\n"


def vault(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [
        'require "vault"',
        "",
        f'# {label}: KV v2 secret "{path}" on the "{VAULT_MOUNT}" mount.',
        "# Vault.address and Vault.token default to VAULT_ADDR and VAULT_TOKEN.",
        f'secret = Vault.kv("{VAULT_MOUNT}").read("{path}")',
        f'raise "{path} is not in Vault" if secret.nil?',
        "",
    ]
    lines += [f"{snake(p.env_var)} = secret.data.fetch(:{p.env_var})" for p in parts]
    return "\n".join(lines) + "\n"


def conjur(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [
        'require "conjur/api"',
        "",
        f"# {label}: one Conjur variable per part, read as the host CONJUR_AUTHN_LOGIN.",
        'Conjur.configuration.appliance_url = ENV.fetch("CONJUR_APPLIANCE_URL")',
        'Conjur.configuration.account = ENV.fetch("CONJUR_ACCOUNT")',
        "conjur = Conjur::API.new_from_key(",
        '  ENV.fetch("CONJUR_AUTHN_LOGIN"),',
        '  ENV.fetch("CONJUR_AUTHN_API_KEY")',
        ")",
        "account = Conjur.configuration.account",
        "",
    ]
    lines += [
        f'{snake(p.env_var)} = conjur.resource("#{{account}}:variable:{p.secret_id}").value' for p in parts
    ]
    return "\n".join(lines) + "\n"
