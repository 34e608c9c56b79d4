"""`leakwarden fix` on configuration: docker compose, GitHub Actions and GitLab CI get
references; other YAML is reported and left; environment files stay and are kept out of git;
example files lose their real values."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from leakwarden.fix import Status, plan_fixes
from leakwarden.fix.gitignore import is_ignored
from leakwarden.rules.catalog import load_catalog
from tests.conftest import write
from tests.fix_support import Fakes, roundtrip, snapshot


def yaml_parses(name: str, text: str) -> None:
    list(yaml.safe_load_all(text))


def test_docker_compose_environment_mapping_and_list(tmp_path: Path) -> None:
    fakes = Fakes(40)
    access, secret = fakes.scaleway()
    token = fakes.packagecloud()
    compose = f"""services:
  api:
    image: acme/api:1.4
    environment:
      SCW_DEFAULT_REGION: fr-par
      SCW_ACCESS_KEY: {access}
      SCW_SECRET_KEY: "{secret}"
  worker:
    image: acme/worker:1.4
    environment:
      - PACKAGECLOUD_REPO=acme/prod
      - PACKAGECLOUD_TOKEN={token}
"""
    rt = roundtrip(tmp_path / "repo", {"docker-compose.yml": compose}, parses=yaml_parses)
    text = rt.text("docker-compose.yml")
    assert "      SCW_ACCESS_KEY: ${SCW_ACCESS_KEY}\n" in text
    assert '      SCW_SECRET_KEY: "${SCW_SECRET_KEY}"\n' in text
    assert "      - PACKAGECLOUD_TOKEN=${PACKAGECLOUD_TOKEN}\n" in text
    document = yaml.safe_load(text)
    assert document["services"]["api"]["environment"]["SCW_DEFAULT_REGION"] == "fr-par"
    assert rt.env == {"SCW_ACCESS_KEY": access, "SCW_SECRET_KEY": secret, "PACKAGECLOUD_TOKEN": token}


def test_compose_in_a_subfolder_notes_where_compose_reads_env(tmp_path: Path) -> None:
    _, secret = Fakes(41).scaleway()
    compose = f"services:\n  api:\n    environment:\n      SCW_SECRET_KEY: {secret}\n"
    rt = roundtrip(tmp_path / "repo", {"deploy/compose.yaml": compose}, parses=yaml_parses)
    [outcome] = rt.plan.outcomes
    assert any("--env-file" in note for note in outcome.notes)


def test_github_actions_workflow_uses_secrets_context(tmp_path: Path) -> None:
    token = Fakes(42).scalr()
    workflow = f"""name: deploy
on: [push]
jobs:
  apply:
    runs-on: ubuntu-latest
    env:
      SCALR_HOSTNAME: acme.scalr.io
      SCALR_TOKEN: {token}
    steps:
      - run: terraform apply -auto-approve
"""
    rt = roundtrip(tmp_path / "repo", {".github/workflows/deploy.yml": workflow}, parses=yaml_parses)
    assert "      SCALR_TOKEN: ${{ secrets.SCALR_TOKEN }}\n" in rt.text(".github/workflows/deploy.yml")
    [outcome] = rt.plan.outcomes
    assert any("gh secret set" in note for note in outcome.notes)


def test_github_workflow_never_names_a_secret_github_(tmp_path: Path) -> None:
    if load_catalog().get("github.personal_access_token") is None:
        pytest.skip("no GitHub token rule in the catalogue")
    token = Fakes(48).github_pat()
    workflow = f"""on: push
jobs:
  sync:
    runs-on: ubuntu-latest
    steps:
      - run: gh repo sync
        env:
          GITHUB_TOKEN: {token}
"""
    rt = roundtrip(tmp_path / "repo", {".github/workflows/sync.yaml": workflow}, parses=yaml_parses)
    # secrets.GITHUB_TOKEN is GitHub's own automatic token: the user's token must not become it.
    assert "          GITHUB_TOKEN: ${{ secrets.GH_TOKEN }}\n" in rt.text(".github/workflows/sync.yaml")
    assert rt.env == {"GH_TOKEN": token}


def test_gitlab_ci_variables(tmp_path: Path) -> None:
    key_id, secret = Fakes(43).alibaba()
    pipeline = f"""variables:
  ALIBABA_CLOUD_ACCESS_KEY_ID: {key_id}
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: '{secret}'
upload:
  script:
    - aliyun oss cp report.csv oss://reports/
"""
    rt = roundtrip(tmp_path / "repo", {".gitlab-ci.yml": pipeline}, parses=yaml_parses)
    text = rt.text(".gitlab-ci.yml")
    assert "  ALIBABA_CLOUD_ACCESS_KEY_ID: ${ALIBABA_CLOUD_ACCESS_KEY_ID}\n" in text
    assert "  ALIBABA_CLOUD_ACCESS_KEY_SECRET: '${ALIBABA_CLOUD_ACCESS_KEY_SECRET}'\n" in text
    [outcome] = rt.plan.outcomes
    assert any("CI/CD variables" in note for note in outcome.notes)


UNSAFE = {
    "plain yaml": ("k8s/config.yaml", "data:\n  SCW_SECRET_KEY: {secret}\n", "no interpolation"),
    "flow mapping": (
        "compose.yml",
        "services:\n  api:\n    environment: {{SCW_SECRET_KEY: {secret}}}\n",
        "would not",
    ),
    "yaml key": ("compose.yml", "services:\n  api:\n    labels:\n      SCW_SECRET_KEY {secret}: x\n", "key"),
}


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_yaml_that_cannot_take_a_reference_is_left_byte_identical(tmp_path: Path, case: str) -> None:
    _, secret = Fakes(44).scaleway()
    name, source, reason = UNSAFE[case]
    write(tmp_path / name, source.format(secret=secret))
    before = snapshot(tmp_path)
    plan = plan_fixes([str(tmp_path)], env_file=tmp_path / ".env")
    [outcome] = plan.outcomes
    assert outcome.status == Status.BY_HAND
    assert reason in outcome.reason
    assert plan.changes == []
    assert snapshot(tmp_path) == before


def test_env_file_stays_and_is_added_to_gitignore(tmp_path: Path) -> None:
    access, secret = Fakes(45).scaleway()
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / ".gitignore", "node_modules/")  # no newline at the end
    write(root / "config" / ".env", f"SCW_ACCESS_KEY={access}\nSCW_SECRET_KEY={secret}\n")
    rt = roundtrip(root, {}, expect_clean=False)
    assert rt.outcome("config/.env")[0] == Status.IN_PLACE
    assert (root / "config" / ".env").read_text() == f"SCW_ACCESS_KEY={access}\nSCW_SECRET_KEY={secret}\n"
    assert (root / "config" / ".gitignore").read_text() == ".env\n"
    assert is_ignored(root / "config" / ".env")
    assert not (root / ".env").exists()


def test_env_file_already_ignored_needs_nothing(tmp_path: Path) -> None:
    _, secret = Fakes(46).scaleway()
    root = tmp_path / "repo"
    (root / ".git" / "info").mkdir(parents=True)
    write(root / ".git" / "info" / "exclude", "*.env\n")
    write(root / "prod.env", f"SCW_SECRET_KEY={secret}\n")
    plan = plan_fixes([str(root)], env_file=root / ".env")
    assert [o.status for o in plan.outcomes] == [Status.IN_PLACE]
    assert plan.changes == []
    assert not plan.needs_action


def test_gitignore_negation_in_a_deeper_file_wins(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    write(root / ".gitignore", ".env\n")
    write(root / "app" / ".gitignore", "!.env\n")
    assert is_ignored(root / ".env")
    assert not is_ignored(root / "app" / ".env")


def test_example_file_with_real_values_is_blanked_and_values_move(tmp_path: Path) -> None:
    access, secret = Fakes(47).scaleway()
    root = tmp_path / "repo"
    example = (
        "# copy to .env\nSCW_DEFAULT_REGION=fr-par\n"
        f"export SCW_ACCESS_KEY={access}\nSCW_SECRET_KEY='{secret}'\n"
    )
    rt = roundtrip(root, {".env.example": example})
    assert (
        rt.text(".env.example")
        == "# copy to .env\nSCW_DEFAULT_REGION=fr-par\nexport SCW_ACCESS_KEY=\nSCW_SECRET_KEY=\n"
    )
    assert rt.env == {"SCW_ACCESS_KEY": access, "SCW_SECRET_KEY": secret}
