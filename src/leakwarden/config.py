"""Project configuration: `.leakwarden.toml`, or `[tool.leakwarden]` in `pyproject.toml`.

Precedence, lowest first: built-in defaults, `pyproject.toml`, `.leakwarden.toml`, command-line
options. Every value remembers where it came from (`leakwarden config show`). Standard library
only: this is vocabulary every layer may read.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from leakwarden.errors import ConfigError
from leakwarden.model import DEFAULT_DECODE_DEPTH, MAX_DECODE_DEPTH, Confidence

CONFIG_FILE = ".leakwarden.toml"
PYPROJECT = "pyproject.toml"
BASELINE_FILE = ".leakwarden-baseline.json"  # at the project root: what `baseline create` writes
DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "ki": 1024, "mi": 1024**2, "gi": 1024**3}


def parse_size(value: str | int) -> int:
    """Byte sizes such as 500000, "10MB", "64MiB"; ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    match = _SIZE_RE.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a size (examples: 500000, 10MB, 64MiB)")
    unit = (match.group(2) or "").lower().removesuffix("b")
    return int(float(match.group(1)) * _UNITS[unit])


@dataclass(frozen=True)
class Config:
    """Effective settings. `origins` maps each key to where its value came from."""

    enable: tuple[str, ...] | None = None  # rule ids or providers; None: every rule
    disable: tuple[str, ...] = ()
    min_confidence: Confidence = Confidence.MEDIUM
    exclude: tuple[str, ...] = ()  # paths not scanned (gitignore syntax)
    allow_paths: tuple[str, ...] = ()  # findings there are not reported (gitignore syntax)
    allow_secrets: tuple[str, ...] = ()  # regexes: a matching secret is not a finding
    rules: tuple[str, ...] = ()  # extra rule files
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    decode_depth: int = DEFAULT_DECODE_DEPTH  # stacked decodings of encoded content; 0: none
    ignore_file: str = ".leakwarden-ignore.toml"
    baseline: str | None = None
    verify: bool = False  # `scan --verify` by default (never for git hooks)
    record: bool = False  # `scan --record` by default: every scan goes into the findings store
    db: str | None = None  # the store's URL (or SQLite file); default LEAKWARDEN_DB, then the user data dir
    origins: Mapping[str, str] = field(default_factory=dict, compare=False)

    def with_overrides(self, origin: str, **values: Any) -> Config:
        """A copy with the given keys set (None values are left alone), recording `origin`."""
        given = {k: v for k, v in values.items() if v is not None}
        return replace(self, **given, origins={**self.origins, **dict.fromkeys(given, origin)})

    def items(self) -> list[tuple[str, Any, str]]:
        """(key, value, origin) for every setting, for `config show`."""
        return [
            (f.name, getattr(self, f.name), self.origins.get(f.name, "default"))
            for f in fields(self)
            if f.name != "origins"
        ]


KEYS = tuple(f.name for f in fields(Config) if f.name != "origins")


def _strings(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: key {key}: must be a list of non-empty strings")
    return tuple(value)


def _convert(where: str, key: str, value: Any, base: Path) -> Any:
    if key in ("enable", "disable", "exclude", "allow_paths"):
        return _strings(where, key, value)
    if key == "allow_secrets":
        patterns = _strings(where, key, value)
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{where}: key {key}: {pattern!r} does not compile: {exc}") from None
        return patterns
    if key == "rules":
        return tuple(str((base / p).resolve()) for p in _strings(where, key, value))
    if key == "min_confidence":
        try:
            return Confidence.parse(value if isinstance(value, str) else "")
        except ValueError:
            raise ConfigError(f"{where}: key {key}: must be low, medium or high") from None
    if key == "max_file_size":
        try:
            return parse_size(value)
        except ValueError as exc:
            raise ConfigError(f"{where}: key {key}: {exc}") from None
    if key == "db":
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: key {key}: must be a database URL or a file path")
        return value if "://" in value else str((base / value).resolve())
    if key in ("verify", "record"):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: key {key}: must be true or false")
        return value
    if key == "decode_depth":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DECODE_DEPTH:
            raise ConfigError(
                f"{where}: key {key}: must be an integer from 0 (no decoding) to {MAX_DECODE_DEPTH}"
            )
        return value
    if key in ("ignore_file", "baseline"):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where}: key {key}: must be a path")
        return str(base / value)
    raise ConfigError(f"{where}: key {key}: unknown key (known: {', '.join(KEYS)})")


def _table(path: Path, pyproject: bool) -> tuple[str, Mapping[str, Any]] | None:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8; tomllib lets the decoding error through
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 (byte {exc.start})") from None
    if not pyproject:
        return str(path), document
    tool = document.get("tool", {})
    table = tool.get("leakwarden") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.leakwarden] must be a table")
    return f"{path} [tool.leakwarden]", table


def find_project_dir(start: Path) -> Path:
    """The nearest directory at or above `start` holding a config file or a `.git`; else start."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if any((directory / name).exists() for name in (CONFIG_FILE, PYPROJECT, ".git")):
            return directory
    return start


def project_root(explicit: Path | None = None, start: Path | None = None) -> Path:
    """Where a project's files live (the ignore file, the default baseline): the directory of
    the configuration file given, else the nearest directory at or above `start` (default: the
    working directory) with a configuration file or a `.git`, else `start` itself."""
    if explicit is not None:
        return explicit.resolve().parent
    return find_project_dir(start or Path.cwd())


def baseline_file(config: Config, root: Path) -> Path:
    """The baseline a project uses: the `baseline` setting (configuration or `--baseline`), else
    `.leakwarden-baseline.json` at the project root, where `baseline create` writes it."""
    return Path(config.baseline) if config.baseline else root / BASELINE_FILE


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """The effective configuration for a scan started in `start` (default: the working
    directory), or from `explicit` alone when given."""
    config = Config()
    sources: list[tuple[tuple[str, Mapping[str, Any]], Path]] = []
    if explicit is not None:
        found = _table(explicit, pyproject=explicit.name == PYPROJECT)
        if found is None:
            raise ConfigError(f"{explicit}: no such configuration file (or no [tool.leakwarden] table)")
        sources.append((found, explicit.parent))
    else:
        directory = find_project_dir(start or Path.cwd())
        for name in (PYPROJECT, CONFIG_FILE):
            loaded = _table(directory / name, pyproject=name == PYPROJECT)
            if loaded is not None:
                sources.append((loaded, directory))
    for (where, table), base in sources:
        values = {str(key): _convert(where, str(key), value, base) for key, value in table.items()}
        config = config.with_overrides(where, **values)
    return config
