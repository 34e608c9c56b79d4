"""The check language: `{{ name }}` and `{{ name | url }}`, nothing else."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from leakwarden.rules.verify_schema import TEMPLATE_RE


class MissingValue(Exception):
    """A template names a value this finding does not have."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def render(template: str, values: Mapping[str, str]) -> str:
    def one(match: object) -> str:
        name = match.group("name")  # type: ignore[attr-defined]
        if name not in values:
            raise MissingValue(name)
        value = values[name]
        return quote(value, safe="") if match.group("filter") == "url" else value  # type: ignore[attr-defined]

    return TEMPLATE_RE.sub(one, template)
