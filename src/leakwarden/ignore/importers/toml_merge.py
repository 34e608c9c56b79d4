"""Adding values to the array keys of `.leakwarden.toml` without touching anything else.

The standard library reads TOML but does not write it, and a round trip through a writer would
drop the team's comments. So the new values are spliced into the text: a new key goes at the
end (the file holds top-level keys only), an existing array gets its values before its closing
bracket. The result is parsed again and must equal the old document plus the new values;
anything else is refused and the caller shows the lines to add by hand.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from typing import Any


class MergeRefused(ValueError):
    """The text cannot be changed safely; the message says why."""


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _comment(text: str) -> str:
    return " ".join(text.split())


def render_values(values: Sequence[tuple[str, str]], indent: str = "    ") -> str:
    """Array items, one a line, each followed by a comment saying where it came from."""
    return "".join(f"{indent}{_string(value)},  # {_comment(note)}\n" for value, note in values)


def render_key(key: str, values: Sequence[tuple[str, str]]) -> str:
    return f"{key} = [\n{render_values(values)}]\n"


def _closing_bracket(text: str, opening: int) -> tuple[int, int]:
    """Offsets of the `]` closing the array opened at `opening`, and of the last character of
    its content that is neither blank nor comment (the opening bracket when it is empty)."""
    depth, index, last = 0, opening, opening
    while index < len(text):
        char = text[index]
        if char == "#":
            newline = text.find("\n", index)
            index = len(text) if newline < 0 else newline
            continue
        if char in "\"'":
            quote = text[index : index + 3] if text[index : index + 3] in ('"""', "'''") else char
            end = index + len(quote)
            while True:
                end = text.find(quote, end)
                if end < 0:
                    raise MergeRefused("an unterminated string")
                if quote[0] == '"' and _escaped(text, end):
                    end += 1
                    continue
                break
            index = end + len(quote)
            last = index - 1
            continue
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
            if depth == 0:
                return index, last
        if not char.isspace():
            last = index
        index += 1
    raise MergeRefused("an array that is never closed")


def _escaped(text: str, position: int) -> bool:
    backslashes = 0
    while position - backslashes - 1 >= 0 and text[position - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def merge_arrays(text: str, additions: Mapping[str, Sequence[tuple[str, str]]]) -> str:
    """`text` with each key's (value, note) pairs appended to its array (created when absent)."""
    try:
        before = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MergeRefused(f"it is not valid TOML ({exc})") from None
    expected: dict[str, Any] = dict(before)
    for key, values in additions.items():
        if not values:
            continue
        new = [value for value, _ in values]
        if key not in before:
            text = (text.rstrip("\n") + "\n\n" if text.strip() else "") + render_key(key, values)
            expected[key] = new
            continue
        if not isinstance(before[key], list):
            raise MergeRefused(f"key {key} is not an array")
        found = list(re.finditer(rf"(?m)^[ \t]*{re.escape(key)}[ \t]*=[ \t]*\[", text))
        if len(found) != 1:
            raise MergeRefused(f"key {key} is not written as `{key} = [` on a line of its own")
        closing, last = _closing_bracket(text, found[0].end() - 1)
        comma = "" if text[last] in ",[" else ","
        head, middle, tail = text[: last + 1], text[last + 1 : closing], text[closing:]
        if "\n" not in middle:
            middle = "\n"  # a one-line array becomes one value a line
        elif not middle.endswith("\n"):
            middle = middle[: middle.rfind("\n") + 1]
        text = head + comma + middle + render_values(values) + tail
        expected[key] = [*before[key], *new]
    try:
        after = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MergeRefused(f"the merged text would not parse ({exc})") from None
    if after != expected:
        raise MergeRefused("the merged text would not mean the old settings plus the new values")
    return text
