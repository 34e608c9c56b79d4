"""detect-secrets: `.secrets.baseline`, a JSON document whose `results` map each file to the
secrets found there (`hashed_secret` is the SHA-1 of the secret, `is_secret` the audit's
verdict), plus the path, line and secret filters the baseline was made with."""

from __future__ import annotations

import json
import re
from typing import Any

from leakwarden.errors import ConfigError
from leakwarden.ignore.importers.plan import (
    AllowPath,
    AllowSecret,
    ImportPlan,
    Item,
    Origin,
    PlaceIgnore,
    Untranslated,
)
from leakwarden.ignore.importers.regex_glob import NotExpressible, regex_to_globs

TOOL = "detect-secrets"
_SHA1 = re.compile(r"[0-9a-f]{40}")
_FILTER_PREFIX = "detect_secrets.filters."
# Filters every baseline lists by default: heuristics leakwarden's own filters stand in for, and
# the inline pragma leakwarden already honours.
_BUILT_IN_FILTERS = ("heuristic.", "allowlist.is_line_allowlisted", "common.")


def _results(where: str, results: Any) -> list[Item]:
    if not isinstance(results, dict):
        raise ConfigError(f"{where}: key results: must be an object mapping file names to lists")
    items: list[Item] = []
    for filename, rows in results.items():
        if not isinstance(rows, list):
            raise ConfigError(f"{where}: key results[{filename!r}]: must be a list")
        for index, row in enumerate(rows):
            key = f"results[{filename!r}][{index}]"
            if not isinstance(row, dict):
                raise ConfigError(f"{where}: key {key}: must be an object")
            hashed, line, kind = row.get("hashed_secret"), row.get("line_number"), row.get("type", "")
            if not isinstance(hashed, str) or not _SHA1.fullmatch(hashed):
                raise ConfigError(f"{where}: key {key}.hashed_secret: must be a SHA-1 (40 hex digits)")
            if not isinstance(line, int) or isinstance(line, bool) or line < 1:
                raise ConfigError(f"{where}: key {key}.line_number: must be a positive integer")
            verdict = row.get("is_secret")
            place = f"{kind or 'secret'} at {filename}:{line}"
            if verdict is True:
                why = "audited as a real secret (is_secret: true): rotate it; leakwarden keeps reporting it"
                items.append(Untranslated(Origin(TOOL, where, place), why))
                continue
            note = f"{place}, " + (
                "audited: not a secret" if verdict is False else "unaudited baseline entry"
            )
            items.append(PlaceIgnore(Origin(TOOL, where, note), filename, line, sha1=hashed, their_rule=kind))
    return items


def _patterns(where: str, key: str, value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: key {key}: must be a regex or a list of regexes")
    return value


def _file_patterns(where: str, label: str, patterns: list[str]) -> list[Item]:
    items: list[Item] = []
    for pattern in patterns:
        origin = Origin(TOOL, where, f"{label} {pattern!r}")
        try:
            items += [AllowPath(origin, g.glob, g.approximation) for g in regex_to_globs(pattern)]
        except NotExpressible as exc:
            why = f"no gitignore glob selects the same paths ({exc}); use `exclude` or `allow_paths` by hand"
            items.append(Untranslated(origin, why))
    return items


def _line_patterns(where: str, label: str, patterns: list[str]) -> list[Item]:
    why = "leakwarden has no line allowlist: mark those lines with `leakwarden:allow <reason>`"
    return [Untranslated(Origin(TOOL, where, f"{label} {p!r}"), why) for p in patterns]


def _secret_patterns(where: str, label: str, patterns: list[str]) -> list[Item]:
    items: list[Item] = []
    for pattern in patterns:
        origin = Origin(TOOL, where, f"{label} {pattern!r}")
        try:
            re.compile(pattern)
        except re.error as exc:
            items.append(Untranslated(origin, f"does not compile: {exc}"))
            continue
        items.append(AllowSecret(origin, pattern))
    return items


def _filters(where: str, filters: Any) -> list[Item]:
    if not isinstance(filters, list) or not all(isinstance(f, dict) for f in filters):
        raise ConfigError(f"{where}: key filters_used: must be a list of objects")
    items: list[Item] = []
    for index, entry in enumerate(filters):
        path = entry.get("path")
        if not isinstance(path, str):
            raise ConfigError(f"{where}: key filters_used[{index}].path: must be a string")
        name = path.removeprefix(_FILTER_PREFIX)
        patterns = _patterns(where, f"filters_used[{index}].pattern", entry.get("pattern"))
        if name == "regex.should_exclude_file":
            items += _file_patterns(where, "excluded files", patterns)
        elif name == "regex.should_exclude_line":
            items += _line_patterns(where, "excluded lines", patterns)
        elif name == "regex.should_exclude_secret":
            items += _secret_patterns(where, "excluded secrets", patterns)
        elif path.startswith(_FILTER_PREFIX) and name.startswith(_BUILT_IN_FILTERS):
            continue
        else:
            why = "a custom filter is code leakwarden cannot run"
            items.append(Untranslated(Origin(TOOL, where, f"filter {path}"), why))
    return items


def parse_secrets_baseline(text: str, where: str = ".secrets.baseline") -> ImportPlan:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid JSON: {exc}") from None
    if not isinstance(document, dict) or "results" not in document:
        raise ConfigError(f"{where}: key results: missing (not a detect-secrets baseline)")
    items = _results(where, document["results"])
    exclude = document.get("exclude")  # the format of detect-secrets before 1.0
    if exclude is not None:
        if not isinstance(exclude, dict):
            raise ConfigError(f"{where}: key exclude: must be an object")
        items += _file_patterns(
            where, "exclude.files", _patterns(where, "exclude.files", exclude.get("files"))
        )
        items += _line_patterns(
            where, "exclude.lines", _patterns(where, "exclude.lines", exclude.get("lines"))
        )
    if "filters_used" in document:
        items += _filters(where, document["filters_used"])
    word_list = document.get("word_list")
    if isinstance(word_list, dict) and word_list.get("file"):
        why = "the word list file is not read; add its words to `allow_secrets` if they still matter"
        items.append(Untranslated(Origin(TOOL, where, f"word_list {word_list['file']!r}"), why))
    return ImportPlan(TOOL, where, tuple(items))
