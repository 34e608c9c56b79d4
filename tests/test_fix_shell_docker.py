"""`leakwarden fix` on shell scripts and Dockerfiles: references the shell expands to the same
command, `ENV`/`ARG` credentials out of the image definition, and refusals for what only a person
can move (a `RUN` step, a quoted here-document, a command substitution)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from leakwarden.fix import Status, plan_fixes
from leakwarden.fix.plan import file_kind
from tests.conftest import write
from tests.fix_support import Fakes, roundtrip, run_both, snapshot

SH = shutil.which("sh")


@pytest.mark.skipif(SH is None, reason="needs a POSIX shell to run the script before and after")
def test_shell_exports_and_commands_take_the_environment(tmp_path: Path) -> None:
    access, secret = Fakes(31).scaleway()
    token = Fakes(32).packagecloud()
    script = f"""#!/bin/sh
set -e
# deploy with {access}
export SCW_ACCESS_KEY={access}
export SCW_SECRET_KEY="{secret}"
echo "curl -u {token}: https://packagecloud.io/install/repositories/acme/prod/script.deb.sh"
echo 'token={token}' unquoted:{token}
cat <<EOF
packagecloud token {token}
EOF
echo "$SCW_ACCESS_KEY $SCW_SECRET_KEY"
"""
    rt = roundtrip(tmp_path / "repo", {"deploy.sh": script})
    text = rt.text("deploy.sh")
    assert 'export SCW_ACCESS_KEY="${SCW_ACCESS_KEY:?SCW_ACCESS_KEY is not set}"' in text
    assert 'export SCW_SECRET_KEY="${SCW_SECRET_KEY:?SCW_SECRET_KEY is not set}"' in text
    assert "# deploy with ${SCW_ACCESS_KEY}" in text
    assert '"curl -u ${PACKAGECLOUD_TOKEN}: https' in text
    assert "'token='\"${PACKAGECLOUD_TOKEN}\"'' unquoted:\"${PACKAGECLOUD_TOKEN}\"" in text
    assert "packagecloud token ${PACKAGECLOUD_TOKEN}\n" in text
    assert [o.status for o in rt.plan.outcomes] == [Status.REWRITE]
    before, after = run_both(rt, [str(SH), "deploy.sh"])
    assert before == after
    assert token in after
    assert secret in after


def test_a_script_without_an_extension_is_known_by_its_shebang(tmp_path: Path) -> None:
    assert file_kind(Path("bin/release"), b"#!/usr/bin/env bash\nset -eu\n") == "shell"
    assert file_kind(Path("bin/release"), b"#!/usr/bin/python3\n") == "other"
    assert file_kind(Path("ci/build.sh")) == "shell"
    assert file_kind(Path("Dockerfile")) == "dockerfile"
    assert file_kind(Path("docker/api.Dockerfile")) == "dockerfile"
    assert file_kind(Path("Containerfile.dev")) == "dockerfile"


SHELL_UNSAFE = {
    "quoted heredoc": ("cat <<'EOF'\npackagecloud {token}\nEOF\n", "quoted here-document"),
    "command substitution": ('HDR="$(printf packagecloud:%s {token})"\n', "command substitution"),
    "backslash": ("echo packagecloud\\{token}\n", "backslash"),
}


@pytest.mark.parametrize("case", sorted(SHELL_UNSAFE))
def test_unsafe_shell_is_left_byte_identical(tmp_path: Path, case: str) -> None:
    token = Fakes(33).packagecloud()
    source, reason = SHELL_UNSAFE[case]
    source = "#!/bin/sh\n" + source.format(token=token)
    path = write(tmp_path / "run.sh", source)
    before = snapshot(tmp_path)
    plan = plan_fixes([str(tmp_path)], env_file=tmp_path / ".env")
    [outcome] = plan.outcomes
    assert outcome.status == Status.BY_HAND
    assert reason in outcome.reason
    assert plan.changes == []
    assert snapshot(tmp_path) == before
    assert path.read_text() == source


def test_dockerfile_env_and_arg_credentials_leave_the_image(tmp_path: Path) -> None:
    access, secret = Fakes(34).scaleway()
    token = Fakes(35).packagecloud()
    dockerfile = f"""FROM python:3.12-slim AS build
# packagecloud {token}
ARG PACKAGECLOUD_TOKEN={token}
ENV APP_ENV=prod SCW_ACCESS_KEY={access} \\
    SCW_SECRET_KEY="{secret}"
ENV LOG_LEVEL info
CMD ["python", "-m", "app"]
"""
    rt = roundtrip(tmp_path / "repo", {"Dockerfile": dockerfile})
    text = rt.text("Dockerfile")
    assert text == (
        "FROM python:3.12-slim AS build\n"
        "# packagecloud ${PACKAGECLOUD_TOKEN}\n"
        "ARG PACKAGECLOUD_TOKEN\n"
        "ENV APP_ENV=prod\n"
        "ENV LOG_LEVEL info\n"
        'CMD ["python", "-m", "app"]\n'
    )
    assert rt.env == {"PACKAGECLOUD_TOKEN": token, "SCW_ACCESS_KEY": access, "SCW_SECRET_KEY": secret}
    [outcome] = rt.plan.outcomes_with(Status.REWRITE)
    assert any("no longer baked into the image" in note for note in outcome.notes)
    assert any("build secret" in note for note in outcome.notes)


def test_dockerfile_legacy_env_form_and_a_run_step(tmp_path: Path) -> None:
    token = Fakes(36).packagecloud()
    rt = roundtrip(tmp_path / "a", {"Dockerfile": f"FROM alpine\nENV PACKAGECLOUD_TOKEN {token}\n"})
    assert rt.text("Dockerfile") == "FROM alpine\n"
    source = f"FROM alpine\nRUN curl -fsSL https://{token}:@packagecloud.io/acme/prod/script.deb.sh | sh\n"
    path = write(tmp_path / "b" / "Dockerfile", source)
    plan = plan_fixes([str(tmp_path / "b")], env_file=tmp_path / "b" / ".env")
    [outcome] = plan.outcomes
    assert outcome.status == Status.BY_HAND
    assert "line 2: the credential is in RUN" in outcome.reason
    assert "RUN --mount=type=secret" in outcome.reason
    assert path.read_text() == source
