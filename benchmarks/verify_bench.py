"""Verification throughput: 1,000 findings of 20 credential types checked against providers on
loopback, through a CONNECT proxy and TLS signed by a private CA (tests/loopback_https.py), with
the real client and its default limits (4 requests a second per host, 8 at once).

Reports requests per second and, per host, the most requests seen in any one-second window —
which must never exceed the per-host limit.

    .venv/bin/python benchmarks/verify_bench.py            # after ./scripts/test has built .venv
    .venv/bin/python benchmarks/verify_bench.py --types 20 --per-type 50
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.loopback_https import providers  # noqa: E402

from leakwarden.matching.engine import PythonEngine  # noqa: E402
from leakwarden.model import Confidence, Finding  # noqa: E402
from leakwarden.net import Net, NetSettings  # noqa: E402
from leakwarden.rules.catalog import load_catalog  # noqa: E402
from leakwarden.rules.schema import Rule  # noqa: E402
from leakwarden.rules.verify_schema import template_names, url_host_part  # noqa: E402
from leakwarden.verify import verify_findings  # noqa: E402


def _plain(rule: Rule) -> bool:
    """A check this harness can answer for: a fixed host, nothing needed, no signature."""
    spec = rule.verify
    return (
        spec is not None
        and not spec.needs
        and spec.sign is None
        and not template_names(url_host_part(spec.request.url))
    )


def _findings(rules: list[Rule], per_type: int) -> list[Finding]:
    engine = PythonEngine(load_catalog())
    findings = []
    for rule in rules:
        match = next(m for e in rule.examples for m in engine.scan(e.encode()) if m.rule_id == rule.id)
        for index in range(per_type):
            # Distinct credentials (the same one twice is asked once): vary the tail.
            secret = match.secret[:-4] + f"{index:04d}"
            parts = {role: (value[:-4] + f"{index:04d}") for role, value in match.parts.items()}
            findings.append(Finding(rule.id, secret, Confidence.HIGH, parts, []))
    return findings


def _busiest_second(times: list[float]) -> int:
    times.sort()
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--types", type=int, default=20)
    parser.add_argument("--per-type", type=int, default=50)
    args = parser.parse_args()

    catalog = load_catalog()
    chosen: list[Rule] = []
    hosts_seen: set[str] = set()
    for rule in catalog.rules:
        if _plain(rule) and rule.verify is not None and rule.verify.hosts[0] not in hosts_seen:
            chosen.append(rule)
            hosts_seen.add(rule.verify.hosts[0])
        if len(chosen) == args.types:
            break
    hosts = sorted({h for r in chosen if r.verify for h in r.verify.hosts})
    findings = _findings(chosen, args.per_type)

    def answer(*_request: object) -> tuple[int, object, dict[str, str]]:
        return 200, {"ok": True}, {}

    settings = NetSettings()
    with tempfile.TemporaryDirectory() as scratch, providers(hosts, answer, Path(scratch)) as network:
        os.environ["HTTPS_PROXY"] = network.proxy_url
        os.environ["SSL_CERT_FILE"] = str(network.ca_file)
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
            os.environ.pop(name, None)
        started = time.perf_counter()
        with Net(settings) as net:
            verdicts = verify_findings(findings, catalog, net, workers=settings.concurrency)
        elapsed = time.perf_counter() - started
        requests = list(network.log.requests)

    by_host: dict[str, list[float]] = defaultdict(list)
    for at, _method, host, _path in requests:
        by_host[host].append(at)
    busiest = {host: _busiest_second(times) for host, times in by_host.items()}
    statuses: dict[str, int] = defaultdict(int)
    for verdict in verdicts.values():
        statuses[verdict.status] += 1
    limit = settings.per_host_per_s
    print(f"findings {len(findings)} of {len(chosen)} types on {len(hosts)} hosts")
    print(f"requests {len(requests)} in {elapsed:.2f} s: {len(requests) / elapsed:.1f} requests/s")
    print(f"verdicts {dict(sorted(statuses.items()))}")
    print(f"limit {limit:g}/s per host, {settings.concurrency} at once")
    print(f"busiest one-second window per host: max {max(busiest.values())}, min {min(busiest.values())}")
    worst = max(busiest.values())
    if worst > limit:
        print(f"FAIL: a host saw {worst} requests in one second (limit {limit:g})")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
