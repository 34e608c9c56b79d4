"""YAML: a reference replaces the credential only where the program reading the file
interpolates one.

- docker compose files (`compose*.y*ml`, `docker-compose*.y*ml`): `${NAME}`, read from the
  shell or the `.env` beside the compose file;
- GitHub Actions workflows (`.github/workflows/*.y*ml`): `${{ secrets.NAME }}`;
- GitLab CI (`.gitlab-ci.yml`): `${NAME}`, a CI/CD variable of the project.

Any other YAML is refused: nothing would resolve a reference there. The result must load to
the same documents as the original with the credentials replaced by their references (the
check that catches, say, `${...}` in a flow collection, or a credential YAML read as a number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import Any

import yaml

from leakwarden.fix.model import Rewrite, Secret, Unsafe
from leakwarden.fix.names import Namer

COMPOSE = "compose"
GITHUB = "github"
GITLAB = "gitlab"

_COMPOSE_NAME = re.compile(r"^(?:docker-)?compose(?:[.-][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_ENV_ITEM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)


def flavour(path: PurePath) -> str | None:
    """Which interpolating YAML this is, or None."""
    name = path.name
    if _COMPOSE_NAME.match(name):
        return COMPOSE
    parts = path.parts
    if path.suffix in (".yml", ".yaml") and len(parts) >= 3 and parts[-3:-1] == (".github", "workflows"):
        return GITHUB
    if name in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
        return GITLAB
    return None


def reference(kind: str, name: str) -> str:
    return "${{ secrets." + name + " }}" if kind == GITHUB else "${" + name + "}"


def _scalars(
    node: yaml.Node, binding: str | None, seen: set[int]
) -> Iterator[tuple[yaml.ScalarNode, str | None, bool]]:
    """(scalar, the key it is bound to, is a key) for every scalar, each node once."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        yield node, binding, False
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item, None, seen)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield key, None, True
                yield from _scalars(value, str(key.value), seen)
            else:
                yield from _scalars(key, None, seen)
                yield from _scalars(value, None, seen)


def _substitute(data: Any, replacements: dict[str, str]) -> Any:
    if isinstance(data, str):
        for secret, ref in replacements.items():
            data = data.replace(secret, ref)
        return data
    if isinstance(data, list):
        return [_substitute(item, replacements) for item in data]
    if isinstance(data, dict):
        return {key: _substitute(value, replacements) for key, value in data.items()}
    return data


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _in_comment(text: str, index: int, spans: Sequence[tuple[int, int]]) -> bool:
    """Whether `index` lies in a comment: after a `#` that starts the line or follows a blank,
    outside every scalar."""
    line_start = text.rfind("\n", 0, index) + 1
    for match in re.finditer(r"(?:^|(?<=\s))#", text[line_start:index]):
        hash_at = line_start + match.start()
        if not any(start <= hash_at < end for start, end in spans):
            return True
    return False


class _Edits:
    """Replacements of one file, each span once, and the name of each secret."""

    def __init__(self, text: str, kind: str, namer: Namer) -> None:
        self.text = text
        self.kind = kind
        self.namer = namer
        self.names: dict[str, str] = {}
        self.spans: list[tuple[int, int, str]] = []

    def covered(self, index: int) -> bool:
        return any(start <= index < end for start, end, _ in self.spans)

    def add(
        self, index: int, secret: Secret, binding: str | None, comment: bool = False, whole: bool = True
    ) -> None:
        if self.kind == GITHUB and (binding or "").upper().startswith("GITHUB_"):
            binding = None  # GitHub reserves these secret names (secrets.GITHUB_TOKEN is its own)
        if secret.value not in self.names:
            self.names[secret.value] = self.namer.name(secret, binding, whole=whole)
        name = self.names[secret.value]
        if self.kind == GITHUB and name.startswith("GITHUB_"):
            line = _line(self.text, index)
            raise Unsafe(
                f"line {line}: GitHub reserves secret names starting with GITHUB_ (the variable is {name})"
            )
        code = "${" + name + "}" if comment else reference(self.kind, name)
        self.spans.append((index, index + len(secret.value), code))

    def values(
        self, scalars: Sequence[tuple[yaml.ScalarNode, str | None, bool]], ordered: Sequence[Secret]
    ) -> None:
        """Every occurrence in a scalar value; Unsafe for a key or a value the source spells
        differently (escapes, folding)."""
        for node, key, is_key in scalars:
            value = str(node.value)
            present = [s for s in ordered if s.value in value]
            if not present:
                continue
            start, end = node.start_mark.index, node.end_mark.index
            if is_key:
                raise Unsafe(f"line {_line(self.text, start)}: the credential is a YAML key")
            raw = self.text[start:end]
            item = _ENV_ITEM.match(value)
            bound = value
            if item and item.group(2) == present[0].value:  # `- NAME=value` in an environment list
                binding: str | None = item.group(1)
                bound = item.group(2)
            else:
                binding = key
            for secret in present:
                if secret.value not in raw:
                    line = _line(self.text, start)
                    raise Unsafe(f"line {line}: the credential is split or escaped in the YAML source")
                position = 0
                while (index := raw.find(secret.value, position)) >= 0:
                    if not self.covered(start + index):
                        self.add(start + index, secret, binding, whole=bound == secret.value)
                    position = index + len(secret.value)

    def comments(self, ordered: Sequence[Secret], scalar_spans: Sequence[tuple[int, int]]) -> None:
        """Every other occurrence must be in a comment (it becomes `${NAME}`); else Unsafe."""
        for secret in ordered:
            position = 0
            while (index := self.text.find(secret.value, position)) >= 0:
                position = index + len(secret.value)
                if self.covered(index):
                    continue
                if not _in_comment(self.text, index, scalar_spans):
                    line = _line(self.text, index)
                    raise Unsafe(f"line {line}: the credential is neither a value nor in a comment")
                self.add(index, secret, None, comment=True)

    def result(self) -> str:
        text = self.text
        for start, end, code in sorted(self.spans, reverse=True):
            text = text[:start] + code + text[end:]
        return text


def rewrite(text: str, secrets: Sequence[Secret], namer: Namer, kind: str | None) -> Rewrite:
    """The file with every secret replaced by a reference, or Unsafe."""
    if kind is None:
        raise Unsafe(
            "this YAML has no interpolation leakwarden knows (docker compose, GitHub Actions, GitLab CI): "
            "move the value to your secret store and reference it the way the program reading this file "
            "supports"
        )
    try:
        before = list(yaml.safe_load_all(text))
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise Unsafe(f"does not parse as YAML: {str(exc).splitlines()[0]}") from None
    seen: set[int] = set()
    scalars = [item for doc in documents if doc is not None for item in _scalars(doc, None, seen)]
    ordered = sorted(secrets, key=lambda s: -len(s.value))
    edits = _Edits(text, kind, namer)
    edits.values(scalars, ordered)
    edits.comments(ordered, [(node.start_mark.index, node.end_mark.index) for node, _, _ in scalars])
    new_text = edits.result()
    try:
        after = list(yaml.safe_load_all(new_text))
    except yaml.YAMLError as exc:
        raise Unsafe(f"the rewritten YAML would not parse: {str(exc).splitlines()[0]}") from None
    refs = {secret: reference(kind, name) for secret, name in edits.names.items()}
    if after != _substitute(before, refs):
        raise Unsafe("the rewritten YAML would not mean the same (a flow collection or a non-string value?)")
    return Rewrite(new_text, edits.names, _notes(kind, sorted(set(edits.names.values()))))


def _notes(kind: str, names: list[str]) -> tuple[str, ...]:
    listed = ", ".join(names)
    if kind == GITHUB:
        how = "gh secret set NAME, or gh secret set -f .env"
        return (f"add {listed} to the repository's Actions secrets ({how})",)
    if kind == GITLAB:
        return (f"define {listed} in the project's masked CI/CD variables (Settings → CI/CD → Variables)",)
    return ()
