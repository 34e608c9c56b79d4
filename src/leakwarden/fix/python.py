"""Python: the string literal holding a credential becomes `os.environ["NAME"]`.

Syntax-aware (libcst keeps every other byte as it was). A literal that is only partly the
credential (a URL with a password, a multi-line template) becomes an f-string; a part of an
f-string becomes a replacement field; a bytes literal gets `.encode()`. Each rewritten literal is
evaluated against the original with the variable set to the secret: the same value, or the file
is refused. A credential in a comment becomes `${NAME}`. Docstrings, annotations and `match`
patterns, where only a literal may stand, are refused, as is a file that binds `os` to
something else. `import os` is added when missing (a module that has `import os as o` keeps it
and gets `o.environ`); the result must parse.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from types import SimpleNamespace

import libcst as cst
from libcst.metadata import (
    GlobalScope,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

from leakwarden.fix.model import Rewrite, Secret, Unsafe
from leakwarden.fix.names import Namer

_EMPTY = cst.Module(body=[])
_QUOTES = ("'", '"')


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _escaped(body: str, index: int) -> bool:
    """Whether the character at `index` is escaped by an odd run of backslashes."""
    count = 0
    while index - count > 0 and body[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def find_hits(body: str, secrets: Sequence[Secret]) -> list[tuple[int, Secret]]:
    """Non-overlapping occurrences of the secrets in `body`, longest secret first, in order."""
    hits: list[tuple[int, Secret]] = []
    taken: list[tuple[int, int]] = []
    for secret in sorted(secrets, key=lambda s: -len(s.value)):
        start = 0
        while (index := body.find(secret.value, start)) >= 0:
            end = index + len(secret.value)
            if not any(index < e and end > s for s, e in taken):
                hits.append((index, secret))
                taken.append((index, end))
            start = end
    return sorted(hits, key=lambda hit: hit[0])


class _Strings(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (ParentNodeProvider, PositionProvider)

    def __init__(self, secrets: Sequence[Secret], namer: Namer, os_name: str = "os") -> None:
        super().__init__()
        self.secrets = secrets
        self.namer = namer
        self.os_name = os_name  # `o` after `import os as o`
        self.names: dict[str, str] = {}
        self.replaced = 0
        self._fstring_quotes: list[str] = []
        self._concat_parts: set[int] = set()

    # --- helpers -------------------------------------------------------------------------------

    def _line(self, node: cst.CSTNode) -> int:
        return int(self.get_metadata(PositionProvider, node).start.line)

    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        parent = self.get_metadata(ParentNodeProvider, node, None)
        return parent if isinstance(parent, cst.CSTNode) else None

    def _name(self, secret: Secret, binding: str | None, whole: bool = True) -> str:
        name = self.namer.name(secret, binding, whole=whole)
        self.names[secret.value] = name
        return name

    def _hits(self, body: str, raw: bool, node: cst.CSTNode) -> list[tuple[int, Secret]]:
        hits = find_hits(body, self.secrets)
        if not raw and any(_escaped(body, index) for index, _ in hits):
            raise Unsafe(f"line {self._line(node)}: the credential follows a backslash escape")
        return hits

    def _check_context(self, node: cst.CSTNode) -> None:
        """Refuse the places where only a literal may stand (or where a lookup changes meaning)."""
        child, parent = node, self._parent(node)
        while isinstance(parent, cst.ConcatenatedString | cst.FormattedString):
            child, parent = parent, self._parent(parent)
        if isinstance(parent, cst.Expr) and parent.value is child:
            raise Unsafe(f"line {self._line(node)}: the credential is in a docstring or a bare string")
        while parent is not None:
            if isinstance(parent, cst.Annotation):
                raise Unsafe(f"line {self._line(node)}: the credential is in a type annotation")
            if isinstance(parent, cst.MatchValue | cst.MatchMappingElement):
                raise Unsafe(f"line {self._line(node)}: the credential is in a match pattern")
            parent = self._parent(parent)

    def _binding(self, node: cst.CSTNode) -> str | None:
        """The name a whole-credential literal is bound to: keyword, dict key, assignment
        target, parameter. None for positional arguments and the like."""
        parent = self._parent(node)
        if isinstance(parent, cst.Arg) and parent.keyword is not None and parent.value is node:
            return parent.keyword.value
        if isinstance(parent, cst.DictElement) and parent.value is node:
            return _literal_text(parent.key)
        if isinstance(parent, cst.Assign) and parent.value is node and len(parent.targets) == 1:
            return _target_name(parent.targets[0].target)
        if isinstance(parent, cst.AnnAssign) and parent.value is node:
            return _target_name(parent.target)
        if isinstance(parent, cst.Param) and parent.default is node:
            return parent.name.value
        return None

    def _inner_quote(self, own: str, node: cst.CSTNode) -> str:
        """A quote for `os.environ[...]` inside an f-string: neither the f-string's own quote
        nor an enclosing f-string's (older Pythons reject both)."""
        used = {own[0], *(q[0] for q in self._fstring_quotes)}
        for quote in _QUOTES:
            if quote not in used:
                return quote
        raise Unsafe(f"line {self._line(node)}: nested f-strings already use both quote characters")

    def _lookup(self, name: str, quote: str) -> str:
        return f"{self.os_name}.environ[{quote}{name}{quote}]"

    # --- literals --------------------------------------------------------------------------------

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        self._concat_parts.update((id(node.left), id(node.right)))
        return True

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        self._fstring_quotes.append(node.quote)
        return True

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.BaseExpression:
        prefix = original_node.prefix.lower()
        raw = "r" in prefix
        body = original_node.raw_value
        hits = self._hits(body, raw, original_node)
        if not hits:
            return updated_node
        self._check_context(original_node)
        line = self._line(original_node)
        is_bytes = "b" in prefix
        in_concat = id(original_node) in self._concat_parts
        whole = len(hits) == 1 and hits[0][1].value == body
        quote = original_node.quote
        if whole and not in_concat:  # inside an implicit concatenation, a part must stay a string
            secret = hits[0][1]
            code = self._lookup(self._name(secret, self._binding(original_node)), quote[0])
            if is_bytes:
                code += ".encode()"
        else:
            if is_bytes:
                raise Unsafe(f"line {line}: the credential is part of a bytes literal")
            if not raw and "\\N{" in body:
                raise Unsafe(f"line {line}: the literal uses \\N{{...}} escapes")
            inner = self._inner_quote(quote, original_node)
            pieces: list[str] = []
            position = 0
            for index, secret in hits:
                pieces.append(body[position:index].replace("{", "{{").replace("}", "}}"))
                name = self._name(secret, self._binding(original_node), whole=False)
                pieces.append("{" + self._lookup(name, inner) + "}")
                position = index + len(secret.value)
            pieces.append(body[position:].replace("{", "{{").replace("}", "}}"))
            code = ("rf" if raw else "f") + quote + "".join(pieces) + quote
        self._verify(_code(original_node.with_changes(lpar=[], rpar=[])), code, line)
        self.replaced += 1
        replacement = cst.parse_expression(code)
        return replacement.with_changes(lpar=updated_node.lpar, rpar=updated_node.rpar)

    def leave_FormattedString(
        self, original_node: cst.FormattedString, updated_node: cst.FormattedString
    ) -> cst.BaseExpression:
        self._fstring_quotes.pop()
        raw = "r" in original_node.prefix.lower()
        parts: list[cst.BaseFormattedStringContent] = []
        changed = False
        for part in updated_node.parts:
            if not isinstance(part, cst.FormattedStringText):
                parts.append(part)
                continue
            hits = self._hits(part.value, raw, original_node)
            if not hits:
                parts.append(part)
                continue
            if any(set(secret.value) & set("\\{}") for _, secret in hits):
                raise Unsafe(f"line {self._line(original_node)}: the credential holds braces or backslashes")
            if not changed:
                self._check_context(original_node)
                changed = True
            inner = self._inner_quote(original_node.quote, original_node)
            position = 0
            for index, secret in hits:
                if index > position:
                    parts.append(cst.FormattedStringText(part.value[position:index]))
                name = self._name(secret, self._binding(original_node), whole=False)
                lookup = cst.parse_expression(self._lookup(name, inner))
                parts.append(cst.FormattedStringExpression(expression=lookup))
                position = index + len(secret.value)
            if position < len(part.value):
                parts.append(cst.FormattedStringText(part.value[position:]))
        if not changed:
            return updated_node
        self.replaced += 1
        return updated_node.with_changes(parts=parts)

    def _verify(self, old_code: str, new_code: str, line: int) -> None:
        """The new expression, with the variables set to the secrets, equals the old literal."""
        expected = ast.literal_eval(old_code)
        environ = {name: value for value, name in self.names.items()}
        try:
            # Our own generated code; its only free name is `os`, bound to a stand-in.
            got = eval(
                compile(new_code, "<fix>", "eval"),
                {"__builtins__": {}, self.os_name: SimpleNamespace(environ=environ)},
            )
        except Exception as exc:
            raise Unsafe(f"line {line}: the rewritten literal does not evaluate: {exc}") from None
        if got != expected:
            raise Unsafe(f"line {line}: the rewritten literal would not have the same value")


class _Comments(cst.CSTTransformer):
    """Second pass: a credential left in a comment becomes `${NAME}` (names from the first pass
    when the code uses the same value)."""

    def __init__(self, secrets: Sequence[Secret], namer: Namer, names: dict[str, str]) -> None:
        super().__init__()
        self.secrets = secrets
        self.namer = namer
        self.names = names

    def leave_Comment(self, original_node: cst.Comment, updated_node: cst.Comment) -> cst.Comment:
        value = updated_node.value
        for secret in sorted(self.secrets, key=lambda s: -len(s.value)):
            if secret.value in value:
                if secret.value not in self.names:
                    self.names[secret.value] = self.namer.name(secret)
                value = value.replace(secret.value, "${" + self.names[secret.value] + "}")
        return updated_node.with_changes(value=value)


def _literal_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _target_name(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            return _literal_text(index.value)
    return None


def _imports_os(node: cst.Import) -> bool:
    for alias in node.names:
        if alias.asname is not None:
            if isinstance(alias.asname.name, cst.Name) and alias.asname.name.value == "os":
                return False
        elif _code(alias.name).split(".")[0] == "os":
            return True
    return False


def _os_imported(wrapper: MetadataWrapper) -> bool:
    """Whether the module imports `os` at module level; Unsafe when any scope binds `os` to
    something other than the module."""
    imported = False
    scopes = {scope for scope in wrapper.resolve(ScopeProvider).values() if scope is not None}
    for scope in scopes:
        for assignment in scope.assignments["os"]:
            node = getattr(assignment, "node", None)
            if isinstance(node, cst.Import) and _imports_os(node):
                imported = imported or isinstance(scope, GlobalScope)
                continue
            raise Unsafe("the name `os` is bound to something other than the os module in this file")
    return imported


def _os_alias(wrapper: MetadataWrapper) -> str | None:
    """`o` when the module imports os only as `import os as o` at module level and binds `o` to
    nothing else: lookups then use the name the file already has."""
    scopes = {scope for scope in wrapper.resolve(ScopeProvider).values() if scope is not None}
    for scope in scopes:
        if not isinstance(scope, GlobalScope):
            continue
        for assignment in scope.assignments:
            node = getattr(assignment, "node", None)
            if not isinstance(node, cst.Import):
                continue
            for alias in node.names:
                if (
                    alias.asname is not None
                    and isinstance(alias.asname.name, cst.Name)
                    and _code(alias.name) == "os"
                ):
                    name = alias.asname.name.value
                    bound = scope.assignments[name]
                    if all(isinstance(getattr(a, "node", None), cst.Import) for a in bound):
                        return name
    return None


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, cst.SimpleString | cst.ConcatenatedString)
    )


def _is_import(statement: cst.BaseStatement, future: bool = False) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    first = statement.body[0]
    if future:
        return (
            isinstance(first, cst.ImportFrom)
            and isinstance(first.module, cst.Name)
            and first.module.value == "__future__"
        )
    return isinstance(first, cst.Import | cst.ImportFrom)


def _add_import_os(module: cst.Module) -> cst.Module:
    """`import os` after the docstring and `from __future__` imports, before everything else."""
    body = list(module.body)
    index = 1 if body and _is_docstring(body[0]) else 0
    while index < len(body) and _is_import(body[index], future=True):
        index += 1
    statement = cst.parse_statement("import os\n")
    if index < len(body):
        following = body[index]
        statement = statement.with_changes(leading_lines=following.leading_lines)
        if _is_import(following):
            gap: list[cst.EmptyLine] = []
        elif isinstance(following, cst.FunctionDef | cst.ClassDef):
            gap = [cst.EmptyLine(), cst.EmptyLine()]
        else:
            gap = [cst.EmptyLine()]
        body[index] = following.with_changes(leading_lines=gap)
    elif index > 0:
        statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(index, statement)
    return module.with_changes(body=body)


def rewrite(text: str, secrets: Sequence[Secret], namer: Namer) -> Rewrite:
    """The file with every secret moved to an environment lookup, or Unsafe."""
    try:
        ast.parse(text)
        module = cst.parse_module(text)
    except (SyntaxError, ValueError, cst.ParserSyntaxError) as exc:
        raise Unsafe(f"does not parse as Python: {str(exc).splitlines()[0]}") from None
    wrapper = MetadataWrapper(module)
    imported = _os_imported(wrapper)
    alias = None if imported else _os_alias(wrapper)
    strings = _Strings(secrets, namer, alias or "os")
    new_module = wrapper.visit(strings)
    names = dict(strings.names)
    new_module = new_module.visit(_Comments(secrets, namer, names))
    if strings.replaced and not imported and alias is None:
        new_module = _add_import_os(new_module)
    new_text = new_module.code
    try:
        ast.parse(new_text)
    except SyntaxError as exc:  # a bug on our side; refuse rather than break the file
        raise Unsafe(f"the rewritten file would not parse: {exc.msg} (line {exc.lineno})") from None
    return Rewrite(new_text, names)
