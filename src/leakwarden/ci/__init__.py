"""`scan ci`: detect the CI provider and event, draw the range of commits it brought, scan it."""

from __future__ import annotations

from leakwarden.ci.context import CiContext, CiDetectionError
from leakwarden.ci.detect import detect
from leakwarden.ci.plan import CiPlan, Fetch, plan
from leakwarden.ci.scan import load_github_event, scan_ci

__all__ = [
    "CiContext",
    "CiDetectionError",
    "CiPlan",
    "Fetch",
    "detect",
    "load_github_event",
    "plan",
    "scan_ci",
]
