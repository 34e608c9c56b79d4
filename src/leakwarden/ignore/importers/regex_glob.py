"""Path regexes (gitleaks' allowlist `paths`, detect-secrets' excluded files) as gitignore globs.

Both peers search a regex anywhere in a repository-relative path; `allow_paths` takes gitignore
globs. The common shapes translate exactly: literals, `^` and `$`, `.*` after a slash,
alternatives of literals, an optional character, `[^/]*`, the idioms `(?:^|/)` (a component
starts here) and `(?:/.*)?$` (the component ends here). Anything else is refused, with why,
rather than guessed; a shape that translates with a small difference says what it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_EXPANSIONS = 32

_COMPONENT_START = "(?:^|/)"
_COMPONENT_END = "(?:/.*)?$"
_LITERAL_ESCAPES = set(".-/_ +*?()[]{}|^$\\#~@!%&=:,'\"<>;`")
_GLOB_SPECIAL = set("*?[\\")


class NotExpressible(ValueError):
    """The regex has no gitignore equivalent; the message says which part."""


@dataclass(frozen=True)
class Tok:
    kind: str  # lit, star (any text, "/" included), any1, segstar ([^/]*), class, bol, eol, cstart, cend
    text: str = ""


Seq = tuple[Tok, ...]


@dataclass(frozen=True)
class Glob:
    glob: str
    approximation: str = ""


def _group_end(pattern: str, start: int) -> int:
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            close = pattern.find("]", index + 2)
            index = len(pattern) if close < 0 else close + 1
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return index
        index += 1
    raise NotExpressible("unbalanced parenthesis")


def _product(left: list[Seq], right: list[Seq]) -> list[Seq]:
    combined = [a + b for a in left for b in right]
    if len(combined) > MAX_EXPANSIONS:
        raise NotExpressible(f"more than {MAX_EXPANSIONS} alternatives")
    return combined


def _split_top(pattern: str) -> list[str]:
    parts, depth, current, index = [], 0, "", 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern):
            current += pattern[index : index + 2]
            index += 2
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
        index += 1
    return [*parts, current]


def _parse(pattern: str) -> list[Seq]:
    """Every alternative the regex spells, as token sequences."""
    alternatives: list[Seq] = []
    for branch in _split_top(pattern):
        alternatives.extend(_parse_branch(branch))
        if len(alternatives) > MAX_EXPANSIONS:
            raise NotExpressible(f"more than {MAX_EXPANSIONS} alternatives")
    return alternatives


def _parse_branch(pattern: str) -> list[Seq]:
    seqs: list[Seq] = [()]
    index = 0
    while index < len(pattern):
        rest = pattern[index:]
        char = pattern[index]
        options: list[Seq]
        if rest.startswith(_COMPONENT_START):
            options, index = [(Tok("cstart"),)], index + len(_COMPONENT_START)
        elif rest == _COMPONENT_END:
            options, index = [(Tok("cend"),)], len(pattern)
        elif re.match(r"\.[*+]\??", rest):
            star = re.match(r"\.[*+]\??", rest)
            assert star is not None
            options, index = [(Tok("star", star.group()),)], index + star.end()
        elif rest.startswith("[^/]*"):
            options, index = [(Tok("segstar"),)], index + 5
        elif char in "^$":
            options, index = [(Tok("bol" if char == "^" else "eol"),)], index + 1
        elif char == "(":
            if rest.startswith("(?") and not rest.startswith("(?:"):
                raise NotExpressible(f"flag group {rest[: rest.find(')') + 1]!r} (globs are case-sensitive)")
            end = _group_end(pattern, index)
            inner = pattern[index + (3 if rest.startswith("(?:") else 1) : end]
            options, index = _parse(inner), end + 1
        elif char == "[":
            close = pattern.find("]", index + 2)
            body = pattern[index + 1 : close] if close > 0 else ""
            if close < 0 or "\\" in body or "[" in body:
                raise NotExpressible(f"character class {rest!r}")
            glob_class = "[!" + body[1:] + "]" if body.startswith("^") else "[" + body + "]"
            options, index = [(Tok("class", glob_class),)], close + 1
        elif char == "\\":
            escaped = pattern[index + 1 : index + 2]
            if escaped not in _LITERAL_ESCAPES:
                raise NotExpressible(f"escape \\{escaped}")
            options, index = [(Tok("lit", escaped),)], index + 2
        elif char == ".":
            options, index = [(Tok("any1"),)], index + 1
        elif char in "*+{})|":
            raise NotExpressible(
                f"quantifier or operator {char!r} at {pattern[max(0, index - 5) : index + 5]!r}"
            )
        else:
            options, index = [(Tok("lit", char),)], index + 1
        if index < len(pattern) and pattern[index] in "*+{":
            raise NotExpressible(f"repetition {pattern[index]!r} after {pattern[:index]!r}")
        if index < len(pattern) and pattern[index] == "?":
            options, index = [*options, ()], index + 1
        seqs = _product(seqs, options)
    return seqs


def escape_glob(text: str) -> str:
    """`text` as a gitignore pattern that matches it literally (inside a pattern)."""
    return "".join("\\" + c if c in _GLOB_SPECIAL else c for c in text)


def _anchors(seq: Seq) -> tuple[str, str, list[Tok]]:
    """Where the match may start (root, component, anywhere) and end (end, component, open)."""
    tokens = list(seq)
    start = "anywhere"
    if tokens and tokens[0].kind in ("bol", "cstart"):
        start = "root" if tokens.pop(0).kind == "bol" else "component"
    if start in ("anywhere", "root") and tokens and tokens[0].kind == "star":
        tokens.pop(0)
        start = "anywhere"
    end = "open"
    if tokens and tokens[-1].kind in ("eol", "cend"):
        end = "end" if tokens.pop().kind == "eol" else "component"
    if tokens and tokens[-1].kind == "star":
        tokens.pop()
        end = "open"
    if any(t.kind in ("bol", "eol", "cstart", "cend") for t in tokens):
        raise NotExpressible("an anchor in the middle of the pattern")
    return start, end, tokens


def _literal(text: str, fold: bool) -> str:
    if fold and text.lower() != text.upper():
        return f"[{text.lower()}{text.upper()}]"
    return escape_glob(text)


def _body(tokens: list[Tok], notes: list[str], fold: bool) -> str:
    body = ""
    for position, tok in enumerate(tokens):
        if tok.kind == "lit":
            body += _literal(tok.text, fold)
        elif tok.kind == "any1":
            body += "?"
            notes.append("an unescaped '.' became '?', which does not match '/'")
        elif tok.kind == "segstar":
            body += "*"
        elif tok.kind == "class":
            body += tok.text
            if fold:
                notes.append("a character class stays case-sensitive")
        else:  # a star in the middle
            after = "".join(t.text if t.kind == "lit" else "x" for t in tokens[position + 1 :])
            if not body.endswith("/"):
                raise NotExpressible(f"'{tok.text}' inside a path component")
            if after.startswith("/"):
                body = body + "**"
                notes.append(f"'{tok.text}' between slashes also matches no directory at all")
            elif "/" in after:
                raise NotExpressible(f"'{tok.text}' followed by more directories")
            else:
                body += "**/*"
            if tok.text.startswith(".+"):
                notes.append(f"'{tok.text}' needs one character where the glob accepts none")
    if not body.strip("/"):
        raise NotExpressible("it matches every path")
    return body


def _seq_glob(seq: Seq, fold: bool) -> Glob:
    start, end, tokens = _anchors(seq)
    notes: list[str] = []
    body = _body(tokens, notes, fold)
    suffix = "*" if end == "open" and not body.endswith("/") else ""
    inner = "/" in body.rstrip("/")
    if start == "root":
        glob = "/" + body + suffix
    elif start == "component":
        glob = ("**/" if inner else "") + body + suffix
    elif not inner:
        glob = ("" if body.startswith("*") else "*") + body + suffix
    else:
        first, rest = body.split("/", 1)
        if first:
            glob = "**/" + ("" if first.startswith("*") else "*") + first + "/" + rest + suffix
        else:
            glob = "**/" + rest + suffix
            notes.append("the glob also matches at the top level")
    if glob.startswith(("!", "#")):
        glob = "\\" + glob
    return Glob(glob, "; ".join(dict.fromkeys(notes)))


def regex_to_globs(pattern: str) -> list[Glob]:
    """Globs selecting the paths in which `pattern` is found (re.search); NotExpressible when
    there is no such translation."""
    if not pattern:
        raise NotExpressible("empty pattern")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise NotExpressible(f"does not compile: {exc}") from None
    # A leading (?i) is common in gitleaks' paths; each letter becomes a [xX] class.
    fold = pattern.startswith("(?i)")
    globs = [_seq_glob(seq, fold) for seq in _parse(pattern.removeprefix("(?i)"))]
    return list({g.glob: g for g in globs}.values())
