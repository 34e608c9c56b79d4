"""The GitHub Action (action.yml) and the GitLab CI/CD template: they load, run `scan ci` in the
right format, use every input they declare, and name the report GitLab reads."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from leakwarden.reports import FORMATS

ROOT = Path(__file__).resolve().parents[1]


def _load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_action_is_a_composite_action_running_scan_ci_to_sarif() -> None:
    action = _load(ROOT / "action.yml")
    assert action["name"] == "leakwarden"
    assert action["description"]
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert 'pip install --disable-pip-version-check --quiet "$GITHUB_ACTION_PATH"' in scripts
    assert re.search(r"leakwarden scan ci --format sarif -o \"\$LEAKWARDEN_SARIF\"", scripts)
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs must reach scripts through env, not be pasted in"


def test_every_action_input_is_used_in_its_steps() -> None:
    action = _load(ROOT / "action.yml")
    steps_text = yaml.safe_dump(action["runs"]["steps"])
    assert set(action["inputs"]) == {
        "args",
        "fail-on-findings",
        "upload-sarif",
        "sarif-file",
        "python-version",
    }
    for name, spec in action["inputs"].items():
        assert spec["description"]
        assert f"inputs.{name}" in steps_text, f"input {name} is declared but never used"
    upload = next(s for s in action["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert "inputs.upload-sarif == 'true'" in upload["if"]
    fail = next(s for s in action["runs"]["steps"] if s.get("name") == "Fail on findings")
    assert "inputs.fail-on-findings == 'true'" in fail["if"]
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.scan.outputs.exit-code }}"


def test_gitlab_template_writes_the_secret_detection_report() -> None:
    template = _load(ROOT / "ci" / "gitlab" / "leakwarden.gitlab-ci.yml")
    job = template["leakwarden"]
    report = "gl-secret-detection-report.json"
    assert job["artifacts"]["reports"]["secret_detection"] == report
    assert job["artifacts"]["when"] == "always"
    script = "\n".join(job["script"])
    assert f"leakwarden scan ci --format gitlab -o {report}" in script
    assert "gitlab" in FORMATS
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert "$LEAKWARDEN_PACKAGE" in "\n".join(job["before_script"])
    assert set(template["variables"]) == {"LEAKWARDEN_PACKAGE", "LEAKWARDEN_ARGS"}
    assert "$LEAKWARDEN_ARGS" in script
