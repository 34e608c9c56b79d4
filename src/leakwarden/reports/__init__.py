"""Reporters are pure: a scan result and the catalogue in, text out.

Renderers are imported when a report is rendered, not when the CLI builds its options: the text
renderer pulls in rich and the JSON one the incident guides, which a hook's start-up cannot afford.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leakwarden.model import ScanResult
    from leakwarden.rules.catalog import Catalog

Renderer = Callable[["ScanResult", "Catalog", bool], str]

# format name -> (module, function)
RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("leakwarden.reports.text", "render_text"),
    "json": ("leakwarden.reports.json_report", "render_json"),
    "jsonl": ("leakwarden.reports.json_report", "render_jsonl"),
    "sarif": ("leakwarden.reports.sarif", "render_sarif"),
    "gitlab": ("leakwarden.reports.gitlab", "render_gitlab"),
    "junit": ("leakwarden.reports.junit", "render_junit"),
    "csv": ("leakwarden.reports.csv_report", "render_csv"),
}
FORMATS = tuple(RENDERERS)


def renderer(fmt: str) -> Renderer:
    try:
        module, name = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    function: Renderer = getattr(import_module(module), name)
    return function


def render(fmt: str, result: ScanResult, catalog: Catalog, show_secrets: bool = False) -> str:
    return renderer(fmt)(result, catalog, show_secrets)
