"""Code that keeps a credential out of source: 4 platforms x 5 languages, filled in with the
credential's own variable names and secret path.

Each snippet uses the platform's official SDK or its documented HTTP API:

| platform | Python | JavaScript | Go | Java | Ruby |
| --- | --- | --- | --- | --- | --- |
| env | os.environ | process.env | os.LookupEnv | System.getenv | ENV.fetch |
| aws | boto3 | @aws-sdk/client-secrets-manager | aws-sdk-go-v2 | AWS SDK Java v2 | aws-sdk-secretsmanager |
| vault | hvac | HTTP API (fetch) | hashicorp/vault/api | HTTP API (java.net.http) | vault gem |
| conjur | REST API (urllib) | REST API (fetch) | conjur-api-go | REST API (java.net.http) | conjur-api gem |

Layout of the secret: AWS Secrets Manager and Vault hold one secret at `secret_path` whose keys
are the variable names; Conjur holds one variable per part, `secret_path/role`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from leakwarden.remediate.model import Part, Snippet
from leakwarden.remediate.snippets import go, java, javascript, python, ruby
from leakwarden.remediate.snippets.naming import VAULT_MOUNT, camel, label_text, pascal, snake
from leakwarden.remediate.templates import LANGUAGES, PLATFORMS

__all__ = ["TEMPLATES", "VAULT_MOUNT", "camel", "pascal", "snake", "snippets"]

Template = Callable[[Sequence[Part], str, str], str]

TEMPLATES: dict[tuple[str, str], tuple[str, Template]] = {
    ("env", "python"): ("os.environ", python.env),
    ("env", "javascript"): ("process.env", javascript.env),
    ("env", "go"): ("os.LookupEnv", go.env),
    ("env", "java"): ("System.getenv", java.env),
    ("env", "ruby"): ("ENV.fetch", ruby.env),
    ("aws", "python"): ("boto3", python.aws),
    ("aws", "javascript"): ("@aws-sdk/client-secrets-manager (AWS SDK for JavaScript v3)", javascript.aws),
    ("aws", "go"): ("aws-sdk-go-v2 service/secretsmanager", go.aws),
    ("aws", "java"): ("AWS SDK for Java v2 (secretsmanager) + Jackson", java.aws),
    ("aws", "ruby"): ("aws-sdk-secretsmanager gem", ruby.aws),
    ("vault", "python"): ("hvac", python.vault),
    ("vault", "javascript"): ("Vault HTTP API (fetch)", javascript.vault),
    ("vault", "go"): ("github.com/hashicorp/vault/api", go.vault),
    ("vault", "java"): ("Vault HTTP API (java.net.http) + Jackson", java.vault),
    ("vault", "ruby"): ("vault gem (hashicorp/vault-ruby)", ruby.vault),
    ("conjur", "python"): ("Conjur REST API (urllib)", python.conjur),
    ("conjur", "javascript"): ("Conjur REST API (fetch)", javascript.conjur),
    ("conjur", "go"): ("github.com/cyberark/conjur-api-go", go.conjur),
    ("conjur", "java"): ("Conjur REST API (java.net.http)", java.conjur),
    ("conjur", "ruby"): ("conjur-api gem", ruby.conjur),
}


def snippets(
    parts: Sequence[Part],
    label: str,
    secret_path: str,
    platforms: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> list[Snippet]:
    """Every (platform, language) snippet for `parts`, or those of the platforms and languages
    asked for, in a stable order: platform by platform, languages within."""
    label = label_text(label)
    result = []
    for platform in PLATFORMS:
        if platforms and platform not in platforms:
            continue
        for language in LANGUAGES:
            if languages and language not in languages:
                continue
            library, template = TEMPLATES[(platform, language)]
            code = template(parts, label, secret_path)
            result.append(Snippet(platform, PLATFORMS[platform], language, library, code))
    return result
