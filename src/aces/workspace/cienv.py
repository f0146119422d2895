"""PR metadata a CI system already provides through its environment.

Generated pipelines run ``aces run --stage N`` without flags, so the run reads
what GitHub Actions (the event file) or GitLab CI (``CI_MERGE_REQUEST_*``
variables) expose. Explicit flags always win over the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aces.workspace.types import PullRequest

GITHUB_PR_EVENTS = frozenset({"pull_request", "pull_request_target", "pull_request_review"})


@dataclass(frozen=True)
class CiPullRequest:
    """What the CI environment says about the PR: an event file, or GitLab's fields."""

    event_file: Path | None = None
    pr: PullRequest | None = None
    base: str | None = None


def from_environment(env: Mapping[str, str]) -> CiPullRequest:
    """The PR inputs of GitHub Actions or GitLab CI, or nothing outside a PR pipeline."""
    if env.get("GITHUB_ACTIONS") == "true":
        path = env.get("GITHUB_EVENT_PATH", "")
        if path and env.get("GITHUB_EVENT_NAME", "") in GITHUB_PR_EVENTS:
            return CiPullRequest(event_file=Path(path))
        return CiPullRequest()
    if env.get("GITLAB_CI") == "true" and env.get("CI_MERGE_REQUEST_IID"):
        labels = tuple(
            sorted({x.strip() for x in env.get("CI_MERGE_REQUEST_LABELS", "").split(",") if x})
        )
        iid = env["CI_MERGE_REQUEST_IID"]
        pr = PullRequest(
            title=env.get("CI_MERGE_REQUEST_TITLE", ""),
            body=env.get("CI_MERGE_REQUEST_DESCRIPTION", ""),
            labels=labels,
            number=int(iid) if iid.isdigit() else None,
            source="gitlab-env",
        )
        base = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA") or None
        return CiPullRequest(pr=pr, base=base)
    return CiPullRequest()
