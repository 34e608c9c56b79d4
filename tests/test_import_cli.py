"""`leakwarden import` end to end: a project switching from gitleaks, detect-secrets and ggshield,
with the peers' own files as a team would have them and fake (checksum-valid) GitHub tokens."""

from __future__ import annotations

import hashlib
import json
import random
import string
import zlib
from pathlib import Path

import pytest

from leakwarden.cli.main import main
from tests.git_repo import Repo

BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def github_pat(rng: random.Random) -> str:
    """`ghp_`, 30 random characters and their CRC32 in six base62 digits (GitHub's format)."""
    body = "".join(rng.choice(BASE62) for _ in range(30))
    value, check = zlib.crc32(body.encode()), ""
    for _ in range(6):
        value, digit = divmod(value, 62)
        check = BASE62[digit] + check
    return f"ghp_{body}{check}"


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


class Project:
    """A repository whose team used all three peers; `tokens[name]` are the fake secrets."""

    def __init__(self, root: Path) -> None:
        rng = random.Random(20261201)
        names = ("app", "billing", "audited", "real_audited", "plain", "hashed", "vendored", "leak")
        self.tokens = {name: github_pat(rng) for name in names}
        t = self.tokens
        self.repo = Repo(root)
        self.root = root
        billing = f'"""Billing settings."""\n\nimport os\n\nSANDBOX_TOKEN = "{t["billing"]}"\n'
        self.billing_commit = self.repo.commit("billing", {"services/billing.py": billing})
        # The file has grown since gitleaks' ignore line was written: the token is now on line 8.
        self.repo.write("services/billing.py", billing.replace("import os\n", "import os\nimport sys\n\n\n"))
        self.repo.write("app/settings.py", f'DEBUG = True\n\nGITHUB_TOKEN = "{t["app"]}"\n')
        self.repo.write(
            "config/local.py", f'DEMO_TOKEN = "{t["audited"]}"\nCI_TOKEN = "{t["real_audited"]}"\n'
        )
        self.repo.write("docs/demo.md", f"Run `gh auth login --with-token <<< {t['plain']}`\n")
        self.repo.write("tests/fixtures/github.json", json.dumps({"token": t["hashed"]}) + "\n")
        self.repo.write("vendor/lib/client.js", f'const token = "{t["vendored"]}";\n')
        self.repo.write("deploy/prod.env", f"GITHUB_TOKEN={t['leak']}\n")
        self.write_peer_files()

    def write_peer_files(self) -> None:
        t = self.tokens
        self.repo.write(
            ".gitleaksignore",
            "# Demo token of the onboarding guide, revoked.\n"
            "app/settings.py:github-pat:3\n\n"
            "# Sandbox token, found by `gitleaks git`.\n"
            f"{self.billing_commit}:services/billing.py:github-pat:5\n",
        )
        self.repo.write(
            ".gitleaks.toml",
            'title = "gitleaks config"\n\n[extend]\nuseDefault = true\n\n[allowlist]\n'
            'description = "third-party code"\n'
            "paths = ['''^vendor/''', '''(?i)\\.(?:png|jpe?g)$''']\n"
            'stopwords = ["placeholder"]\n',
        )
        result = {"type": "GitHub Token", "filename": "config/local.py", "is_verified": False}
        baseline = {
            "version": "1.5.0",
            "plugins_used": [
                {"name": "GitHubTokenDetector"},
                {"name": "KeywordDetector", "keyword_exclude": ""},
            ],
            "filters_used": [
                {"path": "detect_secrets.filters.allowlist.is_line_allowlisted"},
                {"path": "detect_secrets.filters.heuristic.is_sequential_string"},
                {"path": "detect_secrets.filters.regex.should_exclude_line", "pattern": ["# nosecret"]},
            ],
            "results": {
                "config/local.py": [
                    {**result, "hashed_secret": sha1(t["audited"]), "line_number": 1, "is_secret": False},
                    {**result, "hashed_secret": sha1(t["real_audited"]), "line_number": 2, "is_secret": True},
                ]
            },
            "generated_at": "2026-10-02T08:00:00Z",
        }
        self.repo.write(".secrets.baseline", json.dumps(baseline, indent=2) + "\n")
        hashed = hashlib.sha256(f"{t['hashed']},apikey".encode()).hexdigest()
        self.repo.write(
            ".gitguardian.yaml",
            "version: 2\nsecret:\n  show_secrets: false\n  ignored_matches:\n"
            f"    - name: token in the docs\n      match: {t['plain']}\n"
            f"    - name: fixture token\n      match: {hashed}\n"
            "  ignored_paths:\n    - '**/*.lock'\n",
        )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".leakwarden.toml").write_text('# Team settings.\nexclude = [".git/"]  # never\n')
    return Project(tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def reported(capsys: pytest.CaptureFixture[str]) -> set[str]:
    code, out, _ = run(capsys, "scan", "path", ".", "--format", "json", "--show-secrets", "-q", "-j", "1")
    assert code in (0, 1)
    return {f["secret"] for f in json.loads(out)["findings"]}


def test_import_takes_over_every_peer(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    t = project.tokens
    assert reported(capsys) == set(t.values())
    code, out, err = run(capsys, "import")
    assert code == 0
    assert "11 imported, 0 approximate, 0 already there, 3 not translated" in err
    assert reported(capsys) == {t["real_audited"], t["leak"]}

    ignore_file = (project.root / ".leakwarden-ignore.toml").read_text()
    config = (project.root / ".leakwarden.toml").read_text()
    for text in (ignore_file, config, out, err):
        assert not any(token in text for token in t.values())  # no secret is ever written
    assert (
        "imported from gitleaks .gitleaksignore: Demo token of the onboarding guide, revoked." in ignore_file
    )
    assert 'paths = ["/services/billing.py"]' in ignore_file
    assert "audited: not a secret" in ignore_file
    assert "imported from ggshield .gitguardian.yaml: fixture token" in ignore_file
    assert config.startswith('# Team settings.\nexclude = [".git/"]  # never\n')
    assert '"/vendor/",  # gitleaks .gitleaks.toml' in config
    assert '"(?i)placeholder",' in config
    assert '"**/*.lock",' in config
    assert "audited as a real secret" in out
    assert "no line allowlist" in out

    # Importing again finds everything in place and writes nothing new.
    before = (ignore_file, config)
    code, _, err = run(capsys, "import")
    assert code == 0
    assert "0 imported" in err
    assert (
        (project.root / ".leakwarden-ignore.toml").read_text(),
        (project.root / ".leakwarden.toml").read_text(),
    ) == before


def test_commit_line_is_read_from_that_commit(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "import", "--from", "gitleaks", "--dry-run")
    assert code == 0
    billing = next(line for line in out.splitlines() if "services/billing.py" in line and "ignore" in line)
    assert billing.split()[0] == "imported"
    assert "detect-secrets" not in out


def test_missing_commit_falls_back_to_the_working_tree(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.root / ".gitleaksignore").write_text(f"{'ab' * 20}:services/billing.py:github-pat:8\n")
    code, out, _ = run(capsys, "import", "--from", "gitleaks", "--dry-run")
    assert code == 0
    assert "approximate" in out
    assert "is not in this repository" in out


def test_dry_run_writes_nothing(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    config = (project.root / ".leakwarden.toml").read_text()
    code, out, err = run(capsys, "import", "--dry-run", str(project.root))
    assert code == 0
    assert "dry run: nothing written" in err
    assert f"--- would add to {project.root / '.leakwarden-ignore.toml'}:\n[[ignore]]" in out
    assert f"--- would write {project.root / '.leakwarden.toml'}:\n# Team settings." in out
    assert not (project.root / ".leakwarden-ignore.toml").exists()
    assert (project.root / ".leakwarden.toml").read_text() == config


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        (".secrets.baseline", '{"results": {', "invalid JSON"),
        (".gitleaksignore", "app/settings.py\n", "line 1: not a gitleaks fingerprint"),
        (".gitleaks.toml", "[allowlist\n", "invalid TOML"),
        (".gitguardian.yaml", "secret: [\n", "invalid YAML"),
    ],
)
def test_malformed_peer_file_exits_2_naming_it(
    project: Project, capsys: pytest.CaptureFixture[str], name: str, text: str, reason: str
) -> None:
    (project.root / name).write_text(text)
    code, out, err = run(capsys, "import")
    assert code == 2
    assert err.startswith(f"leakwarden: error: {project.root / name}: ")
    assert reason in err
    assert len(err.splitlines()) == 1
    assert out == ""
    assert not (project.root / ".leakwarden-ignore.toml").exists()


def test_other_peers_files_are_not_read(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    (project.root / ".secrets.baseline").write_text("not json")
    code, out, _ = run(capsys, "import", "--from", "ggshield", "--dry-run")
    assert code == 0
    assert out.startswith("ggshield .gitguardian.yaml: 3 entries")


def test_refuses_to_shadow_pyproject_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.leakwarden]\nallow_paths = ["build/"]\n')
    (tmp_path / ".gitguardian.yaml").write_text("version: 2\nsecret:\n  ignored_paths: [dist/]\n")
    code, out, err = run(capsys, "import", str(tmp_path))
    assert code == 2
    assert "cannot merge safely (pyproject.toml [tool.leakwarden] sets allow_paths" in err
    assert 'allow_paths = [\n    "dist/",  # ggshield .gitguardian.yaml' in out
    assert not (tmp_path / ".leakwarden.toml").exists()


def test_nothing_to_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "import", str(tmp_path), "--from", "detect-secrets")
    assert code == 2
    assert err == f"leakwarden: error: {tmp_path}: nothing to import (none of .secrets.baseline)\n"
