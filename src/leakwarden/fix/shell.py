"""Shell scripts: a credential becomes a reference to an environment variable.

`export NAME=value` (also `readonly`, `declare -x`, `local`, a plain `NAME=value`) becomes
`export NAME="${NAME:?…}"`: the script keeps exporting the variable, takes its value from the
environment, and stops with a message when it is missing rather than running with an empty
credential. A credential anywhere else becomes `${NAME}` in the quoting it stands in: inside
double quotes or an expanding here-document as it is, unquoted as `"${NAME}"`, inside single
quotes as `'"${NAME}"'`. What the shell would not expand the same way — a quoted here-document,
a command substitution, a credential holding shell metacharacters or following a backslash — is
refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from leakwarden.fix.model import Rewrite, Secret, Unsafe
from leakwarden.fix.names import Namer

EXTENSIONS = frozenset({".sh", ".bash", ".zsh", ".ksh", ".dash"})
_SHEBANG = re.compile(rb"^#![ \t]*(?:/usr)?(?:/local)?/bin/(?:env[ \t]+)?(?:ba|z|k|da)?sh\b")
_ASSIGNMENT = re.compile(
    r"^(?P<head>[ \t]*(?:(?:export|readonly|local)[ \t]+|declare[ \t]+(?:-[a-zA-Z]+[ \t]+)*)?)"
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>'[^'\n]*'|\"[^\"\\\n$`]*\"|[^\s'\"\\$`;|&<>()#]*)"
    r"(?P<tail>[ \t]*(?:#[^\n]*)?)$"
)
_HEREDOC = re.compile(r"<<-?[ \t]*(?P<quote>['\"]?)(?P<word>[A-Za-z_][A-Za-z0-9_]*)(?P=quote)")
# Characters a credential may hold and still be written as `${NAME}` in any quoting.
_PLAIN = re.compile(r"^[A-Za-z0-9_.+/=:@%~,^-]+$")

CODE, SINGLE, DOUBLE, COMMENT, HEREDOC, HEREDOC_QUOTED = "code", "single", "double", "comment", "heredoc", "q"


def is_shell(path: PurePath, head: bytes) -> bool:
    return path.suffix in EXTENSIONS or bool(_SHEBANG.match(head))


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    state: str


def _states(text: str) -> list[_Span]:
    """The quoting state of every stretch of the script. A stretch inside a command
    substitution (`$(` or a backquote) is marked as such by the caller's refusal, not here."""
    spans: list[_Span] = []
    state, start, index, n = CODE, 0, 0, len(text)
    pending: list[tuple[str, bool]] = []  # here-documents opened on this line: (word, quoted)

    def switch(new: str, at: int) -> None:
        nonlocal state, start
        if at > start:
            spans.append(_Span(start, at, state))
        state, start = new, at

    while index < n:
        char = text[index]
        if state == CODE:
            if char == "\\":
                index += 2
                continue
            if char == "'":
                switch(SINGLE, index + 1)
            elif char == '"':
                switch(DOUBLE, index + 1)
            elif char == "#" and (index == 0 or text[index - 1] in " \t\n;|&("):
                switch(COMMENT, index)
            elif char == "<" and (match := _HEREDOC.match(text, index)):
                pending.append((match.group("word"), bool(match.group("quote"))))
                index = match.end()
                continue
            elif char == "\n" and pending:
                index = _heredocs(text, index + 1, pending, switch)
                pending = []
                switch(CODE, index)
                continue
        elif state == SINGLE:
            if char == "'":
                switch(CODE, index)
                index += 1
                start = index
                continue
        elif state == DOUBLE:
            if char == "\\":
                index += 2
                continue
            if char == '"':
                switch(CODE, index)
                index += 1
                start = index
                continue
        elif state == COMMENT and char == "\n":
            switch(CODE, index)
            continue
        index += 1
    switch(CODE, n)
    return spans


def _heredocs(
    text: str, index: int, pending: list[tuple[str, bool]], switch: Callable[[str, int], None]
) -> int:
    """Mark the bodies of the here-documents opened on the line before `index`; return where the
    code after them starts."""
    for word, quoted in pending:
        switch(HEREDOC_QUOTED if quoted else HEREDOC, index)
        while index < len(text):
            end = text.find("\n", index)
            end = len(text) if end < 0 else end
            line = text[index:end]
            if line.lstrip("\t") == word:
                switch(CODE, index)
                index = min(len(text), end + 1)
                break
            index = end + 1
    return index


def _state_at(spans: Sequence[_Span], index: int) -> str:
    for span in spans:
        if span.start <= index < span.end:
            return span.state
    return CODE


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def rewrite(text: str, secrets: Sequence[Secret], namer: Namer) -> Rewrite:
    """The script with every secret replaced by a variable reference, or Unsafe."""
    spans = _states(text)
    names: dict[str, str] = {}
    edits: list[tuple[int, int, str]] = []
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    ordered = sorted(secrets, key=lambda s: -len(s.value))
    for number, line in enumerate(lines):
        match = _ASSIGNMENT.match(line)
        if match is None or _state_at(spans, offsets[number]) != CODE:
            continue
        raw = match.group("value")
        value = raw[1:-1] if raw[:1] in ("'", '"') else raw
        secret = next((s for s in ordered if s.value == value), None)
        if secret is None:
            continue
        name = names.get(secret.value) or namer.name(secret, match.group("name"))
        names[secret.value] = name
        begin = offsets[number] + match.start("value")
        edits.append((begin, begin + len(raw), f'"${{{name}:?{name} is not set}}"'))
    taken = [(start, end) for start, end, _ in edits]
    for secret in ordered:
        position = 0
        while (index := text.find(secret.value, position)) >= 0:
            position = index + len(secret.value)
            if any(start <= index < end for start, end in taken):
                continue
            at = _line(text, index)
            if not _PLAIN.match(secret.value):
                raise Unsafe(f"line {at}: the credential holds characters the shell would interpret")
            before = text[text.rfind("\n", 0, index) + 1 : index]
            if "$(" in before or "`" in before:
                raise Unsafe(f"line {at}: the credential is inside a command substitution")
            if index > 0 and text[index - 1] == "\\":
                raise Unsafe(f"line {at}: the credential follows a backslash escape")
            state = _state_at(spans, index)
            if state == HEREDOC_QUOTED:
                raise Unsafe(f"line {at}: the credential is in a quoted here-document (no expansion)")
            name = names.get(secret.value) or namer.name(secret, None)
            names[secret.value] = name
            reference = "${" + name + "}"
            code = {CODE: f'"{reference}"', SINGLE: f"'\"{reference}\"'"}.get(state, reference)
            edits.append((index, position, code))
            taken.append((index, position))
    new_text = text
    for start, end, code in sorted(edits, reverse=True):
        new_text = new_text[:start] + code + new_text[end:]
    listed = ", ".join(sorted(set(names.values())))
    notes = (f"the script now reads {listed} from its environment: run it with `set -a; . .env; set +a`, "
             "or from CI with its secret variables",)  # fmt: skip
    return Rewrite(new_text, names, notes)
