"""PR inputs read from the CI environment."""

from __future__ import annotations

from pathlib import Path

from aces.workspace.cienv import from_environment


def test_github_pull_request_event_file() -> None:
    env = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": "/tmp/event.json",
    }
    assert from_environment(env).event_file == Path("/tmp/event.json")


def test_github_push_is_not_a_pr_and_names_its_push(tmp_path: Path) -> None:
    event = tmp_path / "push.json"
    event.write_text(
        '{"ref": "refs/heads/dev", "before": "' + "0" * 40 + '", "after": "abc",'
        ' "repository": {"default_branch": "main"}}',
        encoding="utf-8",
    )
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": str(event)}
    found = from_environment(env)
    assert found.event_file is None and found.pr is None
    # The all-zero "before" of a new branch names no commit.
    assert (found.trigger, found.branch, found.default_branch, found.before, found.after) == (
        "push",
        "dev",
        "main",
        "",
        "abc",
    )


def test_gitlab_merge_request_variables() -> None:
    env = {
        "GITLAB_CI": "true",
        "CI_MERGE_REQUEST_IID": "42",
        "CI_MERGE_REQUEST_TITLE": "Add envelope v2",
        "CI_MERGE_REQUEST_DESCRIPTION": "Spec: specs/envelope.md",
        "CI_MERGE_REQUEST_LABELS": "protocol,api",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": "abc123",
    }
    found = from_environment(env)
    assert found.pr is not None
    assert (found.pr.title, found.pr.body, found.pr.labels, found.pr.number) == (
        "Add envelope v2",
        "Spec: specs/envelope.md",
        ("api", "protocol"),
        42,
    )
    assert found.base == "abc123"
    assert found.base_candidates == ("abc123",)


def test_gitlab_merge_request_target_branch_without_diff_base() -> None:
    env = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_IID": "1"}
    env["CI_MERGE_REQUEST_TARGET_BRANCH_NAME"] = "develop"
    assert from_environment(env).base_candidates == ("origin/develop", "develop")


def test_gitlab_new_branch_push_has_no_before_commit() -> None:
    env = {"GITLAB_CI": "true", "CI_COMMIT_BRANCH": "x", "CI_COMMIT_BEFORE_SHA": "0" * 40}
    found = from_environment(env)
    assert (found.trigger, found.branch, found.before) == ("push", "x", "")


def test_buildkite_pull_request_names_its_base_branch() -> None:
    env = {
        "BUILDKITE": "true",
        "BUILDKITE_PULL_REQUEST": "12",
        "BUILDKITE_PULL_REQUEST_BASE_BRANCH": "main",
        "BUILDKITE_PIPELINE_DEFAULT_BRANCH": "main",
    }
    found = from_environment(env)
    assert found.pr is not None and found.pr.number == 12
    assert (found.trigger, found.base_candidates) == ("pull-request", ("origin/main", "main"))


def test_outside_ci_nothing() -> None:
    assert from_environment({}).pr is None
    assert from_environment({}).base is None
