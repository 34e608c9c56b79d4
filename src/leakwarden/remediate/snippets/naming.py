"""Identifiers for a credential's variables in each language, and the comment label."""

from __future__ import annotations

import keyword
import re

VAULT_MOUNT = "secret"


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_RESERVED = frozenset(keyword.kwlist) | _wordset(
    # JavaScript, Go, Java and Ruby words an identifier must not be
    "abstract await boolean break byte case catch char chan class const continue debugger default "
    "defer delete do double else enum export extends false final finally float for func function go "
    "goto if implements import in instanceof int interface let long map native new nil null package "
    "private protected public range return select short static struct super switch synchronized this "
    "throw throws transient true try type typeof var void volatile while with yield begin end "
    "ensure module next redo rescue retry self then undef unless until when alias defined "
    # names the snippets themselves use
    "account address authenticate cfg client config conjur err hvac http json login ok os out "
    "request require response secret secrets_manager token url urllib value vault"
)


def _words(env_var: str) -> list[str]:
    return [w.lower() for w in re.split(r"_+", env_var) if w] or ["value"]


def snake(env_var: str) -> str:
    name = "_".join(_words(env_var))
    return f"{name}_value" if name in _RESERVED else name


def camel(env_var: str) -> str:
    words = _words(env_var)
    name = words[0] + "".join(w.capitalize() for w in words[1:])
    return f"{name}Value" if name.lower() in _RESERVED else name


def pascal(env_var: str) -> str:
    return "".join(w.capitalize() for w in _words(env_var))


def label_text(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\x20-\x7e]", " ", text)).strip()
