"""A plan as a unified diff, secrets redacted unless asked."""

from __future__ import annotations

import difflib
from pathlib import Path

from leakwarden.fix.model import FileChange, FixPlan
from leakwarden.reports.common import redact


def _label(path: Path, side: str) -> str:
    text = path.as_posix()
    return text if path.is_absolute() else f"{side}/{text}"


def _lines(text: str | None) -> list[str]:
    lines = (text or "").splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def change_diff(change: FileChange) -> str:
    before = "/dev/null" if change.old is None else _label(change.path, "a")
    return "".join(
        difflib.unified_diff(_lines(change.old), _lines(change.new), before, _label(change.path, "b"))
    )


def render_diff(plan: FixPlan, show_secrets: bool = False) -> str:
    text = "".join(change_diff(change) for change in plan.changes)
    if not show_secrets:
        for secret in sorted(plan.secrets, key=len, reverse=True):
            text = text.replace(secret, redact(secret))
    return text
