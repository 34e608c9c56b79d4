"""The I/O around detection (GitHub's event payload) and the scan of the planned range."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from leakwarden.ci.context import CiContext, CiDetectionError
from leakwarden.ci.plan import NO_FETCH, CiPlan, Fetch, plan
from leakwarden.model import DEFAULT_DECODE_DEPTH, Confidence, ScanResult, ScanSummary
from leakwarden.rules.catalog import Catalog
from leakwarden.scan import scan_git
from leakwarden.scan.runner import Progress
from leakwarden.sources.git_history import DEFAULT_MAX_FILE_SIZE
from leakwarden.sources.gitcmd import Git

MAX_EVENT_BYTES = 25 << 20  # GitHub caps webhook payloads at 25 MB


def load_github_event(env: Mapping[str, str]) -> Mapping[str, Any] | None:
    """The JSON payload GITHUB_EVENT_PATH points at, on GitHub Actions; None elsewhere or when
    the variable is unset (detection then names it if the event needs it)."""
    if env.get("GITHUB_ACTIONS") != "true":
        return None
    path = env.get("GITHUB_EVENT_PATH", "").strip()
    if not path:
        return None
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_EVENT_BYTES + 1)
    except OSError as exc:
        raise CiDetectionError(
            "GITHUB_EVENT_PATH", f"GITHUB_EVENT_PATH: cannot read {path}: {exc.strerror or exc}"
        ) from None
    try:
        document = json.loads(raw) if len(raw) <= MAX_EVENT_BYTES else None
    except ValueError as exc:
        raise CiDetectionError(
            "GITHUB_EVENT_PATH", f"GITHUB_EVENT_PATH: {path} is not JSON ({exc})"
        ) from None
    if not isinstance(document, dict):
        raise CiDetectionError("GITHUB_EVENT_PATH", f"GITHUB_EVENT_PATH: {path} is not a JSON object")
    return document


def scan_ci(
    repo: str,
    ctx: CiContext,
    *,
    fetch: Fetch = NO_FETCH,
    exclude: Sequence[str] = (),
    max_file_size: int = DEFAULT_MAX_FILE_SIZE,
    include_binary: bool = False,
    decode_depth: int = DEFAULT_DECODE_DEPTH,
    catalog: Catalog | None = None,
    engine: str = "auto",
    min_confidence: Confidence = Confidence.MEDIUM,
    jobs: int = 0,
    progress: Progress | None = None,
) -> tuple[ScanResult, CiPlan]:
    """Scan what the CI run brought; the plan says which range that was and what was not seen
    (its notes are also the result's notes)."""
    drawn = plan(Git.open(repo), ctx, fetch)
    if drawn.rev_range is None:
        result = ScanResult([], ScanSummary(), f"{repo} (ci: {drawn.description})")
    else:
        result = scan_git(
            repo,
            rev_range=drawn.rev_range,
            exclude=exclude,
            max_file_size=max_file_size,
            include_binary=include_binary,
            decode_depth=decode_depth,
            catalog=catalog,
            engine=engine,
            min_confidence=min_confidence,
            jobs=jobs,
            progress=progress,
        )
        result.target = f"{repo} (ci: {ctx.provider_name}, {ctx.event} {drawn.description})"
    result.summary.notes[:0] = drawn.notes
    return result, drawn
