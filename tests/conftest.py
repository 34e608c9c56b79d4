"""Shared fixtures: the built-in catalogue and its engines, built once per session."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from leakwarden.matching.engine import Engine, HyperscanEngine, PythonEngine, hyperscan_available
from leakwarden.rules.catalog import Catalog, load_catalog
from tests.pg_server import PgServer, ServerUnavailable, running_server

ENGINE_KINDS = ["python", "hyperscan"]


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never read or write the user's real cache."""
    old = os.environ.get("LEAKWARDEN_CACHE_DIR")
    os.environ["LEAKWARDEN_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("LEAKWARDEN_CACHE_DIR", None)
    else:
        os.environ["LEAKWARDEN_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


_ENGINES: dict[str, Engine] = {}


def engine_for(kind: str, catalog: Catalog) -> Engine:
    if kind == "hyperscan" and not hyperscan_available():
        pytest.fail("hyperscan is a declared dependency on this platform and must be installed")
    key = f"{kind}:{catalog.digest}"
    if key not in _ENGINES:
        _ENGINES[key] = HyperscanEngine(catalog) if kind == "hyperscan" else PythonEngine(catalog)
    return _ENGINES[key]


@pytest.fixture(params=ENGINE_KINDS)
def engine(request: pytest.FixtureRequest, catalog: Catalog) -> Engine:
    return engine_for(request.param, catalog)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One real PostgreSQL server for the session (see tests/pg_server.py); absent binaries fail
    the tests that need it, with what to install."""
    try:
        with running_server() as server:
            yield server
    except ServerUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
