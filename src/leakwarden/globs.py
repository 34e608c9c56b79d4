"""Gitignore-style path patterns, compiled one way everywhere.

pathspec picks a regex backend on its own, Hyperscan when it is installed (as it is for us), and
that backend fails on file names that are not valid UTF-8, which real trees contain. The simple
backend matches the same patterns with Python's `re` and takes every name.
"""

from __future__ import annotations

from collections.abc import Iterable

import pathspec


def gitignore_spec(patterns: Iterable[str]) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(patterns), backend="simple")
