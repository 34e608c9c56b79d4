"""Checking a scan's findings: one verdict per finding, asked concurrently, remembered.

A finding's check values are its secret, its pair's halves and the captures of its occurrences
(an account host found beside a token); the user's `--context` fills what none of them holds.
A half found without its other half cannot be checked (its pair's check needs both): it says so
rather than being silently skipped. Identical credentials are asked once. The network's own caps
(per-host rate, concurrency) bound what is sent; this module only decides what to ask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from leakwarden.model import Finding, Verdict, VerdictStatus
from leakwarden.net import Net
from leakwarden.rules.catalog import Catalog
from leakwarden.rules.schema import Rule
from leakwarden.verify.cache import VerdictCache, cache_key
from leakwarden.verify.check import CheckPlan, check, plan_check, values_for


@dataclass(frozen=True, slots=True)
class Planned:
    """What checking one finding means: the rule whose check runs and its values, or the verdict
    that says why there is no check."""

    fingerprint: str
    rule: Rule | None
    values: Mapping[str, str]
    verdict: Verdict | None = None  # set when nothing is to be sent


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _pair_of(catalog: Catalog, rule_id: str) -> Rule | None:
    for rule in catalog.rules:
        if rule.pair is not None and rule_id in (rule.pair.anchor, rule.pair.partner):
            return rule
    return None


def plan_finding(finding: Finding, catalog: Catalog, context: Mapping[str, str] | None = None) -> Planned:
    rule = catalog.get(finding.rule_id)
    if rule is None:
        return Planned(finding.fingerprint, None, {}, Verdict(VerdictStatus.NOT_CHECKABLE, "unknown rule"))
    if rule.verify is None:
        pair = _pair_of(catalog, rule.id) if rule.pair is None else None
        if pair is not None and pair.verify is not None:
            reason = f"half of {pair.id}: its other half was not found beside it"
        else:
            reason = f"{rule.id} has no live check"
        return Planned(finding.fingerprint, rule, {}, Verdict(VerdictStatus.NOT_CHECKABLE, reason, _stamp()))
    captures: dict[str, str] = {}
    for occurrence in finding.occurrences:
        for name, value in occurrence.captures.items():
            captures.setdefault(name, value)
    values = values_for(rule, finding.secret, finding.parts, captures, context)
    return Planned(finding.fingerprint, rule, values)


def dry_run(
    findings: Iterable[Finding], catalog: Catalog, context: Mapping[str, str] | None = None
) -> list[tuple[str, CheckPlan | Verdict]]:
    """The request each finding's check would send (or why none would be), sending nothing."""
    out: list[tuple[str, CheckPlan | Verdict]] = []
    for finding in findings:
        planned = plan_finding(finding, catalog, context)
        if planned.verdict is not None or planned.rule is None:
            out.append((finding.fingerprint, planned.verdict or Verdict(VerdictStatus.NOT_CHECKABLE)))
        else:
            out.append((finding.fingerprint, plan_check(planned.rule, planned.values)))
    return out


def verify_findings(
    findings: Iterable[Finding],
    catalog: Catalog,
    net: Net,
    *,
    cache: VerdictCache | None = None,
    context: Mapping[str, str] | None = None,
    workers: int = 8,
    on_verdict: Callable[[], None] | None = None,
) -> dict[str, Verdict]:
    """A verdict for every finding, by fingerprint. Never raises for what a provider does."""
    verdicts: dict[str, Verdict] = {}
    to_ask: dict[str, tuple[Rule, Mapping[str, str], list[str]]] = {}
    for finding in findings:
        planned = plan_finding(finding, catalog, context)
        if planned.verdict is not None or planned.rule is None:
            verdicts[planned.fingerprint] = planned.verdict or Verdict(VerdictStatus.NOT_CHECKABLE)
            continue
        key = cache_key(planned.rule.id, planned.values)
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            verdicts[planned.fingerprint] = cached
            continue
        entry = to_ask.setdefault(key, (planned.rule, planned.values, []))
        entry[2].append(planned.fingerprint)

    def ask(key: str) -> tuple[str, Verdict]:
        rule, values, _ = to_ask[key]
        verdict = check(rule, values, net)
        if on_verdict is not None:
            on_verdict()
        return key, verdict

    if to_ask:
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(to_ask)))) as pool:
            for key, verdict in pool.map(ask, _interleaved(to_ask)):
                if cache is not None:
                    cache.put(key, verdict)
                for fp in to_ask[key][2]:
                    verdicts[fp] = verdict
    return verdicts


def _interleaved(to_ask: Mapping[str, tuple[Rule, Mapping[str, str], list[str]]]) -> list[str]:
    """The questions round-robin by rule: each provider has its own rate limit, so fifty keys of
    one type asked in a row would keep every worker waiting on one host while the others idle."""
    by_rule: dict[str, list[str]] = {}
    for key, (rule, _, _) in to_ask.items():
        by_rule.setdefault(rule.id, []).append(key)
    queues = list(by_rule.values())
    order: list[str] = []
    for index in range(max(len(q) for q in queues)):
        order.extend(q[index] for q in queues if index < len(q))
    return order
