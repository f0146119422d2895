"""The Change of every CI shape, on real clones: each row of the table in docs/change.md.

An upstream repository has a default branch ``main`` (two commits) and a branch
``feature`` (one more commit). Each test clones it through a ``file://`` URL the way a
CI system checks out (full, detached, shallow, single-branch) and sets the CI's
variables; the Change must name the rule that chose its base, and never be empty.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.e2e.helpers import run_aces

from aces.doctrine.catalog import load_doctrine
from aces.engines.secrets.samples import expand
from aces.errors import GitError
from aces.model import Finding
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.policy.schema import Policy
from aces.stages.security_secrets import SecretScan
from aces.workspace.change import compute_change
from aces.workspace.cienv import from_environment
from aces.workspace.index import Workspace
from aces.workspace.prmeta import load_pr_metadata
from aces.workspace.types import Change, PullRequest

AWS_KEY = expand("AKIA@@b32:16@@", "ci-shapes-aws")
ZERO = "0" * 40


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main: 'first' then 'second' (a committed AWS key); feature: one more commit."""
    root = tmp_path_factory.mktemp("upstream")
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text("VALUE = 1\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    (root / "deploy.env").write_text(f"AWS_ACCESS_KEY_ID={AWS_KEY}\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "second")
    git(root, "checkout", "-q", "-b", "feature")
    (root / "feature.py").write_text("FEATURE = True\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "feature")
    git(root, "checkout", "-q", "main")
    return root


def clone(upstream: Path, dest: Path, *options: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", *options, upstream.as_uri(), str(dest)],
        check=True,
        capture_output=True,
    )
    return dest


def sha(upstream: Path, ref: str) -> str:
    return git(upstream, "rev-parse", ref)


def change_of(root: Path, env: dict[str, str] | None = None, **kwargs: object) -> Change:
    ci = from_environment(env or {})
    pr = ci.pr or PullRequest()
    base = kwargs.get("base")
    assert base is None or isinstance(base, str)
    return compute_change(Workspace.open(root), Policy(), base=base, pr=pr, ci=ci)


def shape(change: Change) -> tuple[str, bool, tuple[str, ...]]:
    return change.base_rule, change.whole_tree, change.paths


WHOLE = ("app.py", "deploy.env")
WHOLE_FEATURE = ("app.py", "deploy.env", "feature.py")


def test_branch_checkout_of_the_default_branch_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c")
    assert shape(change_of(root)) == ("default-branch-tip", True, WHOLE)


def test_detached_checkout_of_the_default_branch_tip_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c")
    git(root, "checkout", "-q", sha(upstream, "main"))
    assert shape(change_of(root)) == ("default-branch-tip", True, WHOLE)


def test_planted_key_is_reported_on_a_detached_checkout_of_the_default_branch(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c")
    git(root, "checkout", "-q", sha(upstream, "main"))
    loaded = load_policy(root)
    change = compute_change(Workspace.open(root), loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(Workspace.open(root), change, loaded, load_doctrine())
    check = SecretScan()
    assert check.applies(ctx) is None
    found = sorted(check.run(ctx), key=Finding.sort_key)
    assert [(f.rule_id, f.location.path if f.location else "") for f in found] == [
        ("sec.secrets.aws-access-key-id", "deploy.env")
    ]


def test_detached_checkout_of_an_older_default_branch_commit_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c")
    git(root, "checkout", "-q", sha(upstream, "main~1"))
    assert shape(change_of(root)) == ("default-branch-tip", True, ("app.py",))


def test_shallow_clone_of_the_default_branch_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c", "--depth", "1")
    git(root, "checkout", "-q", "--detach")
    assert shape(change_of(root)) == ("default-branch-tip", True, WHOLE)


def test_feature_branch_is_compared_with_the_default_branch(upstream: Path, tmp_path: Path) -> None:
    root = clone(upstream, tmp_path / "c", "--branch", "feature")
    change = change_of(root)
    assert shape(change) == ("default-branch", False, ("feature.py",))
    assert (change.base_ref, change.base) == ("origin/main", sha(upstream, "main"))


def test_shallow_feature_clone_without_shared_history_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c", "--depth", "1", "--no-single-branch", "-b", "feature")
    assert shape(change_of(root)) == ("no-base", True, WHOLE_FEATURE)


def test_github_push_to_the_default_branch_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c")
    event = tmp_path / "push.json"
    payload = {
        "ref": "refs/heads/main",
        "before": sha(upstream, "main~1"),
        "after": sha(upstream, "main"),
        "repository": {"default_branch": "main"},
    }
    event.write_text(json.dumps(payload), encoding="utf-8")
    git(root, "checkout", "-q", sha(upstream, "main"))
    env = _github("push", event, GITHUB_REF_TYPE="branch", GITHUB_REF_NAME="main")
    assert shape(change_of(root, env)) == ("default-branch-tip", True, WHOLE)


def test_github_push_to_a_branch_without_the_default_branch_uses_before(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c", "--single-branch", "-b", "feature")
    git(root, "checkout", "-q", "--detach")
    event = tmp_path / "push.json"
    payload = {
        "ref": "refs/heads/feature",
        "before": sha(upstream, "main"),
        "after": sha(upstream, "feature"),
        "repository": {"default_branch": "trunk"},
    }
    event.write_text(json.dumps(payload), encoding="utf-8")
    env = _github("push", event, GITHUB_REF_TYPE="branch", GITHUB_REF_NAME="feature")
    change = change_of(root, env)
    assert shape(change) == ("push-before", False, ("feature.py",))
    assert change.base == sha(upstream, "main")


def test_gitlab_push_of_a_new_branch_is_the_whole_tree(upstream: Path, tmp_path: Path) -> None:
    root = clone(upstream, tmp_path / "c", "--single-branch", "-b", "feature")
    git(root, "checkout", "-q", "--detach")
    env = _gitlab(CI_COMMIT_BRANCH="feature", CI_DEFAULT_BRANCH="trunk", CI_COMMIT_BEFORE_SHA=ZERO)
    assert shape(change_of(root, env)) == ("no-base", True, WHOLE_FEATURE)


def test_gitlab_push_with_a_before_commit_compares_with_it(upstream: Path, tmp_path: Path) -> None:
    root = clone(upstream, tmp_path / "c", "--single-branch", "-b", "feature")
    git(root, "checkout", "-q", "--detach")
    env = _gitlab(
        CI_COMMIT_BRANCH="feature",
        CI_DEFAULT_BRANCH="trunk",
        CI_COMMIT_BEFORE_SHA=sha(upstream, "main"),
        CI_COMMIT_SHA=sha(upstream, "feature"),
    )
    assert shape(change_of(root, env)) == ("push-before", False, ("feature.py",))


def test_gitlab_push_to_the_default_branch_detached_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c", "--depth", "2")
    git(root, "checkout", "-q", "--detach")
    env = _gitlab(
        CI_COMMIT_BRANCH="main",
        CI_DEFAULT_BRANCH="main",
        CI_COMMIT_BEFORE_SHA=sha(upstream, "main~1"),
    )
    assert shape(change_of(root, env)) == ("default-branch-tip", True, WHOLE)


@pytest.mark.parametrize(
    "variables",
    [
        {"CI_MERGE_REQUEST_DIFF_BASE_SHA": "main"},
        {"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main"},
    ],
)
def test_gitlab_merge_request_pipeline_compares_with_its_target(
    upstream: Path, tmp_path: Path, variables: dict[str, str]
) -> None:
    root = clone(upstream, tmp_path / "c", "--branch", "feature")
    git(root, "checkout", "-q", "--detach")
    resolved = {k: sha(upstream, v) if k.endswith("SHA") else v for k, v in variables.items()}
    env = _gitlab(CI_MERGE_REQUEST_IID="5", CI_PIPELINE_SOURCE="merge_request_event", **resolved)
    assert shape(change_of(root, env)) == ("ci-pull-request", False, ("feature.py",))


def test_merge_request_target_the_clone_lacks_is_an_error(upstream: Path, tmp_path: Path) -> None:
    root = clone(upstream, tmp_path / "c", "--single-branch", "-b", "feature")
    env = _gitlab(CI_MERGE_REQUEST_IID="5", CI_MERGE_REQUEST_TARGET_BRANCH_NAME="release")
    with pytest.raises(GitError, match="base ref 'release' does not exist; fetch it"):
        change_of(root, env)


def test_buildkite_pull_request_compares_with_its_base_branch(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c", "--branch", "feature")
    git(root, "checkout", "-q", "--detach")
    env = _buildkite(
        BUILDKITE_BRANCH="feature",
        BUILDKITE_PULL_REQUEST="7",
        BUILDKITE_PULL_REQUEST_BASE_BRANCH="main",
    )
    assert shape(change_of(root, env)) == ("ci-pull-request", False, ("feature.py",))


def test_buildkite_build_of_the_default_branch_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c", "--single-branch", "-b", "main")
    git(root, "checkout", "-q", "--detach")
    env = _buildkite(BUILDKITE_BRANCH="main", BUILDKITE_PULL_REQUEST="false")
    assert shape(change_of(root, env)) == ("default-branch-tip", True, WHOLE)


def test_github_pull_request_event_compares_with_its_base(upstream: Path, tmp_path: Path) -> None:
    root = clone(upstream, tmp_path / "c", "--branch", "feature")
    event = tmp_path / "pr.json"
    payload = {
        "pull_request": {"title": "t", "base": {"ref": "main", "sha": sha(upstream, "main")}}
    }
    event.write_text(json.dumps(payload), encoding="utf-8")
    pr = load_pr_metadata(event_file=event, title=None, body_file=None, labels=())
    ci = from_environment(_github("pull_request", event, GITHUB_BASE_REF="main"))
    change = compute_change(Workspace.open(root), Policy(), base=None, pr=pr, ci=ci)
    assert shape(change) == ("pr-event", False, ("feature.py",))


@pytest.mark.parametrize(
    ("env", "rule"),
    [
        ({"GITLAB_CI": "true", "CI_COMMIT_TAG": "v1.0.0"}, "tag"),
        ({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_REF_TYPE": "tag"}, "tag"),
        ({"BUILDKITE": "true", "BUILDKITE_TAG": "v1.0.0", "BUILDKITE_BRANCH": "v1.0.0"}, "tag"),
        ({"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "schedule"}, "schedule"),
        ({"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "schedule"}, "schedule"),
        ({"BUILDKITE": "true", "BUILDKITE_SOURCE": "schedule"}, "schedule"),
    ],
)
def test_tags_and_schedules_verify_the_whole_tree(
    upstream: Path, tmp_path: Path, env: dict[str, str], rule: str
) -> None:
    root = clone(upstream, tmp_path / "c", "--branch", "feature")
    git(root, "checkout", "-q", "--detach")
    assert shape(change_of(root, env)) == (rule, True, WHOLE_FEATURE)


def test_explicit_base_equal_to_head_with_a_clean_tree_is_the_whole_tree(
    upstream: Path, tmp_path: Path
) -> None:
    root = clone(upstream, tmp_path / "c", "--branch", "feature")
    assert shape(change_of(root, base="HEAD")) == ("empty-change", True, WHOLE_FEATURE)
    (root / "feature.py").write_text("FEATURE = False\n", encoding="utf-8")
    assert shape(change_of(root, base="HEAD")) == ("flag", False, ("feature.py",))


def test_ci_variables_about_another_commit_are_ignored(upstream: Path, tmp_path: Path) -> None:
    root = clone(upstream, tmp_path / "c", "--branch", "feature")
    env = _gitlab(CI_COMMIT_TAG="v1", CI_COMMIT_SHA=sha(upstream, "main~1"))
    assert shape(change_of(root, env)) == ("default-branch", False, ("feature.py",))
    env["CI_COMMIT_SHA"] = sha(upstream, "feature")
    assert shape(change_of(root, env)) == ("tag", True, WHOLE_FEATURE)


def test_report_names_the_rule_that_chose_the_base(upstream: Path, tmp_path: Path) -> None:
    root = clone(upstream, tmp_path / "c")
    git(root, "checkout", "-q", sha(upstream, "main"))
    out = tmp_path / "out"
    env = {"GITLAB_CI": "true", "CI_COMMIT_BRANCH": "main", "CI_DEFAULT_BRANCH": "main"}
    run_aces("run", str(root), "--stage", "1", "--out", str(out), "--quiet", env=env)
    change = json.loads((out / "report.json").read_text(encoding="utf-8"))["change"]
    assert (root / ".aces" / "cache").is_dir()  # where the CI's cache step saves it
    local = clone(upstream, tmp_path / "local")
    run_aces("run", str(local), "--stage", "1", "--out", str(tmp_path / "out2"), "--quiet")
    assert not (local / ".aces").exists()  # on a developer's tree: under .git/aces
    assert (local / ".git" / "aces" / "cache").is_dir()
    assert (change["base_rule"], change["whole_tree"], change["base"]) == (
        "default-branch-tip",
        True,
        None,
    )


def _github(name: str, event: Path, **more: str) -> dict[str, str]:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": name, "GITHUB_EVENT_PATH": str(event)}
    return env | more


def _gitlab(**more: str) -> dict[str, str]:
    return {"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push"} | more


def _buildkite(**more: str) -> dict[str, str]:
    return {"BUILDKITE": "true", "BUILDKITE_PIPELINE_DEFAULT_BRANCH": "main"} | more
