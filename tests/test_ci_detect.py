"""CI detection from each provider's documented variables: push, pull/merge request and new
branch events, and the variable named when one is missing (exit 2 from the CLI)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from leakwarden.ci.detect import (
    DELETE,
    HISTORY,
    NEW_REF,
    PULL_REQUEST,
    PUSH,
    CiContext,
    CiDetectionError,
    detect,
)
from leakwarden.ci.scan import load_github_event
from leakwarden.errors import InputError

A = "a" * 40
B = "b" * 40
C = "c" * 40
ZERO = "0" * 40


def gh_push(before: str, after: str, **extra: Any) -> dict[str, Any]:
    return {
        "ref": "refs/heads/feature",
        "before": before,
        "after": after,
        "created": before == ZERO,
        "deleted": after == ZERO,
        "forced": False,
        "repository": {"default_branch": "main"},
        **extra,
    }


GITHUB = {"GITHUB_ACTIONS": "true", "GITHUB_SHA": B, "GITHUB_REF": "refs/heads/feature"}
GITLAB = {"GITLAB_CI": "true", "CI_COMMIT_SHA": B, "CI_DEFAULT_BRANCH": "main", "CI_COMMIT_BRANCH": "feature"}
TRAVIS = {"TRAVIS": "true", "TRAVIS_COMMIT": B, "TRAVIS_BRANCH": "feature"}
JENKINS = {"JENKINS_URL": "https://ci.example.invalid/", "GIT_COMMIT": B, "BRANCH_NAME": "feature"}
BITBUCKET = {"BITBUCKET_BUILD_NUMBER": "12", "BITBUCKET_COMMIT": B, "BITBUCKET_BRANCH": "feature"}
AZURE = {"TF_BUILD": "True", "BUILD_SOURCEVERSION": B, "BUILD_SOURCEBRANCH": "refs/heads/feature"}
CIRCLE = {"CIRCLECI": "true", "CIRCLE_SHA1": B, "CIRCLE_BRANCH": "feature"}


def expect(ctx: CiContext, provider: str, event: str, head: str, base: str | None) -> None:
    assert (ctx.provider, ctx.event, ctx.head, ctx.base) == (provider, event, head, base)


# --------------------------------------------------------------------------- GitHub Actions


def test_github_push() -> None:
    ctx = detect({**GITHUB, "GITHUB_EVENT_NAME": "push"}, gh_push(A, B))
    expect(ctx, "github", PUSH, B, A)
    assert ctx.ref == "refs/heads/feature"
    assert ctx.default_branch == "main"
    assert ctx.describe() == f"GitHub Actions, push {A[:12]}..{B[:12]} (GITHUB_EVENT_PATH: before, after)"


def test_github_new_branch() -> None:
    ctx = detect({**GITHUB, "GITHUB_EVENT_NAME": "push"}, gh_push(ZERO, B))
    expect(ctx, "github", NEW_REF, B, None)


def test_github_force_push_is_flagged() -> None:
    ctx = detect({**GITHUB, "GITHUB_EVENT_NAME": "push"}, gh_push(A, B, forced=True))
    assert ctx.event == PUSH
    assert ctx.forced


def test_github_deleted_branch() -> None:
    assert detect({**GITHUB, "GITHUB_EVENT_NAME": "push"}, gh_push(A, ZERO)).event == DELETE


@pytest.mark.parametrize("name", ["pull_request", "pull_request_target"])
def test_github_pull_request(name: str) -> None:
    event = {
        "number": 7,
        "pull_request": {"base": {"ref": "main", "sha": A}, "head": {"ref": "feature", "sha": C}},
    }
    ctx = detect({**GITHUB, "GITHUB_EVENT_NAME": name}, event)
    expect(ctx, "github", PULL_REQUEST, C, A)


def test_github_merge_group() -> None:
    event = {"merge_group": {"base_sha": A, "head_sha": C}}
    expect(detect({**GITHUB, "GITHUB_EVENT_NAME": "merge_group"}, event), "github", PULL_REQUEST, C, A)


@pytest.mark.parametrize("name", ["workflow_dispatch", "schedule"])
def test_github_manual_or_scheduled_run_scans_history(name: str) -> None:
    expect(detect({**GITHUB, "GITHUB_EVENT_NAME": name}, {}), "github", HISTORY, B, None)


def test_github_push_without_payload_names_github_event_path() -> None:
    with pytest.raises(CiDetectionError) as caught:
        detect({**GITHUB, "GITHUB_EVENT_NAME": "push"}, None)
    assert caught.value.variable == "GITHUB_EVENT_PATH"


def test_github_pull_request_payload_without_shas() -> None:
    with pytest.raises(CiDetectionError, match=r"pull_request\.base\.sha"):
        detect({**GITHUB, "GITHUB_EVENT_NAME": "pull_request"}, {"pull_request": {"base": {}}})


def test_github_event_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(gh_push(A, B)), encoding="utf-8")
    env = {**GITHUB, "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(path)}
    expect(detect(env, load_github_event(env)), "github", PUSH, B, A)


@pytest.mark.parametrize(
    ("content", "message"), [(None, "cannot read"), ("{nope", "is not JSON"), ("[]", "not a JSON object")]
)
def test_a_bad_github_event_file_names_the_variable(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "event.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CiDetectionError, match=message) as caught:
        load_github_event({**GITHUB, "GITHUB_EVENT_PATH": str(path)})
    assert caught.value.variable == "GITHUB_EVENT_PATH"
    assert isinstance(caught.value, InputError)  # the CLI's exit 2


# --------------------------------------------------------------------------- GitLab CI/CD


def test_gitlab_push() -> None:
    ctx = detect({**GITLAB, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BEFORE_SHA": A})
    expect(ctx, "gitlab", PUSH, B, A)
    assert ctx.ref == "refs/heads/feature"


def test_gitlab_new_branch() -> None:
    ctx = detect({**GITLAB, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BEFORE_SHA": ZERO})
    expect(ctx, "gitlab", NEW_REF, B, None)
    assert ctx.default_branch == "main"


def test_gitlab_merge_request() -> None:
    env = {**GITLAB, "CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_DIFF_BASE_SHA": A}
    expect(detect(env), "gitlab", PULL_REQUEST, B, A)


def test_gitlab_schedule_scans_history() -> None:
    expect(
        detect({**GITLAB, "CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BEFORE_SHA": ZERO}),
        "gitlab",
        HISTORY,
        B,
        None,
    )


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({**GITLAB, "CI_PIPELINE_SOURCE": "push"}, "CI_COMMIT_BEFORE_SHA"),
        ({**GITLAB, "CI_PIPELINE_SOURCE": "merge_request_event"}, "CI_MERGE_REQUEST_DIFF_BASE_SHA"),
        ({"GITLAB_CI": "true", "CI_COMMIT_SHA": B}, "CI_PIPELINE_SOURCE"),
        ({"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push"}, "CI_COMMIT_SHA"),
    ],
)
def test_gitlab_missing_variables_are_named(env: dict[str, str], variable: str) -> None:
    with pytest.raises(CiDetectionError, match=rf"^{variable} is not set") as caught:
        detect(env)
    assert caught.value.variable == variable


# --------------------------------------------------------------------------- CircleCI


def test_circleci_push_needs_a_base() -> None:
    with pytest.raises(CiDetectionError, match=r"pipeline\.git\.base_revision") as caught:
        detect(CIRCLE)
    assert caught.value.variable == "LEAKWARDEN_CI_BASE"


def test_circleci_pull_request_needs_a_base() -> None:
    env = {**CIRCLE, "CIRCLE_PULL_REQUEST": "https://github.com/o/r/pull/3"}
    with pytest.raises(CiDetectionError, match="pull request of"):
        detect(env)


def test_circleci_with_the_pipeline_base_revision() -> None:
    ctx = detect({**CIRCLE, "LEAKWARDEN_CI_BASE": A})
    expect(ctx, "circleci", PUSH, B, A)


def test_circleci_missing_commit_is_named() -> None:
    with pytest.raises(CiDetectionError, match=r"^CIRCLE_SHA1 is not set"):
        detect({"CIRCLECI": "true"})


# --------------------------------------------------------------------------- Travis CI


def test_travis_push() -> None:
    ctx = detect({**TRAVIS, "TRAVIS_EVENT_TYPE": "push", "TRAVIS_COMMIT_RANGE": f"{A[:12]}...{B[:12]}"})
    expect(ctx, "travis", PUSH, B, A[:12])


def test_travis_new_branch_has_an_empty_range() -> None:
    ctx = detect({**TRAVIS, "TRAVIS_EVENT_TYPE": "push", "TRAVIS_COMMIT_RANGE": ""})
    expect(ctx, "travis", NEW_REF, B, None)
    assert ctx.ref == "refs/heads/feature"


def test_travis_pull_request() -> None:
    env = {
        **TRAVIS,
        "TRAVIS_EVENT_TYPE": "pull_request",
        "TRAVIS_PULL_REQUEST": "5",
        "TRAVIS_COMMIT_RANGE": f"{A}...{C}",
        "TRAVIS_PULL_REQUEST_SHA": C,
    }
    expect(detect(env), "travis", PULL_REQUEST, C, A)


def test_travis_cron_scans_history() -> None:
    expect(detect({**TRAVIS, "TRAVIS_EVENT_TYPE": "cron"}), "travis", HISTORY, B, None)


def test_travis_pull_request_without_range_is_named() -> None:
    with pytest.raises(CiDetectionError, match=r"^TRAVIS_COMMIT_RANGE is not set"):
        detect({**TRAVIS, "TRAVIS_EVENT_TYPE": "pull_request"})


# --------------------------------------------------------------------------- Jenkins


def test_jenkins_push() -> None:
    ctx = detect({**JENKINS, "GIT_PREVIOUS_COMMIT": A})
    expect(ctx, "jenkins", PUSH, B, A)
    assert ctx.ref == "refs/heads/feature"


def test_jenkins_first_build_of_a_branch() -> None:
    expect(detect(JENKINS), "jenkins", NEW_REF, B, None)


def test_jenkins_change_request() -> None:
    ctx = detect({**JENKINS, "CHANGE_ID": "42", "CHANGE_TARGET": "main", "BRANCH_NAME": "PR-42"})
    expect(ctx, "jenkins", PULL_REQUEST, B, "main")
    assert ctx.base_is_branch


def test_jenkins_missing_commit_is_named() -> None:
    with pytest.raises(CiDetectionError, match=r"^GIT_COMMIT is not set"):
        detect({"JENKINS_URL": "https://ci.example.invalid/"})


# --------------------------------------------------------------------------- Bitbucket Pipelines


def test_bitbucket_pull_request() -> None:
    env = {**BITBUCKET, "BITBUCKET_PR_ID": "9", "BITBUCKET_PR_DESTINATION_COMMIT": A[:12]}
    expect(detect(env), "bitbucket", PULL_REQUEST, B, A[:12])


def test_bitbucket_pull_request_by_destination_branch() -> None:
    env = {**BITBUCKET, "BITBUCKET_PR_ID": "9", "BITBUCKET_PR_DESTINATION_BRANCH": "main"}
    ctx = detect(env)
    expect(ctx, "bitbucket", PULL_REQUEST, B, "main")
    assert ctx.base_is_branch


def test_bitbucket_push_needs_a_base() -> None:
    with pytest.raises(CiDetectionError, match=r"^LEAKWARDEN_CI_BASE is not set: Bitbucket Pipelines"):
        detect(BITBUCKET)
    expect(detect({**BITBUCKET, "LEAKWARDEN_CI_BASE": "origin/main"}), "bitbucket", PUSH, B, "origin/main")


# --------------------------------------------------------------------------- Azure Pipelines


def test_azure_pull_request() -> None:
    env = {
        **AZURE,
        "BUILD_REASON": "PullRequest",
        "SYSTEM_PULLREQUEST_TARGETBRANCH": "refs/heads/main",
        "SYSTEM_PULLREQUEST_SOURCECOMMITID": C,
    }
    ctx = detect(env)
    expect(ctx, "azure", PULL_REQUEST, C, "main")
    assert ctx.base_is_branch


@pytest.mark.parametrize("reason", ["IndividualCI", "BatchedCI"])
def test_azure_push_needs_a_base(reason: str) -> None:
    with pytest.raises(CiDetectionError, match=r"^LEAKWARDEN_CI_BASE is not set: Azure Pipelines"):
        detect({**AZURE, "BUILD_REASON": reason})
    expect(detect({**AZURE, "BUILD_REASON": reason}, base=A), "azure", PUSH, B, A)


def test_azure_manual_run_scans_history() -> None:
    expect(detect({**AZURE, "BUILD_REASON": "Manual"}), "azure", HISTORY, B, None)


def test_azure_pull_request_without_target_is_named() -> None:
    with pytest.raises(CiDetectionError, match=r"^SYSTEM_PULLREQUEST_TARGETBRANCH is not set"):
        detect({**AZURE, "BUILD_REASON": "PullRequest"})


# --------------------------------------------------------------------------- overrides and no CI


def test_base_overrides_what_the_provider_says() -> None:
    ctx = detect({**GITLAB, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BEFORE_SHA": ZERO}, base="origin/main")
    expect(ctx, "gitlab", PUSH, B, "origin/main")
    assert ctx.sources[0] == "LEAKWARDEN_CI_BASE or --base"


def test_no_provider_names_the_markers() -> None:
    with pytest.raises(CiDetectionError, match="no CI provider detected: none of GITHUB_ACTIONS, GITLAB_CI"):
        detect({"CI": "true", "HOME": "/root"})
