"""Environment variable names: from what the secret is bound to, else from the rule.

A binding that says which credential it holds (`scw_secret_key`, `aws_access_key_id`) names the
variable. A generic one (`key`, `token`, `secret_key`), one that names no credential at all (a
dict key `slack`, a variable `config`) or none (a positional argument) gives way to the
provider's documented variable (`SCW_SECRET_KEY`, `ALIBABA_CLOUD_ACCESS_KEY_ID`), else to a name
derived from the rule id and the pair role. A secret that is only part of the bound value (the
password of `DATABASE_URL`) takes the binding's stem and the part's word: `DATABASE_PASSWORD`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping

from leakwarden.fix.model import EnvEntry, Secret

# (rule id, role) -> the provider's documented environment variable. Role "" for single rules.
KNOWN: Mapping[tuple[str, str], str] = {
    ("alibaba.access_key", "access_key_id"): "ALIBABA_CLOUD_ACCESS_KEY_ID",
    ("alibaba.access_key", "access_key_secret"): "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    ("alibaba.access_key_id", ""): "ALIBABA_CLOUD_ACCESS_KEY_ID",
    ("alibaba.access_key_secret", ""): "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    ("scaleway.api_key", "access_key"): "SCW_ACCESS_KEY",
    ("scaleway.api_key", "secret_key"): "SCW_SECRET_KEY",
    ("scaleway.access_key", ""): "SCW_ACCESS_KEY",
    ("scaleway.secret_key", ""): "SCW_SECRET_KEY",
    ("scalr.api_token", ""): "SCALR_TOKEN",
    ("packagecloud.api_token", ""): "PACKAGECLOUD_TOKEN",
    ("aws.access_key", "access_key_id"): "AWS_ACCESS_KEY_ID",
    ("aws.access_key", "secret_access_key"): "AWS_SECRET_ACCESS_KEY",
    ("aws.access_key_id", ""): "AWS_ACCESS_KEY_ID",
    ("aws.secret_access_key", ""): "AWS_SECRET_ACCESS_KEY",
    ("github.personal_access_token", ""): "GH_TOKEN",
    ("github.fine_grained_personal_access_token", ""): "GH_TOKEN",
    ("azure.storage_account_key", ""): "AZURE_STORAGE_KEY",
    ("azure.storage_connection_string", ""): "AZURE_STORAGE_CONNECTION_STRING",
    ("azure.storage_sas_token", ""): "AZURE_STORAGE_SAS_TOKEN",
    ("azure.entra_client_secret", ""): "AZURE_CLIENT_SECRET",
    ("azure.devops_pat", ""): "AZURE_DEVOPS_EXT_PAT",
    ("google.api_key", ""): "GOOGLE_API_KEY",
}

# Bindings that do not say whose credential they hold.
GENERIC = frozenset(
    {
        "KEY",
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "PWD",
        "PASS",
        "VALUE",
        "AUTH",
        "AUTHORIZATION",
        "CREDENTIAL",
        "CREDENTIALS",
        "CRED",
        "CREDS",
        "ID",
        "KEY_ID",
        "KEY_SECRET",
        "ACCESS_KEY",
        "ACCESS_KEY_ID",
        "ACCESS_KEY_SECRET",
        "ACCESS_SECRET",
        "SECRET_KEY",
        "SECRET_ACCESS_KEY",
        "SECRET_ID",
        "API_KEY",
        "API_TOKEN",
        "API_SECRET",
        "ACCESS_TOKEN",
        "AUTH_TOKEN",
        "BEARER",
        "CLIENT_ID",
        "CLIENT_SECRET",
        "DATA",
        "DEFAULT",
        "CONFIG",
        "SETTINGS",
        "ENV",
        "AK",
        "SK",
        "AK_ID",
        "AK_SECRET",
        "USER",
        "USERNAME",
        "URL",
        "URI",
        "DSN",
        "HEADER",
        "HEADERS",
        "PARAMS",
        "ARG",
        "ARGS",
        "KWARGS",
    }
)


# A binding naming one of these holds a credential; `slack`, `config` or `prod` does not say so.
CREDENTIAL_WORDS = (
    "KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "PWD", "PASS", "PAT", "CREDENTIAL", "AUTH",
    "SID", "DSN", "URL", "URI", "WEBHOOK", "HOOK", "CONN", "CERT", "PRIVATE", "SIGNING", "SALT",
)  # fmt: skip

# Trailing words of a binding that names a container of the secret rather than the secret.
_CONTAINER_WORDS = frozenset(
    {"URL", "URI", "DSN", "CONNECTION", "CONN", "STRING", "STR", "ENDPOINT", "ADDRESS", "ADDR", "HOST"}
)


def env_name(identifier: str) -> str:
    """`scwSecretKey` -> `SCW_SECRET_KEY`, `api-key` -> `API_KEY`; "" when nothing is left."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", identifier)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()
    if text and text[0].isdigit():
        text = f"V_{text}"
    return text


def binding_name(binding: str | None) -> str:
    """The variable a binding names, or "" when it is missing or too generic to say much."""
    name = env_name(binding or "")
    return "" if len(name) < 3 or name in GENERIC else name


def names_a_credential(name: str) -> bool:
    return any(word in name for word in CREDENTIAL_WORDS)


def _part_word(rule_id: str, role: str) -> str:
    """What the part is: PASSWORD, TOKEN, KEY or SECRET, from the pair role or the rule id."""
    text = (role or rule_id.rsplit(".", 1)[-1]).upper()
    for word in ("PASSWORD", "TOKEN", "KEY", "SECRET"):
        if word in text:
            return word
    return "SECRET"


def part_name(binding: str | None, rule_id: str, role: str = "") -> str:
    """The variable for a secret that is only part of the value bound to `binding`:
    `DATABASE_URL` holding a URI password gives `DATABASE_PASSWORD`; "" when the binding says
    nothing (a bare `url`)."""
    words = env_name(binding or "").split("_")
    while words and words[-1] in _CONTAINER_WORDS:
        words.pop()
    stem = "_".join(w for w in words if w)
    if len(stem) < 3 or stem in GENERIC:
        return ""
    word = _part_word(rule_id, role)
    return stem if stem.endswith(word) else f"{stem}_{word}"


def rule_name(rule_id: str, role: str = "") -> str:
    known = KNOWN.get((rule_id, role))
    if known:
        return known
    provider = rule_id.split(".", 1)[0]
    return env_name(f"{provider}_{role}" if role else rule_id) or "LEAKED_SECRET"


def _preferred(secret: Secret, binding: str | None, whole: bool) -> str:
    documented = KNOWN.get((secret.rule_id, secret.role))
    if not whole:
        return (
            documented
            or part_name(binding, secret.rule_id, secret.role)
            or rule_name(secret.rule_id, secret.role)
        )
    bound = binding_name(binding)
    if bound and (names_a_credential(bound) or secret.rule_id.startswith("generic.")):
        return bound
    return rule_name(secret.rule_id, secret.role)


class Namer:
    """One name per secret value, unique across a plan, reusing the names of the environment
    file that already holds a value. `fork` and keep the copy only when a file is rewritten, so
    a refused file leaves no name behind."""

    def __init__(self, existing: Mapping[str, str] | None = None) -> None:
        existing = existing or {}
        self._by_value: dict[str, str] = {}
        for name, value in existing.items():
            self._by_value.setdefault(value, name)
        self._taken: set[str] = set(existing)
        self._new: dict[str, EnvEntry] = {}

    def fork(self) -> Namer:
        return copy.deepcopy(self)

    def name(self, secret: Secret, binding: str | None = None, *, whole: bool = True) -> str:
        """The variable for `secret`: the one it already has, else a fresh unique one. `whole`
        is False when the secret is only part of the value bound to `binding`."""
        known = self._by_value.get(secret.value)
        if known is not None:
            return known
        preferred = _preferred(secret, binding, whole)
        name, counter = preferred, 2
        while name in self._taken:
            name, counter = f"{preferred}_{counter}", counter + 1
        self._taken.add(name)
        self._by_value[secret.value] = name
        self._new[name] = EnvEntry(name, secret.value, secret.rule_id, secret.role)
        return name

    def claim(self, name: str, secret: Secret, *, add: bool) -> None:
        """`name` holds `secret` (an example file says so); `add` it to the environment file."""
        self._by_value.setdefault(secret.value, name)
        if name not in self._taken and add:
            self._new[name] = EnvEntry(name, secret.value, secret.rule_id, secret.role)
        self._taken.add(name)

    def taken(self, name: str) -> bool:
        return name in self._taken

    @property
    def new_entries(self) -> list[EnvEntry]:
        return list(self._new.values())
