"""Dockerfiles: a credential in `ENV` or `ARG` leaves the image definition.

`ENV NAME=value` bakes the credential into every layer built after it and into the image
config that anyone who pulls the image can read: the pair is removed, and the container gets
NAME when it runs (`docker run --env-file .env`, compose `env_file:`, a Kubernetes Secret).
`ARG NAME=value` loses its default (`ARG NAME`), so the value is given at build time; build
arguments are recorded in the image history too, so the note points at build secrets. A
credential in any other instruction (`RUN`, `LABEL`, a `COPY --chown`…) is refused: only a
person can decide how that step gets it. Comments get `${NAME}`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from pathlib import PurePath

from leakwarden.fix.model import Rewrite, Secret, Unsafe
from leakwarden.fix.names import Namer

_NAME = re.compile(
    r"^(?:Dockerfile|Containerfile)(?:\..+)?$|^.+\.(?:Dockerfile|Containerfile)$", re.IGNORECASE
)
_INSTRUCTION = re.compile(r"^(?P<indent>[ \t]*)(?P<op>[A-Za-z]+)(?P<gap>[ \t]+)(?P<args>.*)$", re.DOTALL)
_TOKEN = re.compile(r"""(?:[^\s"'\\]|\\.|"(?:[^"\\]|\\.)*"|'[^']*')+""")


def is_dockerfile(path: PurePath) -> bool:
    return bool(_NAME.match(path.name))


def _unquote(raw: str) -> str | None:
    try:
        parts = shlex.split(raw)
    except ValueError:
        return None
    return parts[0] if len(parts) == 1 else ("" if not parts else None)


def _logical_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each instruction, continuation lines included (end excludes the newline)."""
    spans, start, index = [], 0, 0
    while index <= len(text):
        end = text.find("\n", index)
        end = len(text) if end < 0 else end
        line = text[index:end]
        if line.rstrip().endswith("\\") and not line.lstrip().startswith("#") and end < len(text):
            index = end + 1
            continue
        spans.append((start, end))
        start = index = end + 1
    return spans


class _Plan:
    def __init__(self, secrets: Sequence[Secret], namer: Namer) -> None:
        self.secrets = sorted(secrets, key=lambda s: -len(s.value))
        self.namer = namer
        self.names: dict[str, str] = {}
        self.env_removed: list[str] = []
        self.arg_defaults: list[str] = []

    def _name(self, secret: Secret, binding: str | None) -> str:
        name = self.names.get(secret.value) or self.namer.name(secret, binding)
        self.names[secret.value] = name
        return name

    def instruction(self, body: str, line: int) -> str:
        present = [s for s in self.secrets if s.value in body]
        if not present:
            return body
        if body.lstrip().startswith("#"):
            for secret in present:
                body = body.replace(secret.value, "${" + self._name(secret, None) + "}")
            return body
        match = _INSTRUCTION.match(body)
        op = match.group("op").upper() if match else ""
        if match is None or op not in ("ENV", "ARG"):
            shown = op or "this line"
            raise Unsafe(
                f"line {line}: the credential is in {shown}: give that step a build secret "
                "(RUN --mount=type=secret,id=NAME,env=NAME …) and rotate the credential"
            )
        args = match.group("args").replace("\\\n", " ")
        tokens = _TOKEN.findall(args)
        if op == "ENV" and tokens and "=" not in tokens[0]:  # legacy `ENV NAME value with spaces`
            value = args[len(tokens[0]) :].strip()
            whole = next((s for s in present if _unquote(value) == s.value), None)
            if whole is None:
                raise Unsafe(f"line {line}: the credential is part of an ENV value")
            self.env_removed.append(self._name(whole, tokens[0]))
            return ""
        kept: list[str] = []
        for token in tokens:
            key, _, raw = token.partition("=")
            found = next((s for s in present if _unquote(raw) == s.value), None)
            if found is None:
                if any(s.value in token for s in present):
                    raise Unsafe(f"line {line}: the credential is part of an {op} value")
                kept.append(token)
                continue
            name = self._name(found, key)
            if op == "ARG":
                kept.append(key)
                self.arg_defaults.append(name)
            else:
                self.env_removed.append(name)
        if not kept:
            return ""
        return f"{match.group('indent')}{match.group('op')}{match.group('gap')}{' '.join(kept)}"

    def notes(self) -> tuple[str, ...]:
        notes = []
        if self.env_removed:
            listed = ", ".join(dict.fromkeys(self.env_removed))
            notes.append(
                f"{listed} is no longer baked into the image: give it to the container when it runs "
                "(docker run --env-file .env, compose env_file: .env, a Kubernetes Secret)"
            )
        if self.arg_defaults:
            listed = ", ".join(dict.fromkeys(self.arg_defaults))
            notes.append(
                f"{listed} lost its default: build arguments are recorded in the image history, so pass a "
                "credential as a build secret instead (docker build --secret id=NAME,env=NAME with "
                "RUN --mount=type=secret,id=NAME,env=NAME …)"
            )
        return tuple(notes)


def rewrite(text: str, secrets: Sequence[Secret], namer: Namer) -> Rewrite:
    """The Dockerfile without its credentials, or Unsafe."""
    plan = _Plan(secrets, namer)
    pieces: list[str] = []
    position = 0
    for start, end in _logical_lines(text):
        body = text[start:end]
        new = plan.instruction(body, text.count("\n", 0, start) + 1)
        pieces.append(text[position:start])
        if new == "" and body != "":
            position = min(len(text), end + 1)  # the whole instruction goes, its newline too
        else:
            pieces.append(new)
            position = end
    pieces.append(text[position:])
    return Rewrite("".join(pieces), plan.names, plan.notes())
