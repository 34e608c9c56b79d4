"""What a developer reads when a commit or push is blocked: each finding (where, which rule, the
secret redacted, and for pushes the commit), what to do about it, and how to go ahead anyway
on purpose."""

from __future__ import annotations

import shlex
from pathlib import Path

from leakwarden.hooks import PRE_COMMIT, PRE_PUSH
from leakwarden.model import ScanResult
from leakwarden.reports.common import safe
from leakwarden.rules.catalog import Catalog

SKIP_OPTION = "leakwarden.skip"


def _by_kind(paths: list[str]) -> tuple[list[str], list[str]]:
    """The paths `leakwarden fix` rewrites, and the env files (which hold secrets by design and
    belong out of git rather than rewritten)."""
    from leakwarden.fix.plan import file_kind

    kinds = {p: file_kind(Path(p)) for p in paths}
    fixable = [p for p, kind in kinds.items() if kind not in ("other", "dotenv")]
    return fixable, [p for p, kind in kinds.items() if kind == "dotenv"]


def blocked(kind: str, result: ScanResult, catalog: Catalog, *, color: bool, allow_skip: bool = True) -> str:
    count = len(result.findings)
    what = {PRE_COMMIT: "commit blocked", PRE_PUSH: "push blocked"}.get(kind, "push rejected by the server")
    secrets = f"{count} secret{'s' if count != 1 else ''}"
    where = "the staged changes" if kind == PRE_COMMIT else "the pushed commits"
    paths = list(dict.fromkeys(o.provenance.path for f in result.findings for o in f.occurrences))
    lines = [f"leakwarden: {what}: {secrets} in {where}", ""]
    from leakwarden.reports.text import render_text  # rich: paid for only when a hook blocks

    report = render_text(result, catalog, False, color=color)
    lines.append(report.rstrip("\n"))
    lines += ["", "What to do:"]
    lines.append(
        "  1. Rotate each credential first (`leakwarden guide RULE_ID` says where): removing it does "
        "not make it safe, it may be copied already."
    )
    fixable, env_files = _by_kind(paths)
    step2 = "  2. Remove it from the code; have the program read it from the environment or a secret manager."
    lines.append(step2)
    if fixable:
        shown = " ".join(shlex.quote(safe(p)) for p in fixable[:8])
        lines.append(f"     `leakwarden fix {shown}` shows the rewrite (`--apply` writes it).")
    if env_files:
        shown = " ".join(shlex.quote(safe(p)) for p in env_files[:8])
        lines.append(f"     Keep env files out of git: `git rm --cached {shown}`; list them in .gitignore.")
    if kind == PRE_COMMIT:
        lines.append("  3. Stage the change (git add) and commit again.")
    else:
        lines.append(
            "  3. The secret is in commits: rewrite them before pushing again — `git commit --amend` "
            "for the last one, `git rebase -i` for older ones (git filter-repo for many)."
        )
    lines += ["", "To go ahead on purpose:"]
    lines.append(
        "  - a value that is not a real secret (a test key, say): add `leakwarden:allow <reason>` "
        "in a comment on its line, or `leakwarden ignore FINGERPRINT --reason ...`."
    )
    if kind == PRE_COMMIT:
        lines.append(
            "  - this once, skipping every hook: git commit --no-verify (the secret is then committed)."
        )
    elif kind == PRE_PUSH:
        lines.append("  - this once, skipping every hook: git push --no-verify (the secret then leaves).")
    elif allow_skip:
        lines.append(
            f"  - this once: git push -o {SKIP_OPTION} (the server records that the scan was skipped)."
        )
    else:
        lines.append("  - this server does not allow skipping the scan; ask its administrators.")
    return "\n".join(lines) + "\n"
