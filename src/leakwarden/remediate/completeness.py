"""Which guide items a rule's playbook supplies, and which it must supply.

The guide has nine numbered items (what it is, how to generate a new one, how it leaks, risks,
how to detect use, how to revoke, what stops working, keeping it out of source, best practices)
plus references. Shared templates fill every gap, so every rule renders; but a guide is only as
specific as its rule's data. Every rule must at least say what it is (1), how a replacement is
made (2), where its use shows (5) and how it is revoked, with the console URL (6); the founding
providers' rules must supply every item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from leakwarden.remediate.model import Completeness
from leakwarden.rules.schema import Playbook, Rule

# The credential types of our founding documents: their guides are complete and stay complete.
FOUNDING_PROVIDERS = frozenset({"scaleway", "alibaba", "scalr", "packagecloud"})


@dataclass(frozen=True, slots=True)
class Item:
    key: str
    number: int
    label: str
    fields: tuple[str, ...]  # the playbook fields that supply it (for error messages)
    minimum: Callable[[Playbook], bool]  # what every rule must have
    full: Callable[[Playbook], bool]  # what a complete guide has


ITEMS: tuple[Item, ...] = (
    Item("what", 1, "what it is and what it grants", ("what", "usage"), lambda p: bool(p.what),
         lambda p: bool(p.what and p.usage)),
    Item("generate", 2, "how a replacement is generated", ("generate",), lambda p: bool(p.generate),
         lambda p: bool(p.generate)),
    Item("leak_vectors", 3, "how it usually leaks", ("leak_vectors",), lambda p: True,
         lambda p: bool(p.leak_vectors)),
    Item("risks", 4, "what a holder can do", ("risks",), lambda p: True, lambda p: bool(p.risks)),
    Item("detect_use", 5, "how to check whether someone used it", ("detect_use", "logs"),
         lambda p: bool(p.detect_use or p.logs), lambda p: bool(p.detect_use and p.logs)),
    Item("revoke", 6, "how to revoke and rotate it", ("revoke", "revoke_url"),
         lambda p: bool(p.revoke and p.revoke_at), lambda p: bool(p.revoke and p.revoke_at)),
    Item("consumers", 7, "what stops working when it is revoked", ("consumers",), lambda p: True,
         lambda p: bool(p.consumers)),
    Item("keep_out", 8, "its variable names and secret path", ("env_vars", "secret_path"),
         lambda p: True, lambda p: bool(p.env_vars and p.secret_path)),
    Item("best_practices", 9, "the provider's best practices", ("best_practices",), lambda p: True,
         lambda p: bool(p.best_practices)),
    Item("references", 10, "the provider documentation it was written from", ("guide_references",),
         lambda p: True, lambda p: bool(p.guide_references)),
)  # fmt: skip


def requires_full_guide(rule: Rule) -> bool:
    return rule.provider in FOUNDING_PROVIDERS


def missing_items(rule: Rule, full: bool | None = None) -> list[Item]:
    """The items `rule` lacks: every item when `full` (default: for the founding providers),
    else the minimum every rule needs."""
    full = requires_full_guide(rule) if full is None else full
    return [item for item in ITEMS if not (item.full if full else item.minimum)(rule.playbook)]


def completeness(rule: Rule) -> Completeness:
    present = tuple(item.key for item in ITEMS if item.full(rule.playbook))
    missing = tuple(item.key for item in ITEMS if not item.full(rule.playbook))
    required = tuple(item.key for item in missing_items(rule))
    empty = tuple(
        name
        for item in ITEMS
        if item.key in missing
        for name in item.fields
        if not getattr(rule.playbook, name)
    )
    return Completeness(present, missing, required, empty)
