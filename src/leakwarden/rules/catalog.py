"""Load the built-in catalogue and users' rule files into one validated `Catalog`."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from leakwarden.errors import ConfigError, RuleError
from leakwarden.rules.schema import Rule, parse_document

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, slots=True)
class RuleFile:
    name: str
    text: bytes


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...]
    digest: str
    _by_id: dict[str, Rule] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {rule.id: rule for rule in self.rules})

    def get(self, rule_id: str) -> Rule | None:
        return self._by_id.get(rule_id)

    def __getitem__(self, rule_id: str) -> Rule:
        rule = self.get(rule_id)
        if rule is None:
            raise KeyError(rule_id)
        return rule

    def __len__(self) -> int:
        return len(self.rules)

    @property
    def providers(self) -> list[str]:
        return sorted({rule.provider for rule in self.rules})

    def nearest(self, name: str) -> str:
        """ " (nearest: …)", the known rule ids and providers closest to `name`, for an error
        message; or where to look them up when none is close."""
        known = sorted({r.id for r in self.rules} | {r.provider for r in self.rules})
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        if not close:  # a provider's rules share its prefix: "scalewy.key" is near "scaleway"
            head = name.split(".", 1)[0]
            close = difflib.get_close_matches(head, known, n=3, cutoff=0.5)
        if close:
            return f" (nearest: {', '.join(close)})"
        return " (see `leakwarden rules list`)"

    def select(
        self,
        enable: Iterable[str] | None = None,
        disable: Iterable[str] = (),
        origins: Mapping[str, str] | None = None,
    ) -> Catalog:
        """The rules named (by id or provider) in `enable`, less those in `disable`. A name that
        is neither a rule id nor a provider, or a selection that leaves no rule, is a
        ConfigError naming the key and where it was set (`origins`, as `Config.origins`): a typo
        must not silently scan with no rules, or with a rule the user meant to turn off.

        Confidence is not a selection criterion: a low-confidence half still anchors a
        high-confidence pair, so the scanner filters findings by confidence after pairing."""
        enabled = set(enable) if enable is not None else None
        disabled = set(disable)
        if enabled is None and not disabled:
            return self
        origins = origins or {}
        known = {r.id for r in self.rules} | {r.provider for r in self.rules}
        for key, names in (("enable", sorted(enabled or ())), ("disable", sorted(disabled))):
            for name in names:
                if name not in known:
                    where = origins.get(key, "configuration")
                    raise ConfigError(f"{where}: key {key}: no rule or provider {name!r}{self.nearest(name)}")

        def keep(rule: Rule) -> bool:
            if rule.id in disabled or rule.provider in disabled:
                return False
            return enabled is None or rule.id in enabled or rule.provider in enabled

        kept = tuple(rule for rule in self.rules if keep(rule))
        if not kept:
            keys = [k for k, given in (("enable", enabled is not None), ("disable", bool(disabled))) if given]
            where = " and ".join(dict.fromkeys(origins.get(k, "configuration") for k in keys))
            named = f"{'keys' if len(keys) > 1 else 'key'} {' and '.join(keys)}"
            raise ConfigError(
                f"{where}: {named}: leaves no rule to scan with (the catalogue has {len(self.rules)})"
            )
        if len(kept) == len(self.rules):
            return self
        digest = hashlib.sha256(f"{self.digest}:{[r.id for r in kept]}".encode()).hexdigest()
        return Catalog(kept, digest)


def builtin_files() -> list[RuleFile]:
    folder = resources.files("leakwarden.rules") / "catalog"
    files = [
        RuleFile(f"builtin:{entry.name}", entry.read_bytes())
        for entry in folder.iterdir()
        if entry.name.endswith((".yaml", ".yml"))
    ]
    return sorted(files, key=lambda f: f.name)


def read_rule_files(paths: Sequence[str | Path]) -> list[RuleFile]:
    files = []
    for path in paths:
        try:
            files.append(RuleFile(str(path), Path(path).read_bytes()))
        except OSError as exc:
            raise RuleError(str(path), None, None, f"cannot read rule file: {exc.strerror or exc}") from None
    return files


def parse_files(files: Sequence[RuleFile]) -> list[Rule]:
    rules: list[Rule] = []
    for file in files:
        try:
            document = yaml.load(file.text, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise RuleError(file.name, None, None, f"invalid YAML: {_yaml_reason(exc)}") from None
        rules.extend(parse_document(document, file.name))
    return rules


def _yaml_reason(exc: yaml.YAMLError) -> str:
    """YAML's error in one line, with the line and column of the problem."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return " ".join(f"{problem}{where}".split())


def _check_references(rules: Sequence[Rule]) -> None:
    by_id: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in by_id:
            raise RuleError(rule.source, rule.id, "id", f"duplicate id (also in {by_id[rule.id].source})")
        by_id[rule.id] = rule
    for rule in rules:
        if rule.pair is None:
            continue
        for role in ("anchor", "partner"):
            target = by_id.get(getattr(rule.pair, role))
            if target is None or target.pair is not None:
                raise RuleError(
                    rule.source, rule.id, f"pair.{role}", "must name a pattern rule of the catalogue"
                )


def build_catalog(files: Sequence[RuleFile]) -> Catalog:
    return _assemble(files, parse_files(files))


def _assemble(files: Sequence[RuleFile], rules: list[Rule]) -> Catalog:
    """The parsed `rules` of `files`, checked together, as one catalogue."""
    _check_references(rules)
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.name.encode() + b"\x00" + file.text + b"\x00")
    return Catalog(tuple(rules), digest.hexdigest())


def load_catalog(
    extra_rule_files: Sequence[str | Path] = (), builtin: bool = True, use_cache: bool = True
) -> Catalog:
    """The built-in catalogue plus users' rule files, validated together. The built-in rules'
    parse is cached on disk (`rules.cache`); users' files are small and always parsed."""
    builtins = builtin_files() if builtin else []
    extra = read_rule_files(extra_rule_files)
    if not (use_cache and builtins):
        return build_catalog(builtins + extra)
    from leakwarden.rules.cache import cached_rules

    parsed = cached_rules([(f.name, f.text) for f in builtins], lambda: parse_files(builtins))
    return _assemble(builtins + extra, list(parsed) + parse_files(extra))
