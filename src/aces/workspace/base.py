"""Choosing the base of the Change: the rule table of ``docs/change.md``.

The first rule that applies wins: ``--base``; the base a PR event names; the base a
CI merge-request or PR pipeline names; a tag or a scheduled pipeline (whole tree);
the default branch (whole tree when HEAD is on it or contained in it, whatever the
checkout: branch, detached, shallow); the commit a push replaced; else the whole
tree. A base that a user or a PR names and the clone lacks is an error; a base ACES
infers and cannot use gives way to the next rule, ending at the whole tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aces.errors import GitError
from aces.policy.schema import Policy
from aces.workspace import git
from aces.workspace.cienv import SCHEDULE, TAG, CiPullRequest
from aces.workspace.types import PullRequest

# Rules that choose a commit to compare the working tree with.
FLAG = "flag"
PR_EVENT = "pr-event"
CI_PULL_REQUEST = "ci-pull-request"
DEFAULT_BRANCH = "default-branch"
PUSH_BEFORE = "push-before"
# Rules that verify the whole tree.
TAG_BUILD = "tag"
SCHEDULED = "schedule"
DEFAULT_BRANCH_TIP = "default-branch-tip"
EMPTY_CHANGE = "empty-change"
NO_BASE = "no-base"


@dataclass(frozen=True)
class BaseChoice:
    """The rule that decided, how the base was named, and the commit compared with.

    ``commit`` is already the merge-base with HEAD; None means the whole tree.
    """

    rule: str
    label: str = ""
    commit: str | None = None


def choose_base(
    root: Path,
    policy: Policy,
    *,
    is_git: bool,
    base: str | None,
    pr: PullRequest,
    head: str | None,
    ci: CiPullRequest,
) -> BaseChoice:
    """The base of the Change by the first rule that applies."""
    if base is not None:
        if not is_git:
            raise GitError(
                "--base needs a git repository",
                path=str(root),
                hint="drop --base to check the whole tree",
            )
        return _named(root, FLAG, base, git.rev_parse(root, base), head)
    if not is_git or head is None:
        return BaseChoice(NO_BASE)
    if not ci.describes(head):
        ci = CiPullRequest()  # the pipeline's variables are about another checkout
    if pr.base_ref or pr.base_sha:
        candidates = ((pr.base_sha,) if pr.base_sha else ()) + _branch_refs(pr.base_ref)
        label, commit = _first_commit(root, candidates, pr.base_ref or pr.base_sha)
        return _named(root, PR_EVENT, pr.base_ref or label, commit, head)
    if ci.base_candidates:
        label, commit = _first_commit(root, ci.base_candidates, ci.base_candidates[-1])
        return _named(root, CI_PULL_REQUEST, label, commit, head)
    if ci.trigger == TAG:
        return BaseChoice(TAG_BUILD)
    if ci.trigger == SCHEDULE:
        return BaseChoice(SCHEDULED)
    return _inferred(root, policy, ci, head)


def _named(root: Path, rule: str, label: str, commit: str, head: str | None) -> BaseChoice:
    """A base someone named: reduced to its merge-base with HEAD, an error when none."""
    if head is not None:
        commit = git.merge_base(root, commit, head, names=(label, "HEAD"))
    return BaseChoice(rule, label, commit)


def _first_commit(root: Path, candidates: tuple[str, ...], shown: str) -> tuple[str, str]:
    """The first candidate ref the clone holds and its commit; the "fetch it" error if none."""
    for candidate in candidates:
        commit = git.resolve_commit(root, candidate)
        if commit is not None:
            return candidate, commit
    raise git.missing_ref_error(shown)


def _branch_refs(name: str) -> tuple[str, ...]:
    """A branch name as refs to try, the remote-tracking one first."""
    return (f"origin/{name}", name) if name else ()


def _inferred(root: Path, policy: Policy, ci: CiPullRequest, head: str) -> BaseChoice:
    """No one named a base: the default branch, else the commit a push replaced, else none."""
    name, ref = _default_branch(root, policy, ci)
    branch = ci.branch or git.current_branch(root)
    if name and branch == name:
        return BaseChoice(DEFAULT_BRANCH_TIP, ref or name)
    if ref is not None:
        common = git.common_ancestor(root, git.rev_parse(root, ref), head)
        if common == head and branch is None:
            # A detached HEAD at the default branch's tip or at one of its commits (the
            # checkout of a push, a deploy job): nothing is proposed, everything is verified.
            return BaseChoice(DEFAULT_BRANCH_TIP, ref)
        if common is not None:
            return BaseChoice(DEFAULT_BRANCH, ref, common)
    before = _push_before(root, ci, head)
    return before if before is not None else BaseChoice(NO_BASE, ref or "")


def _default_branch(root: Path, policy: Policy, ci: CiPullRequest) -> tuple[str, str | None]:
    """The default branch's name and the ref the clone holds for it (None: not fetched).

    The policy's name must exist; the CI's name may be missing from a clone that fetched
    only the pipeline's branch; otherwise origin/HEAD, main, master.
    """
    if policy.default_branch:
        ref = git.default_branch(root, policy.default_branch)
    elif ci.default_branch:
        found = [c for c in _branch_refs(ci.default_branch) if git.ref_exists(root, c)]
        return ci.default_branch, found[0] if found else None
    else:
        ref = git.default_branch(root)
    if ref is None:
        return "", None
    return ref.removeprefix("origin/"), ref


def _push_before(root: Path, ci: CiPullRequest, head: str) -> BaseChoice | None:
    """The commit this push replaced, when it is the push being verified and in the clone."""
    if not ci.before or (ci.after and ci.after != head):
        return None
    commit = git.resolve_commit(root, ci.before)
    if commit is None:
        return None
    common = git.common_ancestor(root, commit, head)
    if common is None or common == head:
        return None
    return BaseChoice(PUSH_BEFORE, ci.before, common)
