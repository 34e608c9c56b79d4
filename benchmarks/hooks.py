"""Hook latency: a real `git commit` of a small change, through each tool's pre-commit hook.

    python benchmarks/hooks.py               # after benchmarks/run.py has built the corpora and venvs
    python benchmarks/hooks.py --runs 20

The repository is a local clone of the history corpus (83k files checked out: the size of a
real project). The change is four small new files with no secret in them, so that every hook
lets the commit through and the commit is then undone (`git reset --soft`) for
the next tool. Each tool's hook is the one its documentation installs:

- leakwarden: `leakwarden hook install --pre-commit` (the script runs `leakwarden hook run
  pre-commit`: `scan staged` plus the blocked-commit guidance);
- gitleaks: its documented pre-commit command, `gitleaks git --pre-commit --staged --redact`;
- detect-secrets: `detect-secrets-hook` on the staged file names, as the pre-commit framework
  calls it;
- none: `git commit` with no hook at all (the floor).

Tools are interleaved (A B C D A B C D …) after one untimed warm-up each; the table gives the
median and the spread of wall time. The result replaces the text between the hook markers in
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora
import peers

BEGIN = "<!-- hooks:begin -->"
END = "<!-- hooks:end -->"
CHANGE = {
    "src/app/settings.py": "TIMEOUT = 30\nRETRIES = 3\n",
    "src/app/__init__.py": '"""The app."""\n',
    "docs/notes.md": "# Notes\n\nNothing secret here.\n",
    "README-hooks.txt": "A small change to commit.\n",
}
ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
}


def git(repo: Path, *args: str) -> str:
    return corpora.git(list(args), cwd=repo, env=ENV)


def prepare(repo: Path) -> None:
    source = corpora.corpus_path("history", False)
    if not source.exists():
        raise SystemExit("build the corpora first: python benchmarks/corpora.py build --corpus history")
    if not repo.exists():
        corpora.log(f"cloning {source} into {repo}")
        subprocess.run(["git", "clone", "-q", str(source), str(repo)], check=True)
    git(repo, "reset", "-q", "--hard", "HEAD")
    for rel, text in CHANGE.items():
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "--", *CHANGE)


def hook_scripts(repo: Path) -> dict[str, str | None]:
    """Each tool's pre-commit hook (None: installed by the tool itself)."""
    gitleaks = peers.native_binary("gitleaks")
    detect_hook = peers.VENVS / "detect-secrets" / "bin" / "detect-secrets-hook"
    names = "git diff --cached --name-only --diff-filter=ACMR -z | xargs -0"
    return {
        "none": "",
        "leakwarden": None,
        "gitleaks": f"exec {gitleaks} git --pre-commit --staged --redact --no-banner --log-level warn\n",
        "detect-secrets": f"{names} {detect_hook}\n",
    }


def install(repo: Path, tool: str, script: str | None) -> None:
    hooks = repo / ".git" / "hooks"
    shutil.rmtree(hooks, ignore_errors=True)
    hooks.mkdir(parents=True)
    if tool == "leakwarden":
        leakwarden = peers.VENVS / "leakwarden" / "bin" / "leakwarden"
        subprocess.run(
            [str(leakwarden), "hook", "install", "--pre-commit", str(repo)],
            check=True,
            capture_output=True,
            env={**os.environ, **ENV, "LEAKWARDEN_CACHE_DIR": str(peers.CACHE / "leakwarden")},
        )
    elif script:
        path = hooks / "pre-commit"
        path.write_text("#!/bin/sh\n" + script)
        path.chmod(0o755)


def commit_once(repo: Path, tool: str) -> float:
    env = {**os.environ, **ENV, "LEAKWARDEN_CACHE_DIR": str(peers.CACHE / "leakwarden")}
    start = time.perf_counter()
    done = subprocess.run(
        ["git", "-C", str(repo), "commit", "-q", "-m", "small change"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{tool}: the hook blocked a clean commit: {done.stdout}{done.stderr}")
    git(repo, "reset", "-q", "--soft", "HEAD~1")
    return elapsed


def measure(repo: Path, runs: int) -> dict[str, list[float]]:
    scripts = hook_scripts(repo)
    times: dict[str, list[float]] = {tool: [] for tool in scripts}
    for tool, script in scripts.items():  # warm-up: page cache, rule caches
        install(repo, tool, script)
        commit_once(repo, tool)
    for _ in range(runs):
        for tool, script in scripts.items():
            install(repo, tool, script)
            times[tool].append(commit_once(repo, tool))
    return times


def table(times: dict[str, list[float]], repo: Path) -> str:
    files = int(git(repo, "ls-files", "-z").count("\0"))
    rows = [
        f"Hook latency: `git commit` of {len(CHANGE)} staged files (no secret) in a checkout of "
        f"{files} files, through each tool's pre-commit hook; {len(next(iter(times.values())))} "
        f"interleaved runs after a warm-up; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"`python benchmarks/hooks.py`.",
        "",
        "| hook | wall s, median (min–max) | minus bare commit |",
        "|---|---|---|",
    ]
    floor = statistics.median(times["none"])
    for tool, values in times.items():
        median = statistics.median(values)
        label = "no hook (bare `git commit`)" if tool == "none" else tool
        extra = "–" if tool == "none" else f"{median - floor:.3f}"
        rows.append(f"| {label} | {median:.3f} ({min(values):.3f}–{max(values):.3f}) | {extra} |")
    return "\n".join(rows) + "\n"


def write(section: str, results: Path) -> None:
    text = results.read_text() if results.exists() else ""
    block = f"{BEGIN}\n{section}{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Hook latency\n\n" + block + "\n"
    results.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--output", type=Path, default=peers.BENCH / "RESULTS.md")
    args = parser.parse_args()
    repo = peers.WORK / "hooks-repo"
    prepare(repo)
    section = table(measure(repo, args.runs), repo)
    print(section)
    write(section, args.output)


if __name__ == "__main__":
    main()
