"""`leakwarden fix` on JavaScript and TypeScript: literals become `process.env.NAME`, every
file re-parses with tree-sitter, JavaScript behaves the same under node, and what cannot be
rewritten safely is left byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leakwarden.fix import Status, plan_fixes
from leakwarden.fix.javascript import EXTENSIONS, parser_for
from tests.conftest import write
from tests.fix_support import Fakes, roundtrip, run_both, snapshot

NODE = shutil.which("node")


def tree_sitter_parses(name: str, text: str) -> None:
    kind = EXTENSIONS[Path(name).suffix]
    tree = parser_for(kind).parse(text.encode())
    assert not tree.root_node.has_error, text


def same_under_node(rt: object, script: str) -> None:
    if NODE is None:
        pytest.skip("node is not installed")
    before, after = run_both(rt, [NODE, script])  # type: ignore[arg-type]
    assert before == after
    assert before


def test_object_literal_sdk_client(tmp_path: Path) -> None:
    key_id, secret = Fakes(20).alibaba()
    source = f"""const OSS = function (options) {{ this.options = options; }};

const client = new OSS({{
  region: 'oss-cn-hangzhou',
  accessKeyId: '{key_id}',
  accessKeySecret: "{secret}",
  bucket: 'reports',
}});
console.log(JSON.stringify(client.options));
"""
    rt = roundtrip(tmp_path / "repo", {"upload.js": source}, parses=tree_sitter_parses)
    text = rt.text("upload.js")
    assert "  accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,\n" in text
    assert "  accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,\n" in text
    assert "require(" not in text
    assert "import " not in text
    same_under_node(rt, "upload.js")


def test_const_token_and_template_literal(tmp_path: Path) -> None:
    fakes = Fakes(21)
    token, package_token = fakes.scalr(), fakes.packagecloud()
    source = f"""'use strict';
// scalr credentials for the deploy job
const SCALR_TOKEN = '{token}';
const owner = "acme";
const installUrl = `https://{package_token}:@packagecloud.io/${{owner}}/prod/script.deb.sh`;
console.log(SCALR_TOKEN.length, installUrl);
"""
    rt = roundtrip(tmp_path / "repo", {"deploy.cjs": source}, parses=tree_sitter_parses)
    text = rt.text("deploy.cjs")
    assert "const SCALR_TOKEN = process.env.SCALR_TOKEN;\n" in text
    assert (
        "const installUrl = `https://${process.env.PACKAGECLOUD_TOKEN}:@packagecloud.io/${owner}/prod/"
        in text
    )
    same_under_node(rt, "deploy.cjs")


def test_partial_string_becomes_a_template_literal(tmp_path: Path) -> None:
    token = Fakes(22).packagecloud()
    source = f"""const url = 'https://{token}:@packagecloud.io/acme/prod?a=${{b}}&q=`x`\\'s';
console.log(url);
"""
    rt = roundtrip(tmp_path / "repo", {"url.js": source}, parses=tree_sitter_parses)
    text = rt.text("url.js")
    assert (
        "const url = `https://${process.env.PACKAGECLOUD_TOKEN}:@packagecloud.io/acme/prod?a=\\${b}&q=\\`x\\`\\'s`;"
        in text
    )
    same_under_node(rt, "url.js")


def test_typescript_with_types(tmp_path: Path) -> None:
    access, secret = Fakes(23).scaleway()
    source = f"""interface ScalewayConfig {{
  accessKey: string;
  secretKey: string;
  region?: "fr-par" | "nl-ams";
}}

export const scalewayConfig: ScalewayConfig = {{
  accessKey: "{access}",
  secretKey: "{secret}",
  region: "fr-par",
}};

export function client(config: ScalewayConfig = scalewayConfig): string {{
  return config.accessKey as string;
}}
"""
    rt = roundtrip(tmp_path / "repo", {"src/scaleway.ts": source}, parses=tree_sitter_parses)
    text = rt.text("src/scaleway.ts")
    assert "  accessKey: process.env.SCW_ACCESS_KEY,\n" in text
    assert "  secretKey: process.env.SCW_SECRET_KEY,\n" in text
    assert '  region?: "fr-par" | "nl-ams";' in text


def test_tsx_attribute_gets_braces(tmp_path: Path) -> None:
    token = Fakes(24).scalr()
    source = f"""import {{ ScalrRuns }} from "./runs";

export const Runs = () => <ScalrRuns hostname="acme.scalr.io" token="{token}" />;
"""
    rt = roundtrip(tmp_path / "repo", {"Runs.tsx": source}, parses=tree_sitter_parses)
    assert 'hostname="acme.scalr.io" token={process.env.SCALR_TOKEN} />' in rt.text("Runs.tsx")


UNSAFE = {
    "object key": ("const scalr = {{ '{token}': true }};\n", "object key"),
    "literal type": ("// scalr\ntype Token = '{token}';\nexport const t: Token = '{token}';\n", "type"),
    "process rebound": (
        "function run(process) {{\n  const scalrToken = '{token}';\n  return process(scalrToken);\n}}\n",
        "binds its own `process`",
    ),
    "tagged template": ("const q = sql`scalr ${{1}} {token}`;\n", "tagged template"),
    "broken file": ("const scalr = {{ token: '{token}' ;\n", "does not parse"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_files_are_reported_and_left_byte_identical(tmp_path: Path, case: str) -> None:
    token = Fakes(25).scalr()
    source, reason = UNSAFE[case]
    source = source.format(token=token)
    path = write(tmp_path / ("app.ts" if case == "literal type" else "app.js"), source)
    before = snapshot(tmp_path)
    plan = plan_fixes([str(tmp_path)], env_file=tmp_path / ".env")
    [outcome] = plan.outcomes
    assert outcome.status == Status.BY_HAND
    assert reason in outcome.reason
    assert plan.changes == []
    assert snapshot(tmp_path) == before
    assert path.read_text() == source


def test_comment_mentions_become_the_variable(tmp_path: Path) -> None:
    token = Fakes(26).scalr()
    source = f"""/* scalr token, rotated yearly: {token} */
const scalrToken = "{token}";
module.exports = {{ scalrToken }};
"""
    rt = roundtrip(tmp_path / "repo", {"token.js": source}, parses=tree_sitter_parses)
    text = rt.text("token.js")
    assert (
        "/* scalr token, rotated yearly: ${SCALR_TOKEN} */\nconst scalrToken = process.env.SCALR_TOKEN;"
        in text
    )
