"""JavaScript (Node.js 18+ ES modules): process.env, the AWS SDK v3, and the Vault and Conjur HTTP
APIs through fetch."""

from __future__ import annotations

from collections.abc import Sequence

from leakwarden.remediate.model import Part
from leakwarden.remediate.snippets.naming import VAULT_MOUNT, camel


def _js_return(parts: Sequence[Part], source: str) -> list[str]:
    return ["  return {", *[f'    {camel(p.env_var)}: {source}["{p.env_var}"],' for p in parts], "  };"]


def env(parts: Sequence[Part], label: str, path: str) -> str:
    return (
        "\n".join(
            [
                f"// {label}: read from the environment, never from source code.",
                "function requireEnv(name) {",
                "  const value = process.env[name];",
                "  if (!value) {",
                "    throw new Error(`${name} is not set`);",
                "  }",
                "  return value;",
                "}",
                "",
                "export async function loadCredentials() {",
                "  return {",
                *[f'    {camel(p.env_var)}: requireEnv("{p.env_var}"),' for p in parts],
                "  };",
                "}",
            ]
        )
        + "\n"
    )


def aws(parts: Sequence[Part], label: str, path: str) -> str:
    return (
        "\n".join(
            [
                "import {",
                "  GetSecretValueCommand,",
                "  SecretsManagerClient,",
                '} from "@aws-sdk/client-secrets-manager";',
                "",
                f"// {label}: one JSON secret in AWS Secrets Manager, one key per variable.",
                "const client = new SecretsManagerClient({});",
                "",
                "export async function loadCredentials() {",
                f'  const response = await client.send(new GetSecretValueCommand({{ SecretId: "{path}" }}));',
                "  const secret = JSON.parse(response.SecretString);",
                *_js_return(parts, "secret"),
                "}",
            ]
        )
        + "\n"
    )


def vault(parts: Sequence[Part], label: str, path: str) -> str:
    return (
        "\n".join(
            [
                f'// {label}: KV v2 secret "{path}" on the "{VAULT_MOUNT}" mount, read through',
                "// Vault's HTTP API (Node.js 18+ fetch); VAULT_ADDR and VAULT_TOKEN come from the",
                "// environment.",
                "export async function loadCredentials() {",
                '  const address = process.env.VAULT_ADDR.replace(/\\/+$/, "");',
                f"  const response = await fetch(`${{address}}/v1/{VAULT_MOUNT}/data/{path}`, {{",
                '    headers: { "X-Vault-Token": process.env.VAULT_TOKEN },',
                "  });",
                "  if (!response.ok) {",
                "    throw new Error(`Vault answered ${response.status}`);",
                "  }",
                "  const secret = (await response.json()).data.data;",
                *_js_return(parts, "secret"),
                "}",
            ]
        )
        + "\n"
    )


def conjur(parts: Sequence[Part], label: str, path: str) -> str:
    return (
        "\n".join(
            [
                f"// {label}: one Conjur variable per part, read through the Conjur REST API",
                "// (Node.js 18+ fetch) as the host CONJUR_AUTHN_LOGIN with its CONJUR_AUTHN_API_KEY.",
                'const conjurUrl = () => process.env.CONJUR_APPLIANCE_URL.replace(/\\/+$/, "");',
                "const account = () => encodeURIComponent(process.env.CONJUR_ACCOUNT);",
                "",
                "async function conjurAccessToken() {",
                "  const login = encodeURIComponent(process.env.CONJUR_AUTHN_LOGIN);",
                "  const response = await fetch(`${conjurUrl()}/authn/${account()}/${login}/authenticate`, {",
                '    method: "POST",',
                '    headers: { "Accept-Encoding": "base64" },',
                "    body: process.env.CONJUR_AUTHN_API_KEY,",
                "  });",
                "  if (!response.ok) {",
                "    throw new Error(`Conjur authentication answered ${response.status}`);",
                "  }",
                "  return response.text();",
                "}",
                "",
                "async function conjurSecret(token, variableId) {",
                "  const id = encodeURIComponent(variableId);",
                "  const url = `${conjurUrl()}/secrets/${account()}/variable/${id}`;",
                '  const headers = { Authorization: `Token token="${token}"` };',
                "  const response = await fetch(url, { headers });",
                "  if (!response.ok) {",
                "    throw new Error(`Conjur answered ${response.status} for ${variableId}`);",
                "  }",
                "  return response.text();",
                "}",
                "",
                "export async function loadCredentials() {",
                "  const token = await conjurAccessToken();",
                "  return {",
                *[f'    {camel(p.env_var)}: await conjurSecret(token, "{p.secret_id}"),' for p in parts],
                "  };",
                "}",
            ]
        )
        + "\n"
    )
