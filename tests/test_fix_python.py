"""`leakwarden fix` on Python: realistic files round-trip, parse, re-scan clean and behave the
same with the variables set; what cannot be rewritten safely is left byte for byte."""

from __future__ import annotations

import ast
import random
import string
from pathlib import Path

import pytest

from leakwarden.fix import Status, plan_fixes
from tests.conftest import write
from tests.fix_support import PYTHON, Fakes, roundtrip, run_both, snapshot

STUBS = {
    "oss2.py": (
        "class Auth:\n"
        "    def __init__(self, key_id, key_secret):\n"
        "        self.args = (key_id, key_secret)\n"
        "class Bucket:\n"
        "    def __init__(self, auth, endpoint, name):\n"
        "        self.args = (auth.args, endpoint, name)\n"
    ),
    "boto3.py": "def client(service, **kwargs):\n    return (service, sorted(kwargs.items()))\n",
}


def python_parses(name: str, text: str) -> None:
    if name.endswith(".py"):
        ast.parse(text)


@pytest.fixture
def stubs(tmp_path: Path) -> Path:
    for name, text in STUBS.items():
        write(tmp_path / "stubs" / name, text)
    return tmp_path / "stubs"


def test_oss2_auth_positional_pair(tmp_path: Path, stubs: Path) -> None:
    key_id, secret = Fakes(1).alibaba()
    app = f'''"""Nightly export of the reports bucket."""
import oss2

# key created 2023-04-01: {key_id}
auth = oss2.Auth("{key_id}", "{secret}")
bucket = oss2.Bucket(auth, "https://oss-cn-hangzhou.aliyuncs.com", "reports")
print(bucket.args)
'''
    rt = roundtrip(tmp_path / "repo", {"app.py": app}, parses=python_parses)
    text = rt.text("app.py")
    assert '"""Nightly export of the reports bucket."""\nimport os\nimport oss2\n' in text
    assert (
        'oss2.Auth(os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"], os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"])'
    ) in text
    assert "# key created 2023-04-01: ${ALIBABA_CLOUD_ACCESS_KEY_ID}" in text
    assert rt.env == {"ALIBABA_CLOUD_ACCESS_KEY_ID": key_id, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret}
    assert set(rt.example) == set(rt.env)
    assert (rt.root / ".gitignore").read_text() == ".env\n"
    before, after = run_both(rt, [PYTHON, "app.py"], stubs)
    assert before == after
    assert secret in after


def test_boto3_keyword_arguments_name_the_variables(tmp_path: Path, stubs: Path) -> None:
    access, secret = Fakes(2).scaleway()
    app = f"""import boto3


def storage(region="fr-par"):
    return boto3.client(
        "s3",
        endpoint_url=f"https://s3.{{region}}.scw.cloud",
        aws_access_key_id="{access}",
        aws_secret_access_key="{secret}",
    )


print(storage())
"""
    rt = roundtrip(tmp_path / "repo", {"storage.py": app}, parses=python_parses)
    text = rt.text("storage.py")
    assert text.startswith("import os\nimport boto3\n")
    assert 'aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],' in text
    assert 'aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],' in text
    assert 'endpoint_url=f"https://s3.{region}.scw.cloud",' in text
    before, after = run_both(rt, [PYTHON, "storage.py"], stubs)
    assert before == after


def test_dict_literal_config_with_generic_keys_takes_the_provider_names(tmp_path: Path) -> None:
    access, secret = Fakes(3).scaleway()
    app = f"""import os

SETTINGS = {{
    "region": "fr-par",
    "scaleway": {{
        "access_key": '{access}',
        "secret_key": '{secret}',
        "project": os.getenv("SCW_PROJECT", "default"),
    }},
}}
print(sorted(SETTINGS["scaleway"].items()))
"""
    rt = roundtrip(tmp_path / "repo", {"settings.py": app}, parses=python_parses)
    text = rt.text("settings.py")
    assert text.count("import os") == 1
    assert "\"access_key\": os.environ['SCW_ACCESS_KEY']," in text  # the literal's own quote
    assert "\"secret_key\": os.environ['SCW_SECRET_KEY']," in text
    before, after = run_both(rt, [PYTHON, "settings.py"])
    assert before == after


def test_f_string_with_the_secret_inside(tmp_path: Path) -> None:
    token = Fakes(4).packagecloud()
    app = f"""owner, repo = "acme", "prod"
SCRIPT = f"https://{token}:@packagecloud.io/{{owner}}/{{repo}}/script.deb.sh?x={{{{1}}}}"
print(SCRIPT)
"""
    rt = roundtrip(tmp_path / "repo", {"install.py": app}, parses=python_parses)
    text = rt.text("install.py")
    assert "SCRIPT = f\"https://{os.environ['PACKAGECLOUD_TOKEN']}:@packagecloud.io/{owner}/{repo}/" in text
    before, after = run_both(rt, [PYTHON, "install.py"])
    assert before == after
    assert token in after


def test_partial_plain_literal_becomes_an_f_string_with_braces_doubled(tmp_path: Path) -> None:
    token = Fakes(5).packagecloud()
    app = f"""PACKAGECLOUD_URL = r'https://{token}:@packagecloud.io/acme/{{prod}}\\d'
print(PACKAGECLOUD_URL)
"""
    rt = roundtrip(tmp_path / "repo", {"urls.py": app}, parses=python_parses)
    text = rt.text("urls.py")
    assert "rf'https://{os.environ[\"PACKAGECLOUD_TOKEN\"]}:@packagecloud.io/acme/{{prod}}\\d'" in text
    before, after = run_both(rt, [PYTHON, "urls.py"])
    assert before == after


def test_multi_line_string_template(tmp_path: Path) -> None:
    access, secret = Fakes(6).scaleway()
    app = f'''from __future__ import annotations

PROFILE = """
profiles:
  default:
    access_key: {access}
    secret_key: {secret}
    tags: {{"team": "data"}}
"""


def render() -> str:
    return PROFILE.strip()


print(render())
'''
    rt = roundtrip(tmp_path / "repo", {"profile.py": app}, parses=python_parses)
    text = rt.text("profile.py")
    assert text.startswith('from __future__ import annotations\n\nimport os\n\nPROFILE = f"""\n')
    assert "    access_key: {os.environ['SCW_ACCESS_KEY']}\n" in text
    assert '    tags: {{"team": "data"}}\n' in text
    before, after = run_both(rt, [PYTHON, "profile.py"])
    assert before == after


def test_class_attributes_defaults_and_bytes(tmp_path: Path) -> None:
    fakes = Fakes(8)
    token = fakes.scalr()
    key_id, secret = fakes.alibaba()
    app = f'''import os as operating_system


class ScalrSettings:
    """Where the Scalr API lives."""

    hostname = "acme.scalr.io"
    scalr_token: str = "{token}"


def upload(path, key_id=b"{key_id}", key_secret="{secret}"):  # alibaba oss
    return (path, key_id, key_secret)


print(ScalrSettings.scalr_token, upload("a.csv"), operating_system.sep)
'''
    rt = roundtrip(tmp_path / "repo", {"jobs.py": app}, parses=python_parses)
    text = rt.text("jobs.py")
    # The file's own alias serves: no second `import os`.
    assert text.startswith("import os as operating_system\n\n")
    assert text.count("import os") == 1
    assert 'scalr_token: str = operating_system.environ["SCALR_TOKEN"]' in text
    assert 'key_id=operating_system.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"].encode()' in text
    assert 'key_secret=operating_system.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]' in text
    before, after = run_both(rt, [PYTHON, "jobs.py"])
    assert before == after


def test_implicit_concatenation_keeps_the_parts_strings(tmp_path: Path) -> None:
    token = Fakes(9).packagecloud()
    app = f"""# the packagecloud install script
INSTALL = (
    "curl -fsSL https://"
    "{token}"
    ":@packagecloud.io/acme/prod/script.deb.sh | bash"
)
print(INSTALL)
"""
    rt = roundtrip(tmp_path / "repo", {"install.py": app}, parses=python_parses)
    assert "    f\"{os.environ['PACKAGECLOUD_TOKEN']}\"\n" in rt.text("install.py")
    before, after = run_both(rt, [PYTHON, "install.py"])
    assert before == after


def test_same_secret_in_two_files_gets_one_name_and_clashing_names_are_made_unique(tmp_path: Path) -> None:
    fakes = Fakes(10)
    _, first = fakes.scaleway()
    _, second = fakes.scaleway()
    files = {
        "a.py": f'scw_secret_key = "{first}"\n',
        "b.py": f'SCW_SECRET_KEY = "{first}"\n',
        "c.py": f'scw_secret_key = "{second}"\n',
    }
    rt = roundtrip(tmp_path / "repo", files, parses=python_parses)
    assert rt.env == {"SCW_SECRET_KEY": first, "SCW_SECRET_KEY_2": second}
    assert 'os.environ["SCW_SECRET_KEY"]' in rt.text("b.py")
    assert 'os.environ["SCW_SECRET_KEY_2"]' in rt.text("c.py")


def test_existing_env_file_value_is_reused_not_duplicated(tmp_path: Path) -> None:
    _, secret = Fakes(11).scaleway()
    root = tmp_path / "repo"
    write(root / ".env", f"SCW_SECRET_KEY_PROD={secret}\n")
    write(root / ".gitignore", "*.env\n.env\n")
    rt = roundtrip(root, {"a.py": f'scw_secret_key = "{secret}"\n'}, parses=python_parses)
    assert 'os.environ["SCW_SECRET_KEY_PROD"]' in rt.text("a.py")
    assert (root / ".env").read_text() == f"SCW_SECRET_KEY_PROD={secret}\n"
    assert (root / ".gitignore").read_text() == "*.env\n.env\n"
    assert rt.outcome(".env")[0] == Status.IN_PLACE


UNSAFE = {
    "docstring": ('def connect():\n    """Use scw_secret_key = {secret} for tests."""\n', "docstring"),
    "match pattern": (
        'def kind(value):\n    match value:\n        case "{key_id}":\n            return 1\n',
        "match pattern",
    ),
    "os rebound": (
        'def build(os):\n    return {{"scw_secret_key": "{secret}"}}\n',
        "the name `os` is bound",
    ),
    "python 2": ('print "scw_secret_key = {secret}"\n', "does not parse as Python"),
    "annotation": ('scw_secret_key: "{secret}" = None\n', "type annotation"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_files_are_reported_and_left_byte_identical(tmp_path: Path, case: str) -> None:
    _, secret = Fakes(12).scaleway()
    key_id, _ = Fakes(12).alibaba()
    source, reason = UNSAFE[case]
    source = source.format(secret=secret, key_id=key_id)
    path = write(tmp_path / "app.py", source)
    before = snapshot(tmp_path)
    plan = plan_fixes([str(tmp_path)], env_file=tmp_path / ".env")
    [outcome] = plan.outcomes
    assert outcome.status == Status.BY_HAND
    assert reason in outcome.reason
    assert plan.changes == []
    assert snapshot(tmp_path) == before
    assert path.read_text() == source


def test_uri_password_is_named_after_its_variable_and_a_provider_key_after_the_rule(tmp_path: Path) -> None:
    rnd = random.Random(21)
    alnum = string.ascii_letters + string.digits
    password = "".join(rnd.choice(alnum) for _ in range(18)) + "q7Z"
    bot = (
        f"xoxb-{rnd.randrange(10**10, 10**11)}-{rnd.randrange(10**12, 10**13)}-"
        + "".join(rnd.choice(alnum) for _ in range(21))
        + "b4K"
    )
    app = f"""import os as o

DATABASE_URL = "postgresql://billing:{password}@db.acme.io:5432/billing"
CONFIG = {{"slack": "{bot}"}}
print(DATABASE_URL, CONFIG["slack"], o.sep)
"""
    rt = roundtrip(tmp_path / "repo", {"app.py": app}, parses=python_parses)
    text = rt.text("app.py")
    assert "DATABASE_URL = f\"postgresql://billing:{o.environ['DATABASE_PASSWORD']}@db.acme.io" in text
    assert 'CONFIG = {"slack": o.environ["SLACK_BOT_TOKEN"]}' in text
    assert text.count("import os") == 1
    assert set(rt.env) == {"DATABASE_PASSWORD", "SLACK_BOT_TOKEN"}
    before, after = run_both(rt, [PYTHON, "app.py"])
    assert before == after


def test_an_alias_rebound_elsewhere_is_not_used(tmp_path: Path) -> None:
    token = Fakes(22).packagecloud()
    app = f"""import os as o

PACKAGECLOUD_TOKEN = "{token}"
o = "shadowed"
print(PACKAGECLOUD_TOKEN, o)
"""
    rt = roundtrip(tmp_path / "repo", {"app.py": app}, parses=python_parses)
    text = rt.text("app.py")
    assert text.startswith("import os\nimport os as o\n")
    assert 'PACKAGECLOUD_TOKEN = os.environ["PACKAGECLOUD_TOKEN"]' in text
    before, after = run_both(rt, [PYTHON, "app.py"])
    assert before == after
