"""PR metadata from GitHub and GitLab event files and from flags."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from aces.errors import InputError
from aces.workspace.change import load_pr_metadata
from aces.workspace.types import PullRequest

GITHUB_PR: dict[str, object] = {
    "number": 42,
    "title": "Add room quotas",
    "body": "Spec: specs/room-quotas.md",
    "user": {"login": "octocat"},
    "labels": [{"name": "protocol"}, {"name": "area/bus"}],
    "base": {"ref": "main", "sha": "a" * 40},
    "head": {"ref": "quotas", "sha": "b" * 40},
}

GITHUB_PR_EVENT: dict[str, object] = {
    "action": "synchronize",
    "number": 42,
    "pull_request": GITHUB_PR,
    "repository": {"full_name": "arqon/bus"},
    "sender": {"login": "octocat"},
}

GITLAB_ATTRIBUTES: dict[str, object] = {
    "iid": 7,
    "title": "Tenant isolation",
    "description": "Closes #3",
    "target_branch": "develop",
    "source_branch": "tenants",
    "labels": [{"title": "security"}, {"title": "core"}],
}

GITLAB_MR_HOOK: dict[str, object] = {
    "object_kind": "merge_request",
    "user": {"username": "maria"},
    "object_attributes": GITLAB_ATTRIBUTES,
    "labels": [{"title": "ignored-when-attributes-carry-labels"}],
}


def _event(tmp_path: Path, payload: object, name: str = "event.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(payload), encoding="utf-8")
    return path


def _load(
    event: Path | None = None,
    *,
    title: str | None = None,
    body_file: Path | None = None,
    labels: Sequence[str] = (),
) -> PullRequest:
    return load_pr_metadata(event_file=event, title=title, body_file=body_file, labels=labels)


def test_github_pull_request_event(tmp_path: Path) -> None:
    assert _load(_event(tmp_path, GITHUB_PR_EVENT)) == PullRequest(
        title="Add room quotas",
        body="Spec: specs/room-quotas.md",
        labels=("area/bus", "protocol"),
        author="octocat",
        number=42,
        source="github-event",
        base_ref="main",
        base_sha="a" * 40,
    )


def test_github_review_event_records_the_approval(tmp_path: Path) -> None:
    payload = {
        **GITHUB_PR_EVENT,
        "review": {"state": "APPROVED", "user": {"login": "senior-dev"}},
    }
    payload["pull_request"] = {**GITHUB_PR, "body": None}
    pr = _load(_event(tmp_path, payload))
    assert pr.approvals == ("senior-dev",)
    assert pr.body == ""


def test_gitlab_merge_request_hook(tmp_path: Path) -> None:
    assert _load(_event(tmp_path, GITLAB_MR_HOOK)) == PullRequest(
        title="Tenant isolation",
        body="Closes #3",
        labels=("core", "security"),
        author="maria",
        number=7,
        source="gitlab-event",
        base_ref="develop",
    )


def test_gitlab_labels_at_the_top_level(tmp_path: Path) -> None:
    attributes = {k: v for k, v in GITLAB_ATTRIBUTES.items() if k != "labels"}
    payload = {**GITLAB_MR_HOOK, "object_attributes": attributes, "labels": [{"title": "docs"}]}
    assert _load(_event(tmp_path, payload)).labels == ("docs",)


def test_push_event_has_no_pr_but_flags_still_count(tmp_path: Path) -> None:
    push = {"ref": "refs/heads/main", "repository": {}, "sender": {"login": "x"}}
    assert _load(_event(tmp_path, push)) == PullRequest()
    assert _load(_event(tmp_path, push), labels=["hotfix"]) == PullRequest(
        labels=("hotfix",), source="flags"
    )


def test_flags_alone(tmp_path: Path) -> None:
    body = tmp_path / "body.md"
    body.write_text("## Spec\nspecs/x.md\n", encoding="utf-8")
    assert _load(title="Fix", body_file=body, labels=["b", "a", " ", "a"]) == PullRequest(
        title="Fix", body="## Spec\nspecs/x.md\n", labels=("a", "b"), source="flags"
    )


def test_no_event_and_no_flags_is_an_empty_pr() -> None:
    assert _load() == PullRequest()


def test_flags_override_the_event_title_and_add_labels(tmp_path: Path) -> None:
    pr = _load(_event(tmp_path, GITHUB_PR_EVENT), title="Override", labels=["extra"])
    assert pr.title == "Override"
    assert pr.body == "Spec: specs/room-quotas.md"
    assert pr.labels == ("area/bus", "extra", "protocol")
    assert pr.source == "github-event"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "event file is not valid JSON (line 1, column 2: "),
        (b"[1, 2]", "event file is not a JSON object"),
        (b'{"title": "caf\xe9"}', "event file is not valid UTF-8 (offset 14)"),
        (b'{"hello": 1}', "event file is neither a GitHub nor a GitLab event payload"),
        (
            b'{"pull_request": {"labels": [{"name": 3}]}}',
            "event field pull_request.labels[0].name is int, expected a string",
        ),
        (
            b'{"pull_request": {"number": "42"}}',
            "event field pull_request.number is str, expected an integer",
        ),
    ],
)
def test_unusable_event_file_names_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "event.json"
    path.write_bytes(content)
    with pytest.raises(InputError) as err:
        _load(path)
    assert err.value.path == str(path)
    assert err.value.message.startswith(message)


def test_missing_event_and_body_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        _load(tmp_path / "nope.json")
    assert err.value.diagnostics() == f"{tmp_path / 'nope.json'}: event file does not exist"
    with pytest.raises(InputError) as err:
        _load(body_file=tmp_path / "body.md")
    assert err.value.diagnostics() == f"{tmp_path / 'body.md'}: PR body file does not exist"


def test_gitlab_hook_about_something_else_has_no_pr(tmp_path: Path) -> None:
    pipeline = {"object_kind": "pipeline", "object_attributes": {"ref": "main", "sha": "c" * 40}}
    assert _load(_event(tmp_path, pipeline)) == PullRequest()


def test_gitlab_merge_request_attributes_without_object_kind(tmp_path: Path) -> None:
    pr = _load(_event(tmp_path, {"object_attributes": GITLAB_ATTRIBUTES}))
    assert (pr.source, pr.title, pr.base_ref) == ("gitlab-event", "Tenant isolation", "develop")
