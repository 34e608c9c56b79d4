"""Live checks: is a found credential still accepted by the provider that issued it?

`verify` takes a rule and the values of one finding (the secret, a pair's halves, captures such
as an account host, the user's `--context`) and returns a `Verdict`. It never scans. It sends a
credential only to a host its rule declares, over TLS, through `net` (timeouts, retries,
per-host rate limits); the request is planned as pure data first, so `--verify-dry-run` can show
it redacted and tests can inspect it.
"""

from leakwarden.verify.batch import dry_run, plan_finding, verify_findings
from leakwarden.verify.check import CheckPlan, check, describe, plan_check, values_for
from leakwarden.verify.judge import judge

__all__ = [
    "CheckPlan",
    "check",
    "describe",
    "dry_run",
    "judge",
    "plan_check",
    "plan_finding",
    "values_for",
    "verify_findings",
]
