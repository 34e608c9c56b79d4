"""Go: os.LookupEnv, aws-sdk-go-v2, hashicorp/vault/api and conjur-api-go."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from leakwarden.remediate.model import Part
from leakwarden.remediate.snippets.naming import VAULT_MOUNT, camel, pascal


def _go_struct(parts: Sequence[Part], label: str) -> list[str]:
    width = max(len(pascal(p.env_var)) for p in parts)
    return [
        f"// Credentials holds the {label}.",
        "type Credentials struct {",
        *[f"\t{pascal(p.env_var):<{width}} string" for p in parts],
        "}",
    ]


def _go_fields(parts: Sequence[Part], value: Callable[[Part], str]) -> list[str]:
    return ["\treturn &Credentials{", *[f"\t\t{pascal(p.env_var)}: {value(p)}," for p in parts], "\t}, nil"]


def env(parts: Sequence[Part], label: str, path: str) -> str:
    lines = ["package credentials", "", "import (", '\t"fmt"', '\t"os"', ")", ""]
    lines += _go_struct(parts, f"{label}, read from the environment, never from source code")
    lines += [
        "",
        "func requireEnv(name string) (string, error) {",
        "\tvalue, ok := os.LookupEnv(name)",
        '\tif !ok || value == "" {',
        '\t\treturn "", fmt.Errorf("%s is not set", name)',
        "\t}",
        "\treturn value, nil",
        "}",
        "",
        "// LoadCredentials reads every part or fails naming the missing variable.",
        "func LoadCredentials() (*Credentials, error) {",
    ]
    for p in parts:
        lines += [
            f'\t{camel(p.env_var)}, err := requireEnv("{p.env_var}")',
            "\tif err != nil {",
            "\t\treturn nil, err",
            "\t}",
        ]
    lines += _go_fields(parts, lambda p: camel(p.env_var))
    return "\n".join([*lines, "}"]) + "\n"


def _go_lookup(parts: Sequence[Part], source: str) -> list[str]:
    lines = []
    for p in parts:
        lines += [
            f'\t{camel(p.env_var)}, ok := {source}["{p.env_var}"].(string)',
            "\tif !ok {",
            f'\t\treturn nil, fmt.Errorf("{p.env_var} is missing from the secret")',
            "\t}",
        ]
    return lines


def aws(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [
        "package credentials",
        "",
        "import (",
        '\t"context"',
        '\t"encoding/json"',
        '\t"fmt"',
        "",
        '\t"github.com/aws/aws-sdk-go-v2/aws"',
        '\t"github.com/aws/aws-sdk-go-v2/config"',
        '\t"github.com/aws/aws-sdk-go-v2/service/secretsmanager"',
        ")",
        "",
        *_go_struct(parts, f"{label}, from one JSON secret in AWS Secrets Manager"),
        "",
        "// LoadCredentials reads the secret with the default AWS credential chain.",
        "func LoadCredentials(ctx context.Context) (*Credentials, error) {",
        "\tcfg, err := config.LoadDefaultConfig(ctx)",
        "\tif err != nil {",
        "\t\treturn nil, err",
        "\t}",
        "\tclient := secretsmanager.NewFromConfig(cfg)",
        "\tout, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{",
        f'\t\tSecretId: aws.String("{path}"),',
        "\t})",
        "\tif err != nil {",
        "\t\treturn nil, err",
        "\t}",
        "\tvar secret map[string]interface{}",
        "\tif err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &secret); err != nil {",
        "\t\treturn nil, err",
        "\t}",
        *_go_lookup(parts, "secret"),
        *_go_fields(parts, lambda p: camel(p.env_var)),
        "}",
    ]
    return "\n".join(lines) + "\n"


def vault(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [
        "package credentials",
        "",
        "import (",
        '\t"context"',
        '\t"fmt"',
        "",
        '\tvault "github.com/hashicorp/vault/api"',
        ")",
        "",
        *_go_struct(parts, f'{label}, from the KV v2 secret "{path}" on the "{VAULT_MOUNT}" mount'),
        "",
        "// LoadCredentials reads the secret; DefaultConfig reads VAULT_ADDR, NewClient VAULT_TOKEN.",
        "func LoadCredentials(ctx context.Context) (*Credentials, error) {",
        "\tclient, err := vault.NewClient(vault.DefaultConfig())",
        "\tif err != nil {",
        "\t\treturn nil, err",
        "\t}",
        f'\tsecret, err := client.KVv2("{VAULT_MOUNT}").Get(ctx, "{path}")',
        "\tif err != nil {",
        "\t\treturn nil, err",
        "\t}",
        *_go_lookup(parts, "secret.Data"),
        *_go_fields(parts, lambda p: camel(p.env_var)),
        "}",
    ]
    return "\n".join(lines) + "\n"


def conjur(parts: Sequence[Part], label: str, path: str) -> str:
    lines = [
        "package credentials",
        "",
        "import (",
        '\t"os"',
        "",
        '\t"github.com/cyberark/conjur-api-go/conjurapi"',
        '\t"github.com/cyberark/conjur-api-go/conjurapi/authn"',
        ")",
        "",
        *_go_struct(parts, f"{label}, one Conjur variable per part"),
        "",
        "// LoadCredentials authenticates as CONJUR_AUTHN_LOGIN; LoadConfig reads CONJUR_APPLIANCE_URL",
        "// and CONJUR_ACCOUNT.",
        "func LoadCredentials() (*Credentials, error) {",
        "\tconfig, err := conjurapi.LoadConfig()",
        "\tif err != nil {",
        "\t\treturn nil, err",
        "\t}",
        "\tconjur, err := conjurapi.NewClientFromKey(config, authn.LoginPair{",
        '\t\tLogin:  os.Getenv("CONJUR_AUTHN_LOGIN"),',
        '\t\tAPIKey: os.Getenv("CONJUR_AUTHN_API_KEY"),',
        "\t})",
        "\tif err != nil {",
        "\t\treturn nil, err",
        "\t}",
    ]
    for p in parts:
        lines += [
            f'\t{camel(p.env_var)}, err := conjur.RetrieveSecret("{p.secret_id}")',
            "\tif err != nil {",
            "\t\treturn nil, err",
            "\t}",
        ]
    lines += _go_fields(parts, lambda p: f"string({camel(p.env_var)})")
    return "\n".join([*lines, "}"]) + "\n"
