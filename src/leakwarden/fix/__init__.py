"""`leakwarden fix`: rewrite hardcoded credentials into environment lookups.

`plan_fixes(paths)` scans and plans — per file the new text or the reason it cannot be
rewritten safely, the variables for the environment file, the names for its example file, the
`.gitignore` lines — and writes nothing. `apply(plan)` is the only writer. `render_diff(plan)`
shows a plan as a unified diff, secrets redacted.

One module per file kind: `python` (libcst), `javascript` (tree-sitter; JavaScript, TypeScript,
TSX), `yaml_config` (docker compose, GitHub Actions, GitLab CI), `dotenv`. Moving a credential
out of the code does not un-leak it: it must still be rotated.
"""

from __future__ import annotations

from leakwarden.fix.apply import apply
from leakwarden.fix.diff import render_diff
from leakwarden.fix.model import EnvEntry, FileChange, FileOutcome, FixPlan, Status
from leakwarden.fix.plan import plan_findings, plan_fixes

__all__ = [
    "EnvEntry",
    "FileChange",
    "FileOutcome",
    "FixPlan",
    "Status",
    "apply",
    "plan_findings",
    "plan_fixes",
    "render_diff",
]
