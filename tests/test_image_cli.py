"""`leakwarden scan image`: exit codes, the JSON report's image fields against the schema, and
the text report's deleted-but-shipped warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker

from leakwarden.cli.main import main
from tests.test_sources_image import ADD_ENV, RM_ENV, S, app_image, oci_dir

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "docs" / "report-schema.json").read_text())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_report_carries_layer_and_hiding_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = oci_dir(tmp_path, app_image())
    code, out, _ = run(capsys, "scan", "image", str(path), "--format", "json", "--no-baseline")
    assert code == 1
    report = json.loads(out)
    assert list(Draft202012Validator(SCHEMA, format_checker=FormatChecker()).iter_errors(report)) == []
    layer = [o for f in report["findings"] for o in f["occurrences"] if o.get("layer_path") == "app/.env"]
    assert layer, report["findings"]
    occurrence = layer[0]
    assert occurrence["kind"] == "image-layer"
    assert occurrence["layer_index"] == 1
    assert occurrence["history_step"] == ADD_ENV
    assert occurrence["deleted_but_shipped"] is True
    assert occurrence["hidden_by"]["layer_index"] == 3
    assert occurrence["hidden_by"]["history_step"] == RM_ENV
    assert occurrence["path"].endswith("!layer 1!app/.env")
    config = [o for f in report["findings"] for o in f["occurrences"] if o["kind"] == "image-config"]
    assert {o["field"] for o in config} >= {"Env[1]", "history[4].created_by"}
    assert S.key_id not in out  # redacted


def test_text_report_says_deleting_does_not_remove(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "scan", "image", str(oci_dir(tmp_path, app_image())), "--no-baseline")
    assert code == 1
    assert "deleted by a whiteout in layer 3, but still shipped in layer 1" in out
    assert "by step " + RM_ENV in out


def test_usage_and_input_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = oci_dir(tmp_path, app_image())
    code, _, err = run(capsys, "scan", "image", str(path), "--platform", "linux/arm64", "--all-platforms")
    assert code == 2
    assert "not both" in err
    (tmp_path / "plain").mkdir()
    code, _, err = run(capsys, "scan", "image", str(tmp_path / "plain"))
    assert code == 2
    assert "not an image" in err


def test_sarif_result_carries_the_image_and_the_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif_schema = json.loads(
        (Path(__file__).resolve().parent / "schemas" / "sarif-schema-2.1.0.json").read_text()
    )
    code, out, _ = run(capsys, "scan", "image", str(oci_dir(tmp_path, app_image())), "--format", "sarif")
    assert code == 1
    document = json.loads(out)
    assert list(Draft4Validator(sarif_schema).iter_errors(document)) == []
    results = document["runs"][0]["results"]
    hidden = [r for r in results if r["properties"]["image"].get("deleted_but_shipped")]
    assert len(hidden) == 1
    assert "does not remove it from the image" in hidden[0]["message"]["text"]
    assert hidden[0]["properties"]["image"]["layer_path"] == "app/.env"
