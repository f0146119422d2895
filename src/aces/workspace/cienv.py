"""What a CI system already says about the run: the PR, the push, the tag, the schedule.

Generated pipelines run ``aces run --stage N`` without flags, so the run reads what
GitHub Actions (the event file, ``GITHUB_*``), GitLab CI (``CI_*``) and Buildkite
(``BUILDKITE_*``) expose. From it the Change learns why the pipeline runs (a PR, a
push, a tag, a schedule), the base a PR names, the branch pushed, the commit it
replaced and the repository's default branch. Explicit flags always win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from aces.workspace.prmeta import read_event
from aces.workspace.types import PullRequest

GITHUB_PR_EVENTS = frozenset({"pull_request", "pull_request_target", "pull_request_review"})
ZERO_SHA = "0" * 40

# Why the pipeline runs.
PULL_REQUEST = "pull-request"
PUSH = "push"
TAG = "tag"
SCHEDULE = "schedule"


@dataclass(frozen=True)
class CiPullRequest:
    """What the CI environment says about this run (every field empty outside CI).

    ``base_candidates`` are the refs a PR or merge-request pipeline names as its base,
    best first; ``branch`` is the branch the pipeline runs for, ``before`` the commit a
    push replaced (never the all-zero id of a new branch).
    """

    event_file: Path | None = None
    pr: PullRequest | None = None
    trigger: str = ""
    base_candidates: tuple[str, ...] = ()
    branch: str = ""
    default_branch: str = ""
    before: str = ""
    after: str = ""
    commit: str = ""  # the commit the pipeline runs for (GITHUB_SHA, CI_COMMIT_SHA, ...)

    def describes(self, head: str | None) -> bool:
        """Whether these CI facts are about ``head``: a run on another checkout ignores them.

        A commit that is not a full hex id (Buildkite's ``HEAD``) cannot be compared: trusted.
        """
        known = len(self.commit) == 40 and all(c in "0123456789abcdef" for c in self.commit)
        return not known or self.commit == head

    @property
    def base(self) -> str | None:
        """The first ref the PR pipeline names as its base, or None."""
        return self.base_candidates[0] if self.base_candidates else None


def is_ci(env: Mapping[str, str]) -> bool:
    """Whether the run is a job of GitHub Actions, GitLab CI, Buildkite or another CI."""
    return any(
        env.get(name) == "true" for name in ("CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE")
    )


def from_environment(env: Mapping[str, str], *, event_file: Path | None = None) -> CiPullRequest:
    """The run's CI inputs from GitHub Actions, GitLab CI or Buildkite; empty elsewhere.

    ``event_file`` (``--event``) is read for its push fields when it is not the CI's own.
    """
    if env.get("GITHUB_ACTIONS") == "true":
        return replace(_github(env), commit=env.get("GITHUB_SHA", ""))
    if env.get("GITLAB_CI") == "true":
        return replace(_gitlab(env), commit=env.get("CI_COMMIT_SHA", ""))
    if env.get("BUILDKITE") == "true":
        return replace(_buildkite(env), commit=env.get("BUILDKITE_COMMIT", ""))
    if event_file is not None:
        return _github_push(read_event(event_file), CiPullRequest())
    return CiPullRequest()


def _github(env: Mapping[str, str]) -> CiPullRequest:
    """GitHub Actions: the event file carries the PR or the push."""
    name = env.get("GITHUB_EVENT_NAME", "")
    path = env.get("GITHUB_EVENT_PATH", "")
    if name in GITHUB_PR_EVENTS:
        base = env.get("GITHUB_BASE_REF", "")
        return CiPullRequest(
            event_file=Path(path) if path else None,
            trigger=PULL_REQUEST,
            base_candidates=_branch_refs(base),
        )
    ref_type = env.get("GITHUB_REF_TYPE", "")
    branch = env.get("GITHUB_REF_NAME", "") if ref_type == "branch" else ""
    trigger = SCHEDULE if name == "schedule" else TAG if ref_type == "tag" else PUSH
    found = CiPullRequest(trigger=trigger, branch=branch)
    if name == "push" and path:
        return _github_push(read_event(Path(path)), found)
    return found


def _github_push(data: dict[str, object], found: CiPullRequest) -> CiPullRequest:
    """The push fields of a GitHub push payload: ref, before, after, default branch."""
    ref = data.get("ref")
    before = data.get("before")
    after = data.get("after")
    repository = data.get("repository")
    default = repository.get("default_branch") if isinstance(repository, dict) else None
    branch = found.branch
    trigger = found.trigger
    if isinstance(ref, str) and ref.startswith("refs/heads/"):
        branch, trigger = ref.removeprefix("refs/heads/"), trigger or PUSH
    elif isinstance(ref, str) and ref.startswith("refs/tags/"):
        trigger = TAG
    return CiPullRequest(
        trigger=trigger,
        branch=branch,
        default_branch=default if isinstance(default, str) else "",
        before=_real_sha(before if isinstance(before, str) else ""),
        after=_real_sha(after if isinstance(after, str) else ""),
    )


def _gitlab(env: Mapping[str, str]) -> CiPullRequest:
    """GitLab CI: merge-request variables, or the branch, tag and commit a push names."""
    default = env.get("CI_DEFAULT_BRANCH", "")
    if env.get("CI_MERGE_REQUEST_IID"):
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
        sha = env.get("CI_MERGE_REQUEST_DIFF_BASE_SHA", "")
        candidates = ((sha,) if sha else ()) + _branch_refs(
            env.get("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "")
        )
        return CiPullRequest(
            pr=pr, trigger=PULL_REQUEST, base_candidates=candidates, default_branch=default
        )
    source = env.get("CI_PIPELINE_SOURCE", "")
    trigger = SCHEDULE if source == "schedule" else TAG if env.get("CI_COMMIT_TAG") else PUSH
    return CiPullRequest(
        trigger=trigger,
        branch=env.get("CI_COMMIT_BRANCH", ""),
        default_branch=default,
        before=_real_sha(env.get("CI_COMMIT_BEFORE_SHA", "")),
        after=env.get("CI_COMMIT_SHA", ""),
    )


def _buildkite(env: Mapping[str, str]) -> CiPullRequest:
    """Buildkite: a PR build names its base branch; other builds name their branch or tag."""
    default = env.get("BUILDKITE_PIPELINE_DEFAULT_BRANCH", "")
    number = env.get("BUILDKITE_PULL_REQUEST", "false")
    if number not in ("", "false"):
        pr = PullRequest(number=int(number) if number.isdigit() else None, source="buildkite-env")
        return CiPullRequest(
            pr=pr,
            trigger=PULL_REQUEST,
            base_candidates=_branch_refs(env.get("BUILDKITE_PULL_REQUEST_BASE_BRANCH", "")),
            default_branch=default,
        )
    source = env.get("BUILDKITE_SOURCE", "")
    trigger = SCHEDULE if source == "schedule" else TAG if env.get("BUILDKITE_TAG") else PUSH
    return CiPullRequest(
        trigger=trigger, branch=env.get("BUILDKITE_BRANCH", ""), default_branch=default
    )


def _branch_refs(name: str) -> tuple[str, ...]:
    """A branch name as refs to try: the remote-tracking one first (what CI fetched)."""
    return (f"origin/{name}", name) if name else ()


def _real_sha(sha: str) -> str:
    """A commit id, or '' for the all-zero id git hosts send for a new branch."""
    sha = sha.strip()
    return "" if not sha or set(sha) == {"0"} else sha
