"""Where a secret sits: what kind of file, and which variable names it is bound to there.

Pure functions over text the caller read; nothing here touches the file system.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence

# `NAME=`, `name: `, `"name": "`, `name = "`, `name => '`, `name := "`, `-e NAME=` … right before
# the secret (a quote or `[` may open the value).
_ASSIGNED = re.compile(
    r"""(?:^|[^\w.-])[$@]?(?P<name>[A-Za-z_][\w.-]{0,80}?)["'`]?\s{0,4}(?::=|=>|=|:)\s{0,4}"""
    r"""(?:["'`]|\[\s{0,4}["'`]?)?$"""
)
# `setenv("NAME", "`, `put("NAME", '`, `ENV["NAME"] = "` …
_KEYED = re.compile(
    r"""["'](?P<name>[A-Za-z_][\w.-]{0,80})["']\s{0,4}(?:,|\]\s{0,4}\|{0,2}=)\s{0,4}["'`]?$"""
)
_MAX_PREFIX = 240

_CI_NAMES = frozenset(
    {
        ".gitlab-ci.yml",
        "jenkinsfile",
        "bitbucket-pipelines.yml",
        "azure-pipelines.yml",
        ".travis.yml",
        "appveyor.yml",
        ".appveyor.yml",
        ".drone.yml",
        ".woodpecker.yml",
        "cloudbuild.yaml",
        "cloudbuild.yml",
        "buildspec.yml",
        "codefresh.yml",
        "wercker.yml",
        ".cirrus.yml",
    }
)
_CI_DIRS = (".github/workflows/", ".circleci/", ".buildkite/", ".gitlab/ci/", ".woodpecker/", ".tekton/")
_CODE_EXTENSIONS = (
    "py js mjs cjs ts tsx jsx go java kt kts scala rb php cs fs rs swift m c cc cpp h hpp sh bash "
    "zsh ps1 pl lua r dart ex exs clj groovy ipynb"
)
_CODE = frozenset(_CODE_EXTENSIONS.split())
_CONFIG = frozenset(
    ("json", "yaml", "yml", "toml", "ini", "cfg", "conf", "properties", "xml", "plist", "env")
)
_DOCS = frozenset(("md", "markdown", "rst", "txt", "adoc", "html", "htm"))


def binding_name(prefix: str) -> str:
    """The name a value is bound to, from the text before it on its line, or "" when none."""
    prefix = prefix[-_MAX_PREFIX:].rstrip(" \t")
    for pattern in (_KEYED, _ASSIGNED):
        match = pattern.search(prefix)
        if match:
            return match.group("name")
    return ""


def bindings(text: str, values: Iterable[str]) -> list[str]:
    """Every name any of `values` is bound to in `text`, in order of appearance."""
    found: list[tuple[int, str]] = []
    for value in values:
        if len(value) < 4:
            continue
        start = text.find(value)
        while start != -1:
            line_start = text.rfind("\n", 0, start) + 1
            name = binding_name(text[line_start:start])
            if name:
                found.append((start, name))
            start = text.find(value, start + len(value))
    return unique(name for _, name in sorted(found))


def binding_at(text: str, line: int, column: int) -> str:
    """The name bound to the value at 1-based `line` and `column` (characters)."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return ""
    return binding_name(lines[line - 1][: max(column - 1, 0)])


def unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def category(path: str) -> str:
    """What kind of file `path` is, for the reader deciding what breaks when the key is revoked."""
    full = path.replace("\\", "/").lower()
    name = posixpath.basename(full)
    ext = name.rsplit(".", 1)[-1] if "." in name.lstrip(".") else ""
    if (
        name in _CI_NAMES
        or any(d in f"/{full}" for d in (f"/{c}" for c in _CI_DIRS))
        or re.fullmatch(r"(?:\.?ci|.*[-_.]ci|ci[-_.].*|pipelines?)\.ya?ml", name)
    ):
        return "CI configuration"
    if name == ".env" or name.startswith(".env.") or name.endswith(".env") or name == ".envrc":
        return "environment file"
    if ext in {"tf", "tfvars", "hcl"} or name in {".terraformrc", "terraform.rc", "credentials.tfrc.json"}:
        return "infrastructure as code"
    if (
        name == "dockerfile"
        or name.startswith(("dockerfile.", "docker-compose", "compose."))
        or ext == "dockerfile"
    ):
        return "container build"
    if ext in _CODE:
        return "source code"
    if ext in _DOCS:
        return "documentation"
    if ext in _CONFIG or name.startswith(".") or "config" in name:
        return "configuration"
    return "file"


def names_text(names: Sequence[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)
