"""ggshield: `.gitguardian.yaml` — version 2 (`secret.ignored_matches`, `secret.ignored_paths`,
`secret.ignored_detectors`) and the older version 1 (`matches-ignore`, `paths-ignore`,
`banlisted-detectors`).

An ignored match is the SHA-256 ggshield printed for a finding, or the secret itself. A secret
given in plain text is hashed here at once, so no plan and no file leakwarden writes holds it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import yaml

from leakwarden.errors import ConfigError
from leakwarden.ignore.importers.plan import (
    AllowPath,
    ImportPlan,
    Item,
    Origin,
    SecretIgnore,
    Untranslated,
)
from leakwarden.ignore.importers.regex_glob import escape_glob

TOOL = "ggshield"
_SHA256 = re.compile(r"[0-9a-f]{64}")
# ggshield refuses "***", and "**" anywhere but as a whole path component.
_INVALID_GLOB = re.compile(r"\*\*\*|\*\*[^/]|[^/]\*\*")
# Settings that change what ggshield prints or where it connects, not what it accepts.
_COSMETIC = {"show_secrets", "ignore_known_secrets_display", "with_incident_details"}


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _load(text: str, where: str) -> dict[str, Any]:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "cannot parse"
        raise ConfigError(f"{where}: invalid YAML{at}: {problem}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"{where}: the document must be a mapping of settings")
    return document


def _matches(where: str, key: str, value: Any) -> list[Item]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: key {key}: must be a list")
    items: list[Item] = []
    for index, entry in enumerate(value):
        name, match = ("", entry) if isinstance(entry, str) else ("", None)
        if isinstance(entry, dict):
            name, match = entry.get("name") or "", entry.get("match")
        if not isinstance(match, str) or not match or not isinstance(name, str):
            raise ConfigError(f"{where}: key {key}[{index}].match: must be a hash or a secret (a string)")
        hashed = bool(_SHA256.fullmatch(match))
        note = name or (f"match {match[:12]}…" if hashed else "a match given in plain text")
        items.append(SecretIgnore(Origin(TOOL, where, note), match if hashed else sha256_hex(match), hashed))
    return items


def translate_path(pattern: str) -> AllowPath | None:
    """A ggshield path pattern as a gitignore glob; None when ggshield itself would refuse it.

    ggshield anchors a pattern at the root when it starts with "/", else at the start of any
    path component; "**/" is any number of directories; "*" stays within a component; a final
    "/" selects a directory and everything in it, else the pattern must reach the path's end."""
    if not pattern or _INVALID_GLOB.search(pattern):
        return None
    notes = []
    body = "".join("\\" + c if c in "?[\\" else c for c in pattern.lstrip("/"))
    if pattern.startswith("/"):
        glob = "/" + body
    elif "/" in body.rstrip("/"):
        glob = body if body.startswith("**/") else "**/" + body
    else:
        glob = body
    if pattern.endswith("/**"):
        notes.append("ggshield reads a final '**' as a single component; the glob takes everything below")
    elif not pattern.endswith("/") and not re.search(r"[.*][^/]*$", pattern):
        notes.append("the glob also matches a directory of that name and everything in it")
    if glob.startswith(("!", "#")):
        glob = escape_glob(glob[0]) + glob[1:]
    return AllowPath(Origin(TOOL, ""), glob, "; ".join(notes))


def _paths(where: str, key: str, value: Any) -> list[Item]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: key {key}: must be a list of path patterns")
    items: list[Item] = []
    for index, pattern in enumerate(value):
        translated = translate_path(pattern)
        if translated is None:
            raise ConfigError(
                f"{where}: key {key}[{index}]: {pattern!r} is not a valid ggshield path pattern"
            )
        origin = Origin(TOOL, where, f"{key} {pattern!r}")
        items.append(AllowPath(origin, translated.glob, translated.approximation))
    return items


def _detectors(where: str, key: str, value: Any) -> list[Item]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: key {key}: must be a list of detector names")
    why = "GitGuardian's detectors are not leakwarden's rules; use `disable` with leakwarden rule ids"
    return [Untranslated(Origin(TOOL, where, f"{key} {name!r}"), why) for name in value]


def parse_gitguardian(text: str, where: str = ".gitguardian.yaml") -> ImportPlan:
    document = _load(text, where)
    version = document.get("version", 1)
    if version not in (1, 2):
        raise ConfigError(f"{where}: key version: must be 1 or 2")
    items: list[Item] = []
    # Version 1 keys; ggshield still reads them, and version 2 files in the wild carry them too.
    if "matches-ignore" in document:
        items += _matches(where, "matches-ignore", document["matches-ignore"])
    if "paths-ignore" in document:
        items += _paths(where, "paths-ignore", document["paths-ignore"])
    if "banlisted-detectors" in document:
        items += _detectors(where, "banlisted-detectors", document["banlisted-detectors"])
    secret = document.get("secret") or {}
    if not isinstance(secret, dict):
        raise ConfigError(f"{where}: key secret: must be a mapping")
    if "ignored_matches" in secret:
        items += _matches(where, "secret.ignored_matches", secret["ignored_matches"])
    if "ignored_paths" in secret:
        items += _paths(where, "secret.ignored_paths", secret["ignored_paths"])
    if "ignored_detectors" in secret:
        items += _detectors(where, "secret.ignored_detectors", secret["ignored_detectors"])
    if secret.get("ignore_known_secrets"):
        why = "it depends on GitGuardian's dashboard; leakwarden has no equivalent"
        items.append(Untranslated(Origin(TOOL, where, "secret.ignore_known_secrets"), why))
    handled = {"ignored_matches", "ignored_paths", "ignored_detectors", "ignore_known_secrets"}
    for key in sorted(set(secret) - handled - _COSMETIC):
        items.append(Untranslated(Origin(TOOL, where, f"secret.{key}"), "no equivalent in leakwarden"))
    return ImportPlan(TOOL, where, tuple(items))
