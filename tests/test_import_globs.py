"""Peers' path patterns as gitignore globs, and merging values into `.leakwarden.toml` text."""

from __future__ import annotations

import re
import tomllib

import pathspec
import pytest

from leakwarden.ignore.importers.ggshield import translate_path
from leakwarden.ignore.importers.regex_glob import NotExpressible, regex_to_globs
from leakwarden.ignore.importers.toml_merge import MergeRefused, merge_arrays

PATHS = [
    "tests/a.py", "tests/fixtures/x.json", "src/tests/b.py", "contests/x", "a/mytests/fixtures/y",
    "go.sum", "vendor/go.sum", "x/go.sum.bak", "node_modules/a/b.js", "a/node_modules/c.js",
    "img/logo.png", "logo.PNG", "src/keys/a.pem", "src/a.pem", "docs/x.md", "README.md", ".env",
    "app/.env", "app/.env.local", "testsuite/x", "config/secrets.yaml", "a/b/config/secrets.yaml",
    "src/x/tests/y/z.json", "src/x.lock", "foo.lock", "Cargo.lock", "deploy/prod/values.yaml",
]  # fmt: skip


def selected(globs: list[str]) -> set[str]:
    spec = pathspec.GitIgnoreSpec.from_lines(globs)
    return {p for p in PATHS if spec.match_file(p)}


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"^tests/", ["/tests/"]),
        (r"tests/fixtures/", ["**/*tests/fixtures/"]),
        (r"go\.sum$", ["*go.sum"]),
        (r"(?:^|/)node_modules(?:/.*)?$", ["node_modules"]),
        (r"(.*?)(png|jpg)$", ["*png", "*jpg"]),
        (r"^src/.*\.pem$", ["/src/**/*.pem"]),
        (r"(?:^|/)\.env$", [".env"]),
        (r"\.env", ["*.env*"]),
        (r"^tests", ["/tests*"]),
        (r"config/secrets\.yaml$", ["**/*config/secrets.yaml"]),
        (r"(?i)\.png$", ["*.[pP][nN][gG]"]),
        (r"\.lock$|^docs/", ["*.lock", "/docs/"]),
        (r"[^/]*\.lock$", ["*.lock"]),
        (r"\.(?:bmp|gif|jpe?g|png)$", ["*.bmp", "*.gif", "*.jpeg", "*.jpg", "*.png"]),
        (r"^deploy/[a-z]+/values\.yaml$", None),
    ],
)
def test_exact_translations_select_the_same_paths(regex: str, expected: list[str] | None) -> None:
    if expected is None:
        with pytest.raises(NotExpressible, match="repetition"):
            regex_to_globs(regex)
        return
    globs = regex_to_globs(regex)
    assert [g.glob for g in globs] == expected
    assert all(g.approximation == "" for g in globs)
    assert selected(expected) == {p for p in PATHS if re.search(regex, p)}


@pytest.mark.parametrize(
    ("regex", "glob", "says"),
    [
        (r"go.sum", "*go?sum*", "unescaped '.'"),
        (r"^src/.*/y/", "/src/**/y/", "between slashes"),
        (r"/fixtures/", "**/fixtures/", "top level"),
    ],
)
def test_approximate_translations_say_how(regex: str, glob: str, says: str) -> None:
    (translated,) = regex_to_globs(regex)
    assert translated.glob == glob
    assert says in translated.approximation


@pytest.mark.parametrize(
    ("regex", "reason"),
    [
        (r"(?s)secrets", "flag group"),
        (r"\d+\.key$", "escape"),
        (r"^a/b.*c/d", "inside a path component"),
        (r"^a/.*c/d", "followed by more directories"),
        (r"^.*$", "every path"),
        (r"foo(", "does not compile"),
        (r"x{2}", "repetition"),
        ("(a|b|c|d)(e|f|g|h)(i|j|k|l)", "alternatives"),
    ],
)
def test_regexes_without_a_glob_are_refused_with_why(regex: str, reason: str) -> None:
    with pytest.raises(NotExpressible, match=re.escape(reason)):
        regex_to_globs(regex)


@pytest.mark.parametrize(
    ("pattern", "glob", "matches", "misses"),
    [
        ("docs/", "docs/", ["docs/x.md", "a/docs/y"], ["mydocs/x"]),
        ("/build/", "/build/", ["build/x"], ["a/build/x"]),
        ("*.md", "*.md", ["README.md", "docs/x.md"], ["x.mdx"]),
        ("**/fixtures/*.json", "**/fixtures/*.json", ["tests/fixtures/a.json"], ["fixtures/a/b.json"]),
        ("config/secrets.yaml", "**/config/secrets.yaml", ["a/config/secrets.yaml"], ["config/other.yaml"]),
        ("what?.txt", "what\\?.txt", ["what?.txt"], ["whatx.txt"]),
    ],
)
def test_ggshield_patterns(pattern: str, glob: str, matches: list[str], misses: list[str]) -> None:
    translated = translate_path(pattern)
    assert translated is not None
    assert translated.glob == glob
    spec = pathspec.GitIgnoreSpec.from_lines([glob])
    assert all(spec.match_file(p) for p in matches)
    assert not any(spec.match_file(p) for p in misses)


def test_ggshield_pattern_notes_and_refusals() -> None:
    assert translate_path("secrets/**") is not None
    assert "final '**'" in translate_path("secrets/**").approximation  # type: ignore[union-attr]
    assert "directory of that name" in translate_path("vendor").approximation  # type: ignore[union-attr]
    assert translate_path("a/***/b") is None
    assert translate_path("a**/b") is None


CONFIG = """\
# Team settings, reviewed 2026-11.
min_confidence = "high"   # CI runs medium
allow_paths = [
    "docs/examples/",  # screenshots of fake keys
    "vendor/"
    # more to come
]
"""


def test_merge_appends_to_an_array_and_keeps_every_comment() -> None:
    merged = merge_arrays(
        CONFIG, {"allow_paths": [("/tests/fixtures/", "from x")], "allow_secrets": [("^EXAMPLE", "from y")]}
    )
    for line in CONFIG.splitlines():
        if line.strip() != "]":
            assert line.rstrip(" ,") in merged
    document = tomllib.loads(merged)
    assert document["allow_paths"] == ["docs/examples/", "vendor/", "/tests/fixtures/"]
    assert document["allow_secrets"] == ["^EXAMPLE"]
    assert document["min_confidence"] == "high"
    assert '"/tests/fixtures/",  # from x' in merged


@pytest.mark.parametrize(
    "text",
    [
        'allow_paths = ["a/", "b/"]  # one line\n',
        'allow_paths = []\nmax_file_size = "1MiB"\n',
        'allow_paths = [\n  "a/", # "]" in a comment\n  "b]/",\n]\n',
        "allow_paths = ['''c/''']\n",
    ],
)
def test_merge_handles_the_shapes_of_an_array(text: str) -> None:
    before = tomllib.loads(text)
    merged = tomllib.loads(merge_arrays(text, {"allow_paths": [("new/", "note")]}))
    assert merged["allow_paths"] == [*before["allow_paths"], "new/"]
    assert {k: v for k, v in merged.items() if k != "allow_paths"} == {
        k: v for k, v in before.items() if k != "allow_paths"
    }


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('allow_paths = "docs/"\n', "not an array"),
        ('"allow_paths" = ["docs/"]\n', "on a line of its own"),
        ("allow_paths = [\n", "not valid TOML"),
    ],
)
def test_merge_refuses_what_it_cannot_change_safely(text: str, reason: str) -> None:
    with pytest.raises(MergeRefused, match=re.escape(reason)):
        merge_arrays(text, {"allow_paths": [("new/", "note")]})
