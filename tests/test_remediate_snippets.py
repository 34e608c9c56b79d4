"""The guides' code snippets are real code: every snippet of the founding types (and of a sample
of others) parses with each language's tree-sitter grammar, with no ERROR or MISSING node; the
Python snippets run against a local fake Vault, Conjur and Secrets Manager and read back the
values stored there; where Node.js and javac are on the machine, the JavaScript snippets run too
and the standard-library Java snippets compile."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leakwarden.remediate import LANGUAGES, PLATFORMS, Part, parts, secret_path, snippets
from leakwarden.remediate.snippets import camel, snake
from leakwarden.rules.catalog import Catalog
from tests.remediate_fakes import Store, client_env, fake_services

FOUNDING = [
    "scaleway.access_key",
    "scaleway.secret_key",
    "scaleway.api_key",
    "alibaba.access_key_id",
    "alibaba.access_key_secret",
    "alibaba.access_key",
    "scalr.api_token",
    "packagecloud.api_token",
]
# Names a careless template would turn into keywords or clash with its own variables.
AWKWARD = (
    Part("token", "TOKEN", "myapp/awkward/token"),
    Part("class", "CLASS", "myapp/awkward/class"),
    Part("secret", "_SECRET", "myapp/awkward/secret"),
    Part("", "X2_KEY", "myapp/awkward/x2_key"),
)


def sample_rules(catalog: Catalog) -> list[str]:
    """The founding rules, the first pair rule and the first single rule of every other provider."""
    chosen = [r for r in FOUNDING if catalog.get(r) is not None]
    for provider in catalog.providers:
        mine = [r for r in catalog.rules if r.provider == provider and r.id not in FOUNDING]
        for want_pair in (True, False):
            rule = next((r for r in mine if r.is_pair == want_pair), None)
            if rule is not None:
                chosen.append(rule.id)
    return chosen


def _cases(catalog: Catalog) -> list[tuple[str, tuple[Part, ...], str]]:
    """One case per distinct (variables, secret path): halves of a pair share their pair's."""
    cases: dict[tuple[tuple[Part, ...], str], str] = {}
    for rule_id in sample_rules(catalog):
        key = (parts(catalog[rule_id], catalog), secret_path(catalog[rule_id], catalog))
        cases.setdefault(key, rule_id)
    cases[(AWKWARD, "myapp/awkward")] = "awkward names"
    return [(name, the_parts, path) for (the_parts, path), name in cases.items()]


# --- syntax -----------------------------------------------------------------------------------


def _parser(language: str) -> Any:
    tree_sitter = pytest.importorskip("tree_sitter")
    module = pytest.importorskip(f"tree_sitter_{language}")
    return tree_sitter.Parser(tree_sitter.Language(module.language()))


def _errors(tree: Any, code: str) -> list[str]:
    problems = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "ERROR" or node.is_missing:
            line = code.splitlines()[node.start_point[0]] if code.splitlines() else ""
            problems.append(
                f"{'MISSING' if node.is_missing else 'ERROR'} {node.type} at {node.start_point}: {line!r}"
            )
        stack.extend(node.children)
    return problems


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_snippet_parses(catalog: Catalog, language: str) -> None:
    parser = _parser(language)
    checked = 0
    failures = []
    for name, the_parts, path in _cases(catalog):
        for snippet in snippets(the_parts, name, path, languages=[language]):
            problems = _errors(parser.parse(snippet.code.encode()), snippet.code)
            if problems:
                failures.append(f"{name} {snippet.platform}/{language}: {problems[:3]}\n{snippet.code}")
            checked += 1
    assert failures == []
    assert checked >= 4 * len(FOUNDING)


@pytest.mark.parametrize(
    ("language", "broken"),
    [
        ("python", 'x = os.environ["A"\n'),
        ("javascript", "export async function f() { const x = ; return x; }"),
        ("go", "package p\nfunc F() (*C, error) {\n\treturn &C{A: a,\n}"),
        ("java", "public record C(String a) { static C f() { return new C(a }"),
        ("ruby", 'x = ENV.fetch("A"\ny = 1 +'),
    ],
)
def test_the_syntax_check_catches_broken_code(language: str, broken: str) -> None:
    assert _errors(_parser(language).parse(broken.encode()), broken) != []


def test_twenty_snippets_with_the_credentials_own_names(catalog: Catalog) -> None:
    the_parts = parts(catalog["scaleway.api_key"], catalog)
    assert [p.env_var for p in the_parts] == ["SCW_ACCESS_KEY", "SCW_SECRET_KEY"]
    code = snippets(the_parts, "Scaleway API key", "myapp/scaleway")
    assert {(s.platform, s.language) for s in code} == {(p, lang) for p in PLATFORMS for lang in LANGUAGES}
    for snippet in code:
        assert "SCW_ACCESS_KEY" in snippet.code or "myapp/scaleway/access_key" in snippet.code, snippet
        assert "SCW_SECRET_KEY" in snippet.code or "myapp/scaleway/secret_key" in snippet.code, snippet
        if snippet.platform in ("aws", "vault"):
            assert "myapp/scaleway" in snippet.code


def test_a_half_reads_both_halves_of_its_pair(catalog: Catalog) -> None:
    for rule_id in ("scaleway.secret_key", "alibaba.access_key_id"):
        assert len(parts(catalog[rule_id], catalog)) == 2
    single = parts(catalog["scalr.api_token"], catalog)
    assert [(p.role, p.env_var, p.secret_id) for p in single] == [
        ("", "SCALR_TOKEN", "myapp/scalr/api_token")
    ]


# --- running the Python snippets --------------------------------------------------------------

HARNESS = """
import json, os, runpy, sys
results = []
for spec in json.load(open(sys.argv[1])):
    saved = dict(os.environ)
    os.environ.update(spec["env"])
    try:
        scope = runpy.run_path(spec["file"])
        results.append({name: scope[name] for name in spec["names"]})
    finally:
        os.environ.clear()
        os.environ.update(saved)
print(json.dumps(results))
"""


@pytest.fixture
def stored(
    catalog: Catalog,
) -> Iterator[tuple[str, Store, list[tuple[str, tuple[Part, ...], str, dict[str, str]]]]]:
    """Every sample credential stored in the fake services under its own names and path."""
    store = Store()
    cases = []
    for name, the_parts, path in _cases(catalog):
        values = {p.env_var: secrets.token_urlsafe(18) for p in the_parts}
        store.kv[path] = dict(values)
        store.variables.update({p.secret_id: values[p.env_var] for p in the_parts})
        cases.append((name, the_parts, path, values))
    with fake_services(store) as url:
        yield url, store, cases


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.upper().startswith(("AWS_", "VAULT_", "CONJUR_", "HTTP", "NO_PROXY"))
    }
    env.update(NO_PROXY="127.0.0.1,localhost", AWS_CONFIG_FILE=str(tmp_path / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"))  # fmt: skip
    return env


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_python_snippets_run_against_fake_services(
    tmp_path: Path, stored: tuple[str, Store, list[Any]], platform: str
) -> None:
    if platform == "aws":
        pytest.importorskip("boto3")
    if platform == "vault":
        pytest.importorskip("hvac")
    url, store, cases = stored
    specs, expected = [], []
    for index, (name, the_parts, path, values) in enumerate(cases):
        (snippet,) = snippets(the_parts, name, path, platforms=[platform], languages=["python"])
        file = tmp_path / f"snippet_{index}.py"
        file.write_text(snippet.code)
        specs.append(
            {
                "file": str(file),
                "env": client_env(url, platform, values),
                "names": [snake(p.env_var) for p in the_parts],
            }
        )
        expected.append({snake(p.env_var): values[p.env_var] for p in the_parts})
    (tmp_path / "specs.json").write_text(json.dumps(specs))
    done = subprocess.run(
        [sys.executable, "-c", HARNESS, str(tmp_path / "specs.json")],
        capture_output=True, text=True, timeout=120, env=_clean_env(tmp_path), check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected
    if platform != "env":
        assert store.requests, "the snippets never reached the fake service"


NODE_HARNESS = """
const specs = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
(async () => {
  const results = [];
  for (const spec of specs) {
    Object.assign(process.env, spec.env);
    const module = await import(require("node:url").pathToFileURL(spec.file).href);
    results.push(await module.loadCredentials());
    for (const key of Object.keys(spec.env)) delete process.env[key];
  }
  console.log(JSON.stringify(results));
})().catch((error) => { console.error(error); process.exit(1); });
"""


@pytest.mark.parametrize("platform", ["env", "vault", "conjur"])
def test_javascript_snippets_run_under_node(
    tmp_path: Path, stored: tuple[str, Store, list[Any]], platform: str
) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout
    if int(version.lstrip("v").split(".")[0] or 0) < 18:
        pytest.skip("the snippets need Node.js 18+ (global fetch)")
    url, _store, cases = stored
    specs, expected = [], []
    for index, (name, the_parts, path, values) in enumerate(cases):
        (snippet,) = snippets(the_parts, name, path, platforms=[platform], languages=["javascript"])
        file = tmp_path / f"snippet_{index}.mjs"
        file.write_text(snippet.code)
        specs.append({"file": str(file), "env": client_env(url, platform, values)})
        expected.append({camel(p.env_var): values[p.env_var] for p in the_parts})
    (tmp_path / "specs.json").write_text(json.dumps(specs))
    done = subprocess.run(
        [node, "-e", NODE_HARNESS, str(tmp_path / "specs.json")],
        capture_output=True, text=True, timeout=120, env=_clean_env(tmp_path), check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected


def test_standard_library_java_snippets_compile(tmp_path: Path, catalog: Catalog) -> None:
    javac = shutil.which("javac")
    if javac is None:
        pytest.skip("javac is not installed")
    files = []
    for index, (name, the_parts, path) in enumerate(_cases(catalog)):
        for snippet in snippets(the_parts, name, path, platforms=["env", "conjur"], languages=["java"]):
            folder = tmp_path / f"p{index}{snippet.platform}"
            folder.mkdir()
            file = folder / "Credentials.java"
            file.write_text(f"package {folder.name};\n\n{snippet.code}")
            files.append(str(file))
    done = subprocess.run(
        [javac, "-d", str(tmp_path / "classes"), *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
