"""leakwarden: find leaked credentials and see each incident through.

The library API is what the CLI calls::

    import leakwarden
    result = leakwarden.scan_paths(["."])
    for finding in result.findings:
        print(finding.rule_id, finding.occurrences[0].provenance.path)

Names are loaded on first use so that `leakwarden --version` starts instantly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Confidence",
    "Finding",
    "ScanResult",
    "__version__",
    "load_catalog",
    "scan_blobs",
    "scan_bytes",
    "scan_paths",
    "scan_stdin",
]

if TYPE_CHECKING:
    from leakwarden.model import Confidence, Finding, ScanResult
    from leakwarden.rules.catalog import load_catalog
    from leakwarden.scan import scan_blobs, scan_bytes, scan_paths, scan_stdin

_LAZY = {
    "Confidence": "leakwarden.model",
    "Finding": "leakwarden.model",
    "ScanResult": "leakwarden.model",
    "load_catalog": "leakwarden.rules.catalog",
    "scan_blobs": "leakwarden.scan",
    "scan_bytes": "leakwarden.scan",
    "scan_paths": "leakwarden.scan",
    "scan_stdin": "leakwarden.scan",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'leakwarden' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
