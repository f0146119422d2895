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


def test_github_push_is_not_a_pr() -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": "/e"}
    assert from_environment(env).event_file is None


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


def test_outside_ci_nothing() -> None:
    assert from_environment({}) == from_environment({"GITLAB_CI": "true"})
