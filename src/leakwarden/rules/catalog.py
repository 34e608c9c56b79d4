"""Load the built-in catalogue and users' rule files into one validated `Catalog`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from leakwarden.errors import RuleError
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

    def select(self, enable: Iterable[str] | None = None, disable: Iterable[str] = ()) -> Catalog:
        """The rules named (by id or provider) in `enable`, less those in `disable`.

        Confidence is not a selection criterion: a low-confidence half still anchors a
        high-confidence pair, so the scanner filters findings by confidence after pairing."""
        enabled = set(enable) if enable is not None else None
        disabled = set(disable)

        def keep(rule: Rule) -> bool:
            if rule.id in disabled or rule.provider in disabled:
                return False
            return enabled is None or rule.id in enabled or rule.provider in enabled

        kept = tuple(rule for rule in self.rules if keep(rule))
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
            raise RuleError(file.name, None, None, f"invalid YAML: {exc}") from None
        rules.extend(parse_document(document, file.name))
    return rules


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
