from __future__ import annotations

from pathlib import Path

import pytest

from leakwarden.config import Config, load_config, parse_size
from leakwarden.errors import ConfigError
from leakwarden.model import Confidence
from tests.conftest import write


def test_defaults_without_files(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    config = load_config(tmp_path)
    assert config == Config()
    assert {origin for _, _, origin in config.items()} == {"default"}


def test_pyproject_then_dotfile_then_cli(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.leakwarden]\nmin_confidence = "low"\nexclude = ["vendor/"]\n'
        'max_file_size = "1MiB"\n',
    )
    write(tmp_path / ".leakwarden.toml", 'min_confidence = "high"\nrules = ["rules/mine.yaml"]\n')
    (tmp_path / "sub").mkdir()
    config = load_config(tmp_path / "sub")
    assert config.min_confidence is Confidence.HIGH
    assert config.exclude == ("vendor/",)
    assert config.max_file_size == 1024 * 1024
    assert config.rules == (str((tmp_path / "rules" / "mine.yaml").resolve()),)
    origins = {key: origin for key, _, origin in config.items()}
    assert origins["min_confidence"].endswith(".leakwarden.toml")
    assert origins["exclude"].endswith("pyproject.toml [tool.leakwarden]")
    assert origins["disable"] == "default"
    final = config.with_overrides("--min-confidence", min_confidence=Confidence.MEDIUM, exclude=None)
    assert final.min_confidence is Confidence.MEDIUM
    assert {k: o for k, _, o in final.items()}["min_confidence"] == "--min-confidence"
    assert final.exclude == ("vendor/",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('min_confidence = "extreme"\n', "key min_confidence: must be low, medium or high"),
        ('max_file_size = "lots"\n', "key max_file_size: 'lots' is not a size"),
        ("exclude = [1, 2]\n", "key exclude: must be a list of non-empty strings"),
        ('allow_secrets = ["(unclosed"]\n', "key allow_secrets: '(unclosed' does not compile"),
        ("colour = true\n", "key colour: unknown key"),
        ("min_confidence = \n", "invalid TOML"),
    ],
)
def test_invalid_config_names_file_key_and_reason(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / ".leakwarden.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(str(tmp_path / ".leakwarden.toml"))
    assert message in str(info.value)


def test_explicit_file(tmp_path: Path) -> None:
    write(tmp_path / "ci.toml", 'disable = ["generic"]\n')
    assert load_config(explicit=tmp_path / "ci.toml").disable == ("generic",)
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(explicit=tmp_path / "missing.toml")


def test_sizes() -> None:
    assert parse_size("10MB") == 10_000_000
    assert parse_size("64MiB") == 64 * 1024 * 1024
    assert parse_size(512) == 512
    with pytest.raises(ValueError, match="not a size"):
        parse_size("-1")
