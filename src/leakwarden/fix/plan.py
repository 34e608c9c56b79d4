"""Planning: from findings to the new text of every file, the variables and the ignore lines.

Pure apart from reading the files it plans for: nothing is written here (`apply` writes).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from leakwarden.fix import dockerfile, dotenv, gitignore, javascript, python, shell, yaml_config
from leakwarden.fix.model import FileChange, FileOutcome, FixPlan, Rewrite, Secret, Status, Unsafe
from leakwarden.fix.names import Namer
from leakwarden.model import Confidence, Finding
from leakwarden.rules.catalog import Catalog

LOAD_ENV_NOTE = (
    "the program must load {env} into its environment (python-dotenv, node --env-file, docker compose, "
    "or `set -a; . {env}; set +a` in the shell)"
)


def file_kind(path: Path, head: bytes = b"") -> str:
    """What `fix` knows the file as; `head` (its first bytes) tells a script by its shebang."""
    if path.suffix == ".py":
        return "python"
    if path.suffix in javascript.EXTENSIONS:
        return javascript.EXTENSIONS[path.suffix]
    if dotenv.is_dotenv(path):
        return "dotenv"
    if path.suffix in (".yml", ".yaml"):
        return "yaml"
    if dockerfile.is_dockerfile(path):
        return "dockerfile"
    if shell.is_shell(path, head):
        return "shell"
    return "other"


def secrets_by_file(findings: Sequence[Finding]) -> dict[str, list[Secret]]:
    """Every value to move, per file: both halves of a pair, each value once (a pair's roles win
    over a lone half's)."""
    by_file: dict[str, dict[str, Secret]] = {}
    for finding in findings:
        if finding.parts:
            secrets = [Secret(value, finding.rule_id, role) for role, value in finding.parts.items()]
        else:
            secrets = [Secret(finding.secret, finding.rule_id)]
        for occurrence in finding.occurrences:
            if occurrence.provenance.kind != "file":
                continue
            held = by_file.setdefault(occurrence.provenance.path, {})
            for secret in secrets:
                if secret.value not in held or (secret.role and not held[secret.value].role):
                    held[secret.value] = secret
    return {path: list(held.values()) for path, held in sorted(by_file.items())}


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None


def _same_file(a: Path, b: Path) -> bool:
    return os.path.abspath(a) == os.path.abspath(b)


def _residue(old: str, new: str, secrets: Sequence[Secret]) -> None:
    """Unsafe when a secret is still in the new text: the file would stay leaked. The line is
    found in the original by its text (lines above may have moved)."""
    for secret in secrets:
        index = new.find(secret.value)
        if index < 0:
            continue
        line = new[new.rfind("\n", 0, index) + 1 :].split("\n", 1)[0]
        number = next((n for n, text in enumerate(old.split("\n"), 1) if text == line), None)
        where = f"line {number}: " if number else ""
        raise Unsafe(f"{where}the credential is also where a lookup cannot replace it")


class _Planner:
    def __init__(self, env_file: Path) -> None:
        self.env_file = env_file
        self.env_old = _read(env_file)
        self.env_values = dotenv.parse(self.env_old or "")
        self.namer = Namer(self.env_values)
        self.outcomes: list[FileOutcome] = []
        self.changes: dict[str, FileChange] = {}
        self.used_names: list[str] = []
        self.to_ignore: list[Path] = []
        self.code_kinds: set[str] = set()

    def change(self, path: Path, update: Callable[[str | None], str], private: bool = False) -> None:
        key = os.path.abspath(path)
        pending = self.changes.get(key)
        old = pending.old if pending is not None else _read(path)
        current = pending.new if pending is not None else old
        new = update(current)
        if new != old:
            self.changes[key] = FileChange(path, old, new, private)
        elif pending is not None:
            del self.changes[key]

    def refuse(self, path: str, kind: str, reason: str, status: str = Status.BY_HAND) -> None:
        self.outcomes.append(FileOutcome(path, kind, status, reason))

    def plan_file(self, shown: str, secrets: list[Secret]) -> None:
        path = Path(shown)
        try:
            data = path.read_bytes()
        except OSError as exc:
            self.refuse(shown, file_kind(path), f"cannot read: {exc.strerror or exc}")
            return
        kind = file_kind(path, data[:128])
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self.refuse(shown, kind, "not UTF-8 text")
            return
        if kind == "dotenv" and not dotenv.is_example(path):
            reason = "an environment file: the right place, kept out of git"
            self.outcomes.append(FileOutcome(shown, kind, Status.IN_PLACE, reason))
            self.to_ignore.append(path)
            return
        if kind == "other":
            self.refuse(shown, kind, "leakwarden fix does not rewrite this kind of file", Status.UNSUPPORTED)
            return
        trial = self.namer.fork()
        try:
            rewrite = self._rewrite(kind, path, text, secrets, trial)
            _residue(text, rewrite.text, secrets)
        except Unsafe as exc:
            self.refuse(shown, kind, str(exc))
            return
        self.namer = trial
        names = tuple(dict.fromkeys(rewrite.names.values()))
        self.used_names.extend(names)
        notes = list(rewrite.notes)
        if kind == "yaml" and yaml_config.flavour(path) == yaml_config.COMPOSE:
            if not _same_file(path.parent, self.env_file.parent):
                notes.append(
                    f"docker compose reads .env from {path.parent}: run it with --env-file {self.env_file}"
                )
        elif kind not in ("yaml", "dockerfile", "shell"):
            self.code_kinds.add(kind)
        self.outcomes.append(FileOutcome(shown, kind, Status.REWRITE, "", names, tuple(notes)))
        self.change(path, lambda _old: rewrite.text)

    def _rewrite(self, kind: str, path: Path, text: str, secrets: list[Secret], namer: Namer) -> Rewrite:
        if kind == "python":
            return python.rewrite(text, secrets, namer)
        if kind in ("javascript", "typescript", "tsx"):
            return javascript.rewrite(text, secrets, namer, kind)
        if kind == "yaml":
            return yaml_config.rewrite(text, secrets, namer, yaml_config.flavour(path))
        if kind == "shell":
            return shell.rewrite(text, secrets, namer)
        if kind == "dockerfile":
            return dockerfile.rewrite(text, secrets, namer)
        return dotenv.blank_example(text, secrets, namer, self.env_values)

    def finish(self, findings: list[Finding], secrets: frozenset[str]) -> FixPlan:
        entries = self.namer.new_entries
        if entries:
            self.change(self.env_file, lambda old: dotenv.with_entries(old, entries), private=True)
            self.to_ignore.append(self.env_file)
        if self.used_names:
            example = Path(dotenv.example_path_for(self.env_file))
            self.change(example, lambda old: dotenv.with_names(old, self.used_names))
        for path in self.to_ignore:
            if not gitignore.is_ignored(path):
                self.change(gitignore.gitignore_for(path), gitignore.adding(path.name))
        notes = [LOAD_ENV_NOTE.format(env=self.env_file)] if self.code_kinds else []
        # The environment files first: the values are safe before the code stops holding them.
        support = {os.path.abspath(self.env_file), os.path.abspath(dotenv.example_path_for(self.env_file))}
        order = sorted(
            self.changes.values(),
            key=lambda c: (
                not c.private,
                os.path.abspath(c.path) not in support,
                c.path.name != ".gitignore",
            ),
        )
        return FixPlan(self.env_file, findings, list(self.outcomes), order, entries, secrets, notes)


def plan_findings(findings: Sequence[Finding], *, env_file: str | Path = ".env") -> FixPlan:
    """The plan for findings the caller already holds (file occurrences only)."""
    planner = _Planner(Path(env_file))
    per_file = secrets_by_file(findings)
    for path, secrets in per_file.items():
        planner.plan_file(path, secrets)
    values = frozenset(s.value for secrets in per_file.values() for s in secrets)
    values |= frozenset(f.secret for f in findings)
    return planner.finish(list(findings), values)


def plan_fixes(
    paths: Sequence[str],
    *,
    env_file: str | Path = ".env",
    catalog: Catalog | None = None,
    engine: str = "auto",
    min_confidence: Confidence = Confidence.MEDIUM,
    exclude: Sequence[str] = (),
    jobs: int = 0,
    keep: Callable[[list[Finding]], list[Finding]] | None = None,
) -> FixPlan:
    """Scan `paths` and plan the fix of every finding; `keep` filters the findings first (the
    CLI passes the project's ignore policy)."""
    from leakwarden.scan import scan_paths

    result = scan_paths(
        list(paths), exclude=exclude, catalog=catalog, engine=engine, min_confidence=min_confidence, jobs=jobs
    )
    findings = keep(result.findings) if keep is not None else result.findings
    return plan_findings(findings, env_file=env_file)
