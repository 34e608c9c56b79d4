"""gitleaks: `.gitleaksignore` (one finding fingerprint a line) and the allowlists of
`.gitleaks.toml` (`[allowlist]`, `[[allowlists]]`, and those scoped to gitleaks' own rules)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
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

TOOL = "gitleaks"
_COMMIT = re.compile(r"[0-9a-fA-F]{7,64}")
_ALLOWLIST_KEYS = {"description", "condition", "commits", "paths", "regexTarget", "regexes", "stopwords"}


def parse_gitleaksignore(text: str, where: str = ".gitleaksignore") -> ImportPlan:
    """Lines `commit:path:rule:line` (a finding of a git scan) or `path:rule:line`; `#` starts a
    comment line, and the comment lines just above an entry become its note."""
    items: list[Item] = []
    comments: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            comments = []
            continue
        if line.startswith("#"):
            comments.append(line.lstrip("#").strip())
            continue
        head, rule, line_no = [*line.rsplit(":", 2), "", ""][:3]
        if not rule or not line_no.isdigit() or not head:
            raise ConfigError(
                f"{where}: line {number}: not a gitleaks fingerprint "
                "(commit:path:rule:line or path:rule:line)"
            )
        commit, _, path = head.partition(":")
        if not path or not _COMMIT.fullmatch(commit):
            commit, path = "", head
        note = " ".join(c for c in comments if c) or line
        origin = Origin(TOOL, where, note)
        items.append(PlaceIgnore(origin, path.replace("\\", "/"), int(line_no), commit, their_rule=rule))
        comments = []
    return ImportPlan(TOOL, where, tuple(items))


def _strings(where: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: key {key}: must be an array of strings")
    return value


def _allowlist(where: str, label: str, table: Mapping[str, Any]) -> list[Item]:
    description = table.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{where}: key {label}.description: must be a string")

    def origin(what: str) -> Origin:
        return Origin(TOOL, where, f"{label} {what}" + (f" ({description})" if description else ""))

    if table.get("targetRules"):
        rules = ", ".join(_strings(where, f"{label}.targetRules", table["targetRules"]))
        return [Untranslated(origin("targetRules"), f"it applies only to gitleaks' rules {rules}")]
    present = [k for k in ("paths", "regexes", "stopwords", "commits") if table.get(k)]
    condition = str(table.get("condition", "OR")).upper()
    if condition not in ("OR", "AND"):
        raise ConfigError(f"{where}: key {label}.condition: must be OR or AND")
    if condition == "AND" and len(present) > 1:
        return [
            Untranslated(
                origin(f"condition = AND over {', '.join(present)}"),
                "leakwarden's allowlists each accept on their own; splitting this one would accept more",
            )
        ]
    items: list[Item] = []
    for pattern in _strings(where, f"{label}.paths", table.get("paths", [])):
        try:
            globs = regex_to_globs(pattern)
        except NotExpressible as exc:
            why = f"no gitignore glob selects the same paths ({exc}); use `leakwarden ignore` instead"
            items.append(Untranslated(origin(f"paths {pattern!r}"), why))
            continue
        items.extend(AllowPath(origin(f"paths {pattern!r}"), g.glob, g.approximation) for g in globs)
    target = table.get("regexTarget", "secret")
    for pattern in _strings(where, f"{label}.regexes", table.get("regexes", [])):
        if target != "secret":
            why = f"regexTarget = {target!r}: leakwarden's allow_secrets is searched in the secret only"
            items.append(Untranslated(origin(f"regexes {pattern!r}"), why))
            continue
        try:
            re.compile(pattern)
        except re.error as exc:
            why = f"Python's re cannot compile this Go regex ({exc})"
            items.append(Untranslated(origin(f"regexes {pattern!r}"), why))
            continue
        items.append(AllowSecret(origin(f"regexes {pattern!r}"), pattern))
    # gitleaks drops a secret that contains a stopword, ignoring case.
    for word in _strings(where, f"{label}.stopwords", table.get("stopwords", [])):
        items.append(AllowSecret(origin(f"stopwords {word!r}"), "(?i)" + re.escape(word)))
    commits = _strings(where, f"{label}.commits", table.get("commits", []))
    if commits:
        why = (
            "leakwarden accepts findings, not commits: scan those commits (`leakwarden scan git --range`) "
            "and accept each finding with `leakwarden ignore`"
        )
        items.append(Untranslated(origin(f"commits ({len(commits)})"), why))
    for key in sorted(set(table) - _ALLOWLIST_KEYS - {"targetRules"}):
        items.append(Untranslated(origin(key), "unknown allowlist key"))
    return items


def parse_gitleaks_config(text: str, where: str = ".gitleaks.toml") -> ImportPlan:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    items: list[Item] = []
    single = document.get("allowlist")
    if single is not None:
        if not isinstance(single, dict):
            raise ConfigError(f"{where}: key allowlist: must be a table")
        items += _allowlist(where, "[allowlist]", single)
    many = document.get("allowlists", [])
    if not isinstance(many, list) or not all(isinstance(t, dict) for t in many):
        raise ConfigError(f"{where}: key allowlists: must be an array of tables ([[allowlists]])")
    for index, table in enumerate(many):
        items += _allowlist(where, f"[[allowlists]] #{index + 1}", table)
    extend = document.get("extend")
    if isinstance(extend, dict) and extend:
        what = "the default configuration" if extend.get("useDefault") else "another configuration file"
        items.append(
            Untranslated(
                Origin(TOOL, where, "[extend]"),
                f"the allowlists of {what} it extends are not read; our rules have their own filters",
            )
        )
    rules = document.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise ConfigError(f"{where}: key rules: must be an array of tables ([[rules]])")
    for rule in rules:
        name = str(rule.get("id", "?"))
        if rule.get("allowlist") or rule.get("allowlists"):
            items.append(
                Untranslated(
                    Origin(TOOL, where, f"[[rules]] {name} allowlist"),
                    "it applies to one gitleaks rule; leakwarden's rules and ids differ",
                )
            )
    if rules:
        items.append(
            Untranslated(
                Origin(TOOL, where, f"[[rules]] ({len(rules)})"),
                "gitleaks rules are not imported; write them as a leakwarden rule file (docs/rules.md)",
            )
        )
    return ImportPlan(TOOL, where, tuple(items))
