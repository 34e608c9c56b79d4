"""Which CI provider runs us, for which event, and which commits that event brought: a pure
function of the environment (and, on GitHub Actions, the event payload), so that every provider's
documented variables can be tested without a runner.

Every provider documents what it sets; we read only those variables. When one we need is absent
or empty, detection fails with `CiDetectionError` naming it, and the CLI exits 2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from leakwarden.ci.context import (
    BASE_VARIABLE,
    DELETE,
    HISTORY,
    NEW_REF,
    PULL_REQUEST,
    PUSH,
    CiContext,
    CiDetectionError,
    branch_name,
    is_zero,
    need,
    opt,
    short_rev,
)

__all__ = [
    "BASE_VARIABLE",
    "DELETE",
    "HISTORY",
    "MARKERS",
    "NEW_REF",
    "PULL_REQUEST",
    "PUSH",
    "CiContext",
    "CiDetectionError",
    "detect",
    "is_zero",
]

# ---- GitHub Actions --------------------------------------------------------------------------


def _github(env: Mapping[str, str], event: Mapping[str, Any] | None, base: str | None) -> CiContext:
    name = need(env, "GITHUB_EVENT_NAME", "GitHub Actions names the triggering event there")
    sha = need(env, "GITHUB_SHA", "GitHub Actions names the commit of the run there")
    common = ("github", "GitHub Actions")
    if name in ("push", "pull_request", "pull_request_target", "merge_group") and event is None:
        raise CiDetectionError(
            "GITHUB_EVENT_PATH",
            f"GITHUB_EVENT_PATH is not set or unreadable: the {name} event's payload names the commits",
        )
    if name == "push":
        assert event is not None
        before, after = str(event.get("before") or ""), str(event.get("after") or "")
        if not after:
            raise CiDetectionError(
                "GITHUB_EVENT_PATH", "the push payload at GITHUB_EVENT_PATH has no 'after'"
            )
        ref = str(event.get("ref") or env.get("GITHUB_REF", "")) or None
        repo = event.get("repository")
        default = str(repo.get("default_branch") or "") or None if isinstance(repo, Mapping) else None
        sources = ("GITHUB_EVENT_PATH: before, after",)
        if event.get("deleted") or is_zero(after):
            return CiContext(*common, event=DELETE, head=after, ref=ref, sources=sources)
        if not before or is_zero(before) or event.get("created"):
            return CiContext(
                *common, event=NEW_REF, head=after, ref=ref, default_branch=default, sources=sources
            )
        return CiContext(
            *common,
            event=PUSH,
            head=after,
            base=before,
            ref=ref,
            default_branch=default,
            forced=bool(event.get("forced")),
            sources=sources,
        )
    if name in ("pull_request", "pull_request_target"):
        assert event is not None
        pr = event.get("pull_request")
        base = pr.get("base") if isinstance(pr, Mapping) else None
        head = pr.get("head") if isinstance(pr, Mapping) else None
        base_sha = str(base.get("sha") or "") if isinstance(base, Mapping) else ""
        head_sha = str(head.get("sha") or "") if isinstance(head, Mapping) else ""
        if not base_sha or not head_sha:
            raise CiDetectionError(
                "GITHUB_EVENT_PATH",
                "the pull_request payload at GITHUB_EVENT_PATH lacks pull_request.base.sha or head.sha",
            )
        return CiContext(
            *common,
            event=PULL_REQUEST,
            head=head_sha,
            base=base_sha,
            sources=("GITHUB_EVENT_PATH: pull_request.base.sha, pull_request.head.sha",),
        )
    if name == "merge_group":
        assert event is not None
        group = event.get("merge_group")
        base_sha = str(group.get("base_sha") or "") if isinstance(group, Mapping) else ""
        head_sha = str(group.get("head_sha") or "") if isinstance(group, Mapping) else ""
        if not base_sha or not head_sha:
            raise CiDetectionError(
                "GITHUB_EVENT_PATH", "the merge_group payload lacks merge_group.base_sha or head_sha"
            )
        return CiContext(
            *common,
            event=PULL_REQUEST,
            head=head_sha,
            base=base_sha,
            sources=("GITHUB_EVENT_PATH: merge_group.base_sha, merge_group.head_sha",),
        )
    return CiContext(*common, event=HISTORY, head=sha, sources=(f"GITHUB_EVENT_NAME={name}", "GITHUB_SHA"))


# ---- GitLab CI/CD ----------------------------------------------------------------------------


def _gitlab(env: Mapping[str, str], event: Mapping[str, Any] | None, base: str | None) -> CiContext:
    source = need(env, "CI_PIPELINE_SOURCE", "GitLab CI/CD names what started the pipeline there")
    sha = need(env, "CI_COMMIT_SHA", "GitLab CI/CD names the commit of the pipeline there")
    common = ("gitlab", "GitLab CI/CD")
    default = opt(env, "CI_DEFAULT_BRANCH")
    if source == "merge_request_event":
        base = need(
            env, "CI_MERGE_REQUEST_DIFF_BASE_SHA", "a merge request pipeline names the target's base there"
        )
        return CiContext(
            *common,
            event=PULL_REQUEST,
            head=sha,
            base=base,
            default_branch=default,
            sources=("CI_MERGE_REQUEST_DIFF_BASE_SHA", "CI_COMMIT_SHA"),
        )
    if source == "push":
        before = need(env, "CI_COMMIT_BEFORE_SHA", "a push pipeline names the branch's previous tip there")
        branch, tag = opt(env, "CI_COMMIT_BRANCH"), opt(env, "CI_COMMIT_TAG")
        ref = f"refs/heads/{branch}" if branch else f"refs/tags/{tag}" if tag else None
        sources = ("CI_COMMIT_BEFORE_SHA", "CI_COMMIT_SHA")
        if is_zero(before):
            return CiContext(
                *common, event=NEW_REF, head=sha, ref=ref, default_branch=default, sources=sources
            )
        return CiContext(
            *common, event=PUSH, head=sha, base=before, ref=ref, default_branch=default, sources=sources
        )
    return CiContext(
        *common, event=HISTORY, head=sha, default_branch=default, sources=(f"CI_PIPELINE_SOURCE={source}",)
    )


# ---- CircleCI --------------------------------------------------------------------------------


def _circleci(env: Mapping[str, str], event: Mapping[str, Any] | None, base: str | None) -> CiContext:
    sha = need(env, "CIRCLE_SHA1", "CircleCI names the commit of the job there")
    if base:
        return CiContext("circleci", "CircleCI", PUSH, sha, base=base, sources=(BASE_VARIABLE, "CIRCLE_SHA1"))
    kind = "pull request" if opt(env, "CIRCLE_PULL_REQUEST") else "push"
    raise CiDetectionError(
        BASE_VARIABLE,
        f"{BASE_VARIABLE} is not set: CircleCI does not say which commit a {kind} of {short_rev(sha)} "
        f"started from; set {BASE_VARIABLE} (for a push: << pipeline.git.base_revision >>; for a "
        "pull request: the target branch, e.g. origin/main) or pass --base",
    )


# ---- Travis CI -------------------------------------------------------------------------------


def _split_range(value: str) -> tuple[str, str] | None:
    left, dots, right = value.partition("...")
    if not dots:
        left, dots, right = value.partition("..")
    return (left, right) if dots and left and right else None


def _travis(env: Mapping[str, str], event: Mapping[str, Any] | None, base: str | None) -> CiContext:
    kind = need(env, "TRAVIS_EVENT_TYPE", "Travis CI names what started the build there")
    sha = need(env, "TRAVIS_COMMIT", "Travis CI names the commit of the build there")
    common = ("travis", "Travis CI")
    commit_range = opt(env, "TRAVIS_COMMIT_RANGE")
    if kind == "pull_request":
        if commit_range is None or _split_range(commit_range) is None:
            raise CiDetectionError(
                "TRAVIS_COMMIT_RANGE",
                "TRAVIS_COMMIT_RANGE is not set: a pull request build names base...head there",
            )
        base, head = _split_range(commit_range) or ("", "")
        return CiContext(
            *common,
            event=PULL_REQUEST,
            head=opt(env, "TRAVIS_PULL_REQUEST_SHA") or head,
            base=base,
            sources=("TRAVIS_COMMIT_RANGE", "TRAVIS_PULL_REQUEST_SHA"),
        )
    if kind == "push":
        branch, tag = opt(env, "TRAVIS_BRANCH"), opt(env, "TRAVIS_TAG")
        ref = f"refs/tags/{tag}" if tag else f"refs/heads/{branch}" if branch else None
        parts = _split_range(commit_range) if commit_range else None
        # Travis leaves the range empty for the first push of a new branch.
        if parts is None or is_zero(parts[0]):
            return CiContext(
                *common, event=NEW_REF, head=sha, ref=ref, sources=("TRAVIS_COMMIT_RANGE (empty)",)
            )
        return CiContext(
            *common, event=PUSH, head=sha, base=parts[0], ref=ref, sources=("TRAVIS_COMMIT_RANGE",)
        )
    return CiContext(*common, event=HISTORY, head=sha, sources=(f"TRAVIS_EVENT_TYPE={kind}",))


# ---- Jenkins ---------------------------------------------------------------------------------


def _jenkins(env: Mapping[str, str], event: Mapping[str, Any] | None, base: str | None) -> CiContext:
    sha = need(env, "GIT_COMMIT", "Jenkins' Git plugin names the checked-out commit there")
    common = ("jenkins", "Jenkins")
    if opt(env, "CHANGE_ID"):
        target = need(env, "CHANGE_TARGET", "a multibranch change request names its target branch there")
        return CiContext(
            *common,
            event=PULL_REQUEST,
            head=sha,
            base=branch_name(target),
            base_is_branch=True,
            sources=("CHANGE_TARGET", "GIT_COMMIT"),
        )
    branch = opt(env, "BRANCH_NAME") or opt(env, "GIT_LOCAL_BRANCH")
    ref = f"refs/heads/{branch_name(branch)}" if branch else None
    previous = opt(env, "GIT_PREVIOUS_COMMIT")
    if previous is None:  # the first build of this branch
        return CiContext(*common, event=NEW_REF, head=sha, ref=ref, sources=("GIT_PREVIOUS_COMMIT (unset)",))
    return CiContext(
        *common, event=PUSH, head=sha, base=previous, ref=ref, sources=("GIT_PREVIOUS_COMMIT", "GIT_COMMIT")
    )


# ---- Bitbucket Pipelines ---------------------------------------------------------------------


def _bitbucket(env: Mapping[str, str], event: Mapping[str, Any] | None, base: str | None) -> CiContext:
    sha = need(env, "BITBUCKET_COMMIT", "Bitbucket Pipelines names the commit of the build there")
    common = ("bitbucket", "Bitbucket Pipelines")
    if opt(env, "BITBUCKET_PR_ID"):
        commit = opt(env, "BITBUCKET_PR_DESTINATION_COMMIT")
        if commit:
            return CiContext(
                *common,
                event=PULL_REQUEST,
                head=sha,
                base=commit,
                sources=("BITBUCKET_PR_DESTINATION_COMMIT", "BITBUCKET_COMMIT"),
            )
        target = need(
            env, "BITBUCKET_PR_DESTINATION_BRANCH", "a pull request build names its destination there"
        )
        return CiContext(
            *common,
            event=PULL_REQUEST,
            head=sha,
            base=target,
            base_is_branch=True,
            sources=("BITBUCKET_PR_DESTINATION_BRANCH", "BITBUCKET_COMMIT"),
        )
    if base:
        return CiContext(
            *common, event=PUSH, head=sha, base=base, sources=(BASE_VARIABLE, "BITBUCKET_COMMIT")
        )
    raise CiDetectionError(
        BASE_VARIABLE,
        f"{BASE_VARIABLE} is not set: Bitbucket Pipelines does not say which commit a push of "
        f"{short_rev(sha)} started from; set {BASE_VARIABLE} (e.g. origin/main on a feature branch) "
        "or pass --base",
    )


# ---- Azure Pipelines -------------------------------------------------------------------------


def _azure(env: Mapping[str, str], event: Mapping[str, Any] | None, base: str | None) -> CiContext:
    reason = need(env, "BUILD_REASON", "Azure Pipelines names what started the run there")
    sha = need(env, "BUILD_SOURCEVERSION", "Azure Pipelines names the commit of the run there")
    common = ("azure", "Azure Pipelines")
    if reason == "PullRequest":
        target = need(
            env, "SYSTEM_PULLREQUEST_TARGETBRANCH", "a pull request run names its target branch there"
        )
        head = opt(env, "SYSTEM_PULLREQUEST_SOURCECOMMITID") or sha
        return CiContext(
            *common,
            event=PULL_REQUEST,
            head=head,
            base=branch_name(target),
            base_is_branch=True,
            sources=("SYSTEM_PULLREQUEST_TARGETBRANCH", "SYSTEM_PULLREQUEST_SOURCECOMMITID"),
        )
    if reason in ("IndividualCI", "BatchedCI"):
        if base:
            return CiContext(
                *common, event=PUSH, head=sha, base=base, sources=(BASE_VARIABLE, "BUILD_SOURCEVERSION")
            )
        raise CiDetectionError(
            BASE_VARIABLE,
            f"{BASE_VARIABLE} is not set: Azure Pipelines does not say which commit a push of "
            f"{short_rev(sha)} started from; set {BASE_VARIABLE} (e.g. origin/main on a feature branch) "
            "or pass --base",
        )
    return CiContext(*common, event=HISTORY, head=sha, sources=(f"BUILD_REASON={reason}",))


# Each provider's own marker variable, as its documentation names it, in detection order.
_PROVIDERS: tuple[tuple[str, Callable[[str], bool], Callable[..., CiContext]], ...] = (
    ("GITHUB_ACTIONS", lambda v: v == "true", _github),
    ("GITLAB_CI", lambda v: v == "true", _gitlab),
    ("CIRCLECI", lambda v: v == "true", _circleci),
    ("TRAVIS", lambda v: v == "true", _travis),
    ("TF_BUILD", lambda v: v.lower() == "true", _azure),
    ("BITBUCKET_BUILD_NUMBER", bool, _bitbucket),
    ("JENKINS_URL", bool, _jenkins),
)
MARKERS = tuple(name for name, _, _ in _PROVIDERS)


def detect(
    env: Mapping[str, str], event: Mapping[str, Any] | None = None, base: str | None = None
) -> CiContext:
    """The provider, event and commits of this CI run. `event` is GitHub's event payload (the
    JSON at GITHUB_EVENT_PATH) when there is one; `base` (or LEAKWARDEN_CI_BASE) overrides the
    start of the range for any provider."""
    base = base or opt(env, BASE_VARIABLE)
    for marker, matches, read in _PROVIDERS:
        if matches(env.get(marker, "").strip()):
            ctx = read(env, event, base)
            if base is not None and ctx.event != DELETE and ctx.base != base:
                return _override(ctx, base)
            return ctx
    raise CiDetectionError(
        "GITHUB_ACTIONS",
        f"no CI provider detected: none of {', '.join(MARKERS)} is set (outside CI, use `scan git --range`)",
    )


def _override(ctx: CiContext, base: str) -> CiContext:
    event = ctx.event if ctx.event in (PUSH, PULL_REQUEST) else PUSH
    return CiContext(
        ctx.provider,
        ctx.provider_name,
        event,
        ctx.head,
        base=base,
        ref=ctx.ref,
        default_branch=ctx.default_branch,
        sources=(f"{BASE_VARIABLE} or --base", *ctx.sources),
    )
