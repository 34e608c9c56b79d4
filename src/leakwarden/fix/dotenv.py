"""Environment files: reading `NAME=value` lines, appending variables, listing names in the
example file, and blanking real values out of an example file that must stay in git."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath

from leakwarden.fix.model import EnvEntry, Rewrite, Secret, Unsafe
from leakwarden.fix.names import Namer

EXAMPLE_SUFFIXES = (".example", ".sample", ".template", ".dist", ".defaults")
_LINE = re.compile(
    r"^(?P<lead>[ \t]*(?:export[ \t]+)?)(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)"
    r"(?P<eq>[ \t]*=[ \t]*)(?P<value>.*?)[ \t]*$"
)
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_./:+=@,~%^-]*$")


def is_dotenv(path: PurePath) -> bool:
    name = path.name
    return name == ".env" or name.startswith(".env.") or name.endswith(".env")


def is_example(path: PurePath) -> bool:
    return is_dotenv(path) and path.name.lower().endswith(EXAMPLE_SUFFIXES)


def example_path_for(env_file: PurePath) -> PurePath:
    return env_file.with_name(env_file.name + ".example")


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return re.sub(r"[ \t]+#.*$", "", value)


def parse(text: str) -> dict[str, str]:
    """NAME -> value of every assignment line (quotes removed, trailing comments dropped)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            values[match.group("name")] = _unquote(match.group("value"))
    return values


def _quote(value: str) -> str:
    if _SAFE_VALUE.match(value):
        return value
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("$", "\\$")
    return f'"{escaped}"'


def _append(old: str | None, lines: Sequence[str]) -> str:
    text = old or ""
    if text and not text.endswith("\n"):
        text += "\n"
    return text + "".join(f"{line}\n" for line in lines)


def with_entries(old: str | None, entries: Iterable[EnvEntry]) -> str:
    """The environment file with `entries` appended (names it already holds are left alone)."""
    present = parse(old or "")
    lines = [f"{e.name}={_quote(e.value)}" for e in entries if e.name not in present]
    if not lines:
        return old or ""
    header = ["# Added by leakwarden fix. These credentials leaked: rotate them and put the new values here."]
    return _append(old, header + lines)


def with_names(old: str | None, names: Iterable[str]) -> str:
    """The example file with every name in `names` it lacks, without a value."""
    present = parse(old or "")
    lines = [f"{name}=" for name in dict.fromkeys(names) if name not in present]
    return _append(old, lines) if lines else old or ""


def blank_example(text: str, secrets: Sequence[Secret], namer: Namer, env_values: dict[str, str]) -> Rewrite:
    """An example file holding real values: each becomes `NAME=` and its value goes to the
    environment file (unless that already sets NAME)."""
    by_value = {s.value: s for s in secrets}
    names: dict[str, str] = {}
    out: list[str] = []
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        body = line.rstrip("\r\n")
        match = _LINE.match(body)
        hit = next((s for s in by_value if s in body), None)
        if hit is None:
            out.append(line)
            continue
        if match is None or body.lstrip().startswith("#") or _unquote(match.group("value")) != hit:
            raise Unsafe(f"line {number}: the credential is not the whole value of a NAME=value line")
        name = match.group("name")
        namer.claim(name, by_value[hit], add=name not in env_values)
        names[hit] = name
        out.append(match.group("lead") + name + match.group("eq") + line[len(body) :])
    return Rewrite("".join(out), names)
