"""The Change: what this PR is (base, head, changed files and hunks, PR metadata).

The base is, in order: ``--base``; the branch the PR event targets; the policy's
``default_branch``; ``origin/HEAD``; ``main``; ``master``. When the base is found
on its own and the default branch itself is checked out (a push, or a local run
on main), there is no PR to diff and the whole tree is the Change. The Change compares the
merge-base of that base and HEAD with the working tree, so uncommitted edits and
untracked files count. With no base at all (not a git repository, no commits, no
default branch) the whole tree is the Change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aces.errors import GitError, InputError
from aces.policy.schema import Policy
from aces.workspace import git
from aces.workspace.globs import GlobMatcher
from aces.workspace.index import Workspace
from aces.workspace.prmeta import load_pr_metadata
from aces.workspace.types import Change, ChangedFile, Hunk, PullRequest
from aces.workspace.walk import is_excluded

__all__ = ["choose_base", "classify", "compute_change", "load_pr_metadata"]


@dataclass(frozen=True)
class BaseChoice:
    """The base a Change is computed against: how it was named and the commit compared to."""

    label: str
    commit: str


def compute_change(ws: Workspace, policy: Policy, *, base: str | None, pr: PullRequest) -> Change:
    """The Change of ``ws``: against the chosen base, or the whole tree when there is none."""
    head = git.head_commit(ws.root) if ws.is_git else None
    choice = choose_base(ws, policy, base=base, pr=pr, head=head)
    if choice is None:
        files = tuple(ChangedFile(path, "A") for path in ws.files)
        return Change(None, head, True, files, pr, classify(files, policy))
    files = changed_files(ws, choice.commit)
    return Change(
        choice.commit, head, False, files, pr, classify(files, policy), base_ref=choice.label
    )


def choose_base(
    ws: Workspace, policy: Policy, *, base: str | None, pr: PullRequest, head: str | None
) -> BaseChoice | None:
    """The base to compare with, already reduced to its merge-base with HEAD; None: none."""
    if base is not None:
        if not ws.is_git:
            raise GitError(
                "--base needs a git repository",
                path=str(ws.root),
                hint="drop --base to check the whole tree",
            )
        label, commit = base, git.rev_parse(ws.root, base)
    elif not ws.is_git or head is None:
        return None
    elif pr.base_ref or pr.base_sha:
        label, commit = _event_base(ws.root, pr)
    else:
        branch = git.default_branch(ws.root, policy.default_branch)
        if branch is None:
            return None
        if git.current_branch(ws.root) == branch.removeprefix("origin/"):
            # On the default branch itself (a push, or a local run on main) there is no
            # PR to diff against: the whole tree is verified.
            return None
        label, commit = branch, git.rev_parse(ws.root, branch)
    if head is not None:
        commit = git.merge_base(ws.root, commit, head, names=(label, "HEAD"))
    return BaseChoice(label, commit)


def _event_base(root: Path, pr: PullRequest) -> tuple[str, str]:
    """The PR event's base: its commit if the clone has it, else its branch (remote first)."""
    candidates = [pr.base_sha] if pr.base_sha else []
    if pr.base_ref:
        candidates += [f"origin/{pr.base_ref}", pr.base_ref]
    for candidate in candidates:
        commit = git.resolve_commit(root, candidate)
        if commit is not None:
            return pr.base_ref or candidate, commit
    raise git.missing_ref_error(pr.base_ref or pr.base_sha)


def changed_files(ws: Workspace, base_commit: str) -> tuple[ChangedFile, ...]:
    """Files that differ between ``base_commit`` and the working tree, untracked ones added."""
    hunks = git.diff_hunks(ws.root, base_commit)
    found: dict[str, ChangedFile] = {}
    for entry in git.diff_name_status(ws.root, base_commit):
        if not is_excluded(entry.path):
            hunk = hunks.get(entry.path, ())
            found[entry.path] = ChangedFile(entry.path, entry.status, entry.old_path, hunk)
    for path in git.untracked_files(ws.root):
        if path not in found and not is_excluded(path):
            found[path] = ChangedFile(path, "A", None, whole_file_hunks(ws, path))
    return tuple(found[path] for path in sorted(found))


def whole_file_hunks(ws: Workspace, rel: str) -> tuple[Hunk, ...]:
    """One hunk covering every line of a new text file; none for binary or unreadable ones."""
    try:
        data = ws.read_bytes(rel)
    except InputError:
        return ()
    if not data or b"\0" in data[:8000]:
        return ()
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return (Hunk(1, lines),)


def classify(files: tuple[ChangedFile, ...], policy: Policy) -> dict[str, tuple[str, ...]]:
    """Change class -> sorted changed paths its globs match (a rename counts on both sides)."""
    candidates = {f.path for f in files} | {f.old_path for f in files if f.old_path}
    classes: dict[str, tuple[str, ...]] = {}
    for name, globs in policy.change_classes.as_dict().items():
        if not globs:
            classes[name] = ()
            continue
        classes[name] = tuple(sorted(GlobMatcher(globs).filter(candidates)))
    return classes
