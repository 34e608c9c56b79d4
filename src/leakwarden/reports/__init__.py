"""Reporters are pure: a scan result and the catalogue in, text out."""

from __future__ import annotations

from collections.abc import Callable

from leakwarden.model import ScanResult
from leakwarden.reports.json_report import render_json, render_jsonl
from leakwarden.reports.sarif import render_sarif
from leakwarden.reports.text import render_text
from leakwarden.rules.catalog import Catalog

Renderer = Callable[[ScanResult, Catalog, bool], str]

RENDERERS: dict[str, Renderer] = {
    "text": render_text,
    "json": render_json,
    "jsonl": render_jsonl,
    "sarif": render_sarif,
}
FORMATS = tuple(RENDERERS)


def render(fmt: str, result: ScanResult, catalog: Catalog, show_secrets: bool = False) -> str:
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}") from None
    return renderer(result, catalog, show_secrets)
