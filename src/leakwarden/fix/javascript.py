"""JavaScript and TypeScript: the string or template literal holding a credential becomes
`process.env.NAME`.

Parsed before and after with tree-sitter (the `fix` extra); a file that does not parse cleanly
either way is refused. A string that is only partly the credential becomes a template literal;
a part of a template literal becomes `${process.env.NAME}`; a JSX attribute gets braces. A
credential in a comment becomes `${NAME}`. Object keys, type positions, enum members, import
sources, directives, tagged templates and JSX text are refused, as is a file that binds
`process` itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leakwarden.fix.model import Rewrite, Secret, Unsafe
from leakwarden.fix.names import Namer

EXTENSIONS = {
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "tsx",
}

_LITERALS = ("string", "template_string", "comment")
_TYPE_CONTEXT = frozenset(
    {
        "literal_type",
        "template_literal_type",
        "type_annotation",
        "type_alias_declaration",
        "type_arguments",
        "enum_body",
        "enum_assignment",
        "ambient_declaration",
        "property_signature",
        "index_signature",
    }
)
# Escapes a string allows but a template literal rejects: legacy octal, \8 and \9.
_OCTAL = re.compile(rb"(?<!\\)(?:\\\\)*\\(?:[1-9]|0[0-9])")


def parser_for(kind: str) -> Any:
    """A tree-sitter parser for `kind`; Unsafe when the grammars are not installed."""
    try:
        import tree_sitter

        if kind == "javascript":
            import tree_sitter_javascript

            language = tree_sitter_javascript.language()
        else:
            import tree_sitter_typescript

            language = (
                tree_sitter_typescript.language_tsx()
                if kind == "tsx"
                else tree_sitter_typescript.language_typescript()
            )
    except ImportError:
        raise Unsafe(
            "the JavaScript/TypeScript grammars are not installed (pip install 'leakwarden[fix]')"
        ) from None
    return tree_sitter.Parser(tree_sitter.Language(language))


def _line(src: bytes, offset: int) -> int:
    return src.count(b"\n", 0, offset) + 1


def _first_error(node: Any) -> Any:
    if node.type == "ERROR" or node.is_missing:
        return node
    for child in node.children:
        if child.has_error:
            found = _first_error(child)
            if found is not None:
                return found
    return None


def _parse(parser: Any, src: bytes, when: str) -> Any:
    tree = parser.parse(src)
    if tree.root_node.has_error:
        error = _first_error(tree.root_node)
        where = f" (line {error.start_point[0] + 1})" if error is not None else ""
        raise Unsafe(f"{when}{where}")
    return tree


def _same(a: Any, b: Any) -> bool:
    return a is not None and b is not None and (a.start_byte, a.end_byte) == (b.start_byte, b.end_byte)


def _text(src: bytes, node: Any) -> str:
    return src[node.start_byte : node.end_byte].decode("utf-8", "replace")


@dataclass
class _Literal:
    node: Any
    hits: list[tuple[int, Secret]]  # byte offsets in the file


class _Rewriter:
    def __init__(self, src: bytes, tree: Any, secrets: Sequence[Secret], namer: Namer) -> None:
        self.src = src
        self.tree = tree
        self.secrets = secrets
        self.namer = namer
        self.names: dict[str, str] = {}
        self.edits: list[tuple[int, int, bytes]] = []
        self.replaced = 0

    def _name(self, secret: Secret, binding: str | None, whole: bool = True) -> str:
        name = self.names.get(secret.value) or self.namer.name(secret, binding, whole=whole)
        self.names[secret.value] = name
        return name

    def literals(self) -> list[_Literal]:
        """Every occurrence of a secret, grouped by the string, template or comment holding it."""
        found: dict[tuple[int, int], _Literal] = {}
        taken: list[tuple[int, int]] = []
        for secret in sorted(self.secrets, key=lambda s: -len(s.value)):
            needle = secret.value.encode()
            start = 0
            while (index := self.src.find(needle, start)) >= 0:
                end = index + len(needle)
                start = end
                if any(index < e and end > s for s, e in taken):
                    continue
                taken.append((index, end))
                node = self.tree.root_node.descendant_for_byte_range(index, end)
                while node is not None and node.type not in _LITERALS:
                    node = node.parent
                if node is None:
                    raise Unsafe(
                        f"line {_line(self.src, index)}: the credential is not in a string or comment"
                    )
                key = (node.start_byte, node.end_byte)
                found.setdefault(key, _Literal(node, [])).hits.append((index, secret))
        for literal in found.values():
            literal.hits.sort(key=lambda hit: hit[0])
        return sorted(found.values(), key=lambda lit: (lit.node.type == "comment", lit.node.start_byte))

    # --- context -----------------------------------------------------------------------------------

    def _check_context(self, node: Any) -> None:
        line = _line(self.src, node.start_byte)
        parent = node.parent
        if parent is None:
            return
        if parent.type in ("pair", "pair_pattern") and _same(parent.child_by_field_name("key"), node):
            raise Unsafe(f"line {line}: the credential is an object key")
        if parent.type == "expression_statement":
            raise Unsafe(f"line {line}: the credential is a bare string or a directive")
        if parent.type in ("import_statement", "export_statement", "import_require_clause"):
            raise Unsafe(f"line {line}: the credential is a module specifier")
        if parent.type == "call_expression" and _same(parent.child_by_field_name("arguments"), node):
            raise Unsafe(f"line {line}: the credential is in a tagged template")
        ancestor = parent
        while ancestor is not None:
            if ancestor.type in _TYPE_CONTEXT:
                raise Unsafe(f"line {line}: the credential is in a type or an enum")
            ancestor = ancestor.parent

    def _binding(self, node: Any) -> str | None:
        parent = node.parent
        if parent is None:
            return None
        field = {
            "variable_declarator": ("value", "name"),
            "pair": ("value", "key"),
            "assignment_expression": ("right", "left"),
            "public_field_definition": ("value", "name"),
            "field_definition": ("value", "property"),
            "assignment_pattern": ("right", "left"),
            "required_parameter": ("value", "pattern"),
            "optional_parameter": ("value", "pattern"),
        }.get(parent.type)
        if parent.type == "jsx_attribute":
            return _text(self.src, parent.children[0])
        if field is None or not _same(parent.child_by_field_name(field[0]), node):
            return None
        target = parent.child_by_field_name(field[1])
        if target is None:
            return None
        if target.type == "member_expression":
            target = target.child_by_field_name("property")
        if target is None:
            return None
        if target.type == "string":
            return _text(self.src, target)[1:-1]
        if target.type in ("identifier", "property_identifier", "private_property_identifier"):
            return _text(self.src, target).lstrip("#")
        return None

    # --- rewriting --------------------------------------------------------------------------------

    def _escape_check(self, body: bytes, offsets: Sequence[int], line: int) -> None:
        for offset in offsets:
            count = 0
            while offset - count > 0 and body[offset - count - 1 : offset - count] == b"\\":
                count += 1
            if count % 2:
                raise Unsafe(f"line {line}: the credential follows a backslash escape")

    def string(self, literal: _Literal) -> None:
        node = literal.node
        self._check_context(node)
        line = _line(self.src, node.start_byte)
        body_start = node.start_byte + 1
        body = self.src[body_start : node.end_byte - 1]
        offsets = [index - body_start for index, _ in literal.hits]
        self._escape_check(body, offsets, line)
        in_jsx = node.parent is not None and node.parent.type == "jsx_attribute"
        first = literal.hits[0][1]
        if len(literal.hits) == 1 and first.value.encode() == body:
            code = b"process.env." + self._name(first, self._binding(node)).encode()
        else:
            if in_jsx and (b"\\" in body or b"&" in body):
                raise Unsafe(f"line {line}: a JSX attribute with escapes or entities")
            if not in_jsx and _OCTAL.search(body):
                raise Unsafe(f"line {line}: the string uses octal escapes, which template literals reject")
            pieces = [b"`"]
            position = 0
            for offset, (_, secret) in zip(offsets, literal.hits, strict=True):
                pieces.append(_template_text(body[position:offset]))
                name = self._name(secret, self._binding(node), whole=False)
                pieces.append(b"${process.env." + name.encode() + b"}")
                position = offset + len(secret.value.encode())
            pieces.append(_template_text(body[position:]))
            pieces.append(b"`")
            code = b"".join(pieces)
        if in_jsx:
            code = b"{" + code + b"}"
        self.edits.append((node.start_byte, node.end_byte, code))
        self.replaced += 1

    def template(self, literal: _Literal) -> None:
        node = literal.node
        self._check_context(node)
        line = _line(self.src, node.start_byte)
        fragments = [c for c in node.children if c.type == "string_fragment"]
        for index, secret in literal.hits:
            end = index + len(secret.value.encode())
            if not any(f.start_byte <= index and end <= f.end_byte for f in fragments):
                raise Unsafe(f"line {line}: the credential spans an escape or a substitution")
        body_start = node.start_byte + 1
        body = self.src[body_start : node.end_byte - 1]
        self._escape_check(body, [index - body_start for index, _ in literal.hits], line)
        first = literal.hits[0][1]
        if len(literal.hits) == 1 and first.value.encode() == body:
            name = self._name(first, self._binding(node))
            self.edits.append((node.start_byte, node.end_byte, b"process.env." + name.encode()))
        else:
            for index, secret in literal.hits:
                name = self._name(secret, self._binding(node), whole=False)
                code = b"${process.env." + name.encode() + b"}"
                self.edits.append((index, index + len(secret.value.encode()), code))
        self.replaced += 1

    def comment(self, literal: _Literal) -> None:
        for index, secret in literal.hits:
            name = self._name(secret, None)
            self.edits.append((index, index + len(secret.value.encode()), b"${" + name.encode() + b"}"))

    def check_process_binding(self) -> None:
        """Refuse a file that declares its own `process` (a parameter, a variable, an import
        other than node's own module): `process.env` would not be the environment there."""
        stack = [self.tree.root_node]
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            if node.type not in ("identifier", "shorthand_property_identifier_pattern"):
                continue
            if self.src[node.start_byte : node.end_byte] != b"process":
                continue
            parent = node.parent
            if parent is None or not _binds(parent, node):
                continue
            if parent.type == "import_clause":
                statement = parent.parent
                source = statement.child_by_field_name("source") if statement is not None else None
                if source is not None and _text(self.src, source)[1:-1] in ("process", "node:process"):
                    continue
            raise Unsafe(f"line {node.start_point[0] + 1}: this file binds its own `process`")

    def result(self) -> bytes:
        out = self.src
        for start, end, code in sorted(self.edits, reverse=True):
            out = out[:start] + code + out[end:]
        return out


_BINDING_PARENTS = frozenset(
    {
        "formal_parameters",
        "required_parameter",
        "optional_parameter",
        "function_declaration",
        "function_expression",
        "generator_function_declaration",
        "class_declaration",
        "import_specifier",
        "namespace_import",
        "import_clause",
        "catch_clause",
        "object_pattern",
        "array_pattern",
        "pair_pattern",
        "rest_pattern",
        "shorthand_property_identifier_pattern",
        "ambient_declaration",
    }
)


def _binds(parent: Any, node: Any) -> bool:
    """Whether `node` (an identifier) is declared or assigned by `parent`."""
    if parent.type in _BINDING_PARENTS:
        return True
    if parent.type in ("variable_declarator", "arrow_function"):
        return _same(parent.child_by_field_name("name") or parent.child_by_field_name("parameter"), node)
    if parent.type in ("assignment_expression", "assignment_pattern", "augmented_assignment_expression"):
        return _same(parent.child_by_field_name("left"), node)
    return False


def _template_text(text: bytes) -> bytes:
    """String-literal source as template-literal source: escapes kept, backticks and `${` escaped."""
    out = bytearray()
    index = 0
    while index < len(text):
        char = text[index : index + 1]
        if char == b"\\":
            out += text[index : index + 2]
            index += 2
            continue
        if char == b"`":
            out += b"\\`"
        elif char == b"$" and text[index + 1 : index + 2] == b"{":
            out += b"\\$"
        else:
            out += char
        index += 1
    return bytes(out)


def rewrite(text: str, secrets: Sequence[Secret], namer: Namer, kind: str) -> Rewrite:
    """The file with every secret moved to `process.env`, or Unsafe."""
    parser = parser_for(kind)
    src = text.encode("utf-8")
    tree = _parse(parser, src, f"does not parse as {kind}")
    rewriter = _Rewriter(src, tree, secrets, namer)
    for literal in rewriter.literals():
        if literal.node.type == "string":
            rewriter.string(literal)
        elif literal.node.type == "template_string":
            rewriter.template(literal)
        else:
            rewriter.comment(literal)
    if rewriter.replaced:
        rewriter.check_process_binding()
    new_src = rewriter.result()
    _parse(parser, new_src, "the rewritten file would not parse")
    return Rewrite(new_src.decode("utf-8"), dict(rewriter.names))
