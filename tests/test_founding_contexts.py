"""The four credential types of our founding documents, in every context people leak them in."""

from __future__ import annotations

import pytest

from leakwarden.matching.engine import Engine

SCW_ACCESS = "SCW3K7Q9ZP2M8XV4N1TR"
SCW_SECRET = "8c1f2e4a-9b3d-4f6e-a7c2-5d0e1b9f3a64"
ALI_ID = "LTAI5tQm8ZrPk3WvXn2Ly7Hd"
ALI_SECRET = "Xk3mP9vQ2rT7wY4zB8nC1dF6gH0jKa"
PKGCLOUD = "3f9a1c7e5b2d8f4a6c0e9b7d1f3a5c8e2b4d6f0a9c7e5b3d"
SCALR = (
    "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJqdGkiOiJhdC12Mm9xN2ZrdTNsbjQ4cmciLCJpc3MiOiJhY21lLnNjYWxyLmlvIiwiaWF0IjoxNzYxMDAwMDAwfQ."
    "S3cr3tS1gn4tur3Xq9Lw2Pz7Mv5Kt8Ry1Bn4Hd6Jf0Gc3"
)


def pair_contexts(k1: str, v1: str, k2: str, v2: str) -> dict[str, str]:
    """Two assignments in each syntax people store credentials in."""
    go1, go2 = (k.title().replace("_", "") for k in (k1, k2))
    return {
        "dotenv": f"{k1.upper()}={v1}\n{k2.upper()}={v2}\n",
        "shell": f'export {k1.upper()}="{v1}"\nexport {k2.upper()}="{v2}"\n',
        "yaml": f"credentials:\n  {k1}: {v1}\n  {k2}: '{v2}'\n",
        "hcl": f'provider "x" {{\n  {k1} = "{v1}"\n  {k2} = "{v2}"\n}}\n',
        "tfvars": f'{k1} = "{v1}"\n{k2} = "{v2}"\n',
        "json": f'{{\n  "{k1}": "{v1}",\n  "{k2}": "{v2}"\n}}\n',
        "ini": f"[default]\n{k1} = {v1}\n{k2} = {v2}\n",
        "python": f'{k1.upper()} = "{v1}"\n{k2.upper()} = "{v2}"\n',
        "javascript": f"const config = {{\n  {k1}: '{v1}',\n  {k2}: '{v2}',\n}};\n",
        "typescript": f'export const {k1}: string = "{v1}";\nexport const {k2}: string = "{v2}";\n',
        "go": f'cfg := Config{{\n\t{go1}: "{v1}",\n\t{go2}: "{v2}",\n}}\n',
        "java": f'static final String {k1.upper()} = "{v1}";\nstatic final String {k2.upper()} = "{v2}";\n',
        "ruby": f"{k1} = '{v1}'\n{k2} = '{v2}'\n",
    }


def _rules(engine: Engine, text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for m in engine.scan(text.encode()):
        found.setdefault(m.rule_id, []).append(m.secret)
    return found


@pytest.mark.parametrize(
    ("context", "text"), pair_contexts("scw_access_key", SCW_ACCESS, "scw_secret_key", SCW_SECRET).items()
)
def test_scaleway_pair_everywhere(engine: Engine, context: str, text: str) -> None:
    matches = [m for m in engine.scan(text.encode()) if m.rule_id == "scaleway.api_key"]
    assert len(matches) == 1, context
    assert matches[0].parts == {"access_key": SCW_ACCESS, "secret_key": SCW_SECRET}


@pytest.mark.parametrize(
    ("context", "text"), pair_contexts("access_key_id", ALI_ID, "access_key_secret", ALI_SECRET).items()
)
def test_alibaba_pair_everywhere(engine: Engine, context: str, text: str) -> None:
    matches = [m for m in engine.scan(text.encode()) if m.rule_id == "alibaba.access_key"]
    assert len(matches) == 1, context
    assert matches[0].parts == {"access_key_id": ALI_ID, "access_key_secret": ALI_SECRET}


def test_alibaba_sdk_call_is_a_pair(engine: Engine) -> None:
    for text in (
        f'auth = oss2.Auth("{ALI_ID}", "{ALI_SECRET}")',
        f'client = new OSS({{ accessKeyId: "{ALI_ID}", accessKeySecret: "{ALI_SECRET}", bucket: "logs" }});',
        f'client, err := oss.New(endpoint, "{ALI_ID}", "{ALI_SECRET}")',
        f'DefaultProfile.getProfile("cn-hangzhou", "{ALI_ID}", "{ALI_SECRET}");',
    ):
        assert _rules(engine, text).get("alibaba.access_key") == [ALI_SECRET], text


def test_halves_alone_are_lower_confidence_findings(engine: Engine, catalog: object) -> None:
    assert _rules(engine, f"SCW_ACCESS_KEY={SCW_ACCESS}\n") == {"scaleway.access_key": [SCW_ACCESS]}
    assert _rules(engine, f"SCW_SECRET_KEY={SCW_SECRET}\n") == {"scaleway.secret_key": [SCW_SECRET]}
    assert _rules(engine, f"key_id = '{ALI_ID}'\n") == {"alibaba.access_key_id": [ALI_ID]}
    assert _rules(engine, f"ALIBABA_CLOUD_ACCESS_KEY_SECRET={ALI_SECRET}\n") == {
        "alibaba.access_key_secret": [ALI_SECRET]
    }


def test_context_free_shapes_are_not_findings(engine: Engine) -> None:
    for text in (
        f'request_id = "{SCW_SECRET}"',  # a bare UUID
        f"secret = '{ALI_SECRET}'",  # 30 characters without Alibaba context
        f"sha = {PKGCLOUD}",  # 48 hex without PackageCloud context
        f'jwt = "{SCALR}"',  # a JWT without Scalr context
        "git rev 4f0c2a9e7b1d3f5a8c6e0b2d4f6a8c0e2b4d6f8a",
    ):
        assert _rules(engine, text) == {}, text


@pytest.mark.parametrize(
    "text",
    [
        f"SCALR_TOKEN={SCALR}\n",
        f'export SCALR_TOKEN="{SCALR}"\n',
        f'scalr:\n  hostname: acme.scalr.io\n  token: "{SCALR}"\n',
        f'provider "scalr" {{\n  hostname = "acme.scalr.io"\n  token    = "{SCALR}"\n}}\n',
        f'{{"credentials": {{"acme.scalr.io": {{"token": "{SCALR}"}}}}}}',
        f"TF_TOKEN_acme_scalr_io={SCALR}\n",
        f'scalr_token = "{SCALR}"\n',
        f"[scalr]\ntoken = {SCALR}\n",
        f'os.environ["SCALR_TOKEN"] = "{SCALR}"\n',
        f"const scalrToken = '{SCALR}';\n",
        f'scalrToken := "{SCALR}"\n',
        f'String scalrToken = "{SCALR}";\n',
        f"SCALR_TOKEN = '{SCALR}'\n",
    ],
)
def test_scalr_token_everywhere(engine: Engine, text: str) -> None:
    assert _rules(engine, text) == {"scalr.api_token": [SCALR]}


def test_scalr_account_is_captured(engine: Engine) -> None:
    for text in (
        f'credentials "acme.scalr.io" {{\n  token = "{SCALR}"\n}}\n',
        f"TF_TOKEN_acme_scalr_io={SCALR}\n",
        f"SCALR_HOSTNAME=acme.scalr.io\nSCALR_TOKEN={SCALR}\n",
    ):
        (match,) = engine.scan(text.encode())
        assert match.captures.get("account") == "acme", text


@pytest.mark.parametrize(
    "text",
    [
        f"PACKAGECLOUD_TOKEN={PKGCLOUD}\n",
        f'export PACKAGECLOUD_TOKEN="{PKGCLOUD}"\n',
        f'packagecloud:\n  token: "{PKGCLOUD}"\n',
        f'{{"url": "https://packagecloud.io", "token": "{PKGCLOUD}"}}',
        f"curl -s https://{PKGCLOUD}:@packagecloud.io/install/repositories/acme/main/script.rpm.sh | bash\n",
        f'packagecloud_token = "{PKGCLOUD}"\n',
        f"[packagecloud]\ntoken = {PKGCLOUD}\n",
        f'Packagecloud::Credentials.new("acme", "{PKGCLOUD}")\n',
        f"const packagecloudToken = '{PKGCLOUD}';\n",
        f'packagecloudToken := "{PKGCLOUD}"\n',
        f'String packagecloudToken = "{PKGCLOUD}";\n',
        f'variable "packagecloud_token" {{\n  default = "{PKGCLOUD}"\n}}\n',
    ],
)
def test_packagecloud_token_everywhere(engine: Engine, text: str) -> None:
    assert _rules(engine, text) == {"packagecloud.api_token": [PKGCLOUD]}


def test_two_pairs_in_one_file_pair_as_written(engine: Engine) -> None:
    other_access, other_secret = "SCWB78SV8PNAG2XG1HXI", "f97c58f6-7bdd-407b-b7ae-fbb823df102d"
    text = (
        f"SCW_ACCESS_KEY={SCW_ACCESS}\nSCW_SECRET_KEY={SCW_SECRET}\n\n"
        f"SCW_ACCESS_KEY={other_access}\nSCW_SECRET_KEY={other_secret}\n"
    )
    pairs = sorted(
        (m.parts["access_key"], m.parts["secret_key"])
        for m in engine.scan(text.encode())
        if m.rule_id == "scaleway.api_key"
    )
    assert pairs == sorted([(SCW_ACCESS, SCW_SECRET), (other_access, other_secret)])


def test_project_id_is_not_taken_for_the_secret(engine: Engine) -> None:
    project = "0d8a7c6b-5e4f-4a3b-9c2d-1e0f9a8b7c6d"
    text = f"SCW_DEFAULT_PROJECT_ID={project}\nSCW_ACCESS_KEY={SCW_ACCESS}\nSCW_SECRET_KEY={SCW_SECRET}\n"
    (pair,) = [m for m in engine.scan(text.encode()) if m.rule_id == "scaleway.api_key"]
    assert pair.parts["secret_key"] == SCW_SECRET
