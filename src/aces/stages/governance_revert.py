"""Stage 1 ``gov.reversible``: a policy change is recorded and a revert restores the base's.

The check proves the revert rather than trusting it: it checks the head's policy
file out into a temporary git worktree outside the repository, applies the reverse of
the policy file's diff (base -> HEAD) there, loads the policy again and holds
it against the base's. The worktree is removed whatever happens; a git command
that fails is an ERROR naming it.
"""

from __future__ import annotations

import posixpath
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from aces.errors import AcesError, GitError
from aces.model import Finding, Location
from aces.pipeline.check import NotApplicable
from aces.pipeline.context import RunContext
from aces.policy.effective import PolicySelection, blob_at, snapshot_file
from aces.policy.loader import MAX_POLICY_BYTES, POLICY_FILE
from aces.policy.policy_diff import differences
from aces.stages.governance import GovernanceCheck, changed_policy, policy_path
from aces.workspace import git


class PolicyReversible(GovernanceCheck):
    """A policy change is committed, and reverting it restores the base's policy.

    ACES VII: all changes must be reversible. A policy change must be recorded
    (committed: an edit only in the working tree is ``gov.reversible.uncommitted``)
    and self-contained: applying the reverse of the policy file's diff to the
    head, in a temporary worktree, must give back a policy that loads and equals
    the base's (``gov.reversible``), key for key. Otherwise a rollback of the PR would not
    bring the old rules back.
    """

    id = "gov.reversible"
    clauses = ("gov.reversible",)
    title = "A policy change is committed and a revert restores the base's policy"
    remedy = (
        "Commit the policy change on its own (git add aces.toml && git commit), so that "
        "`git revert` of the range restores the base's policy."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the policy file did not change (or there is no base)."""
        return changed_policy(ctx)[1]

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """A finding when the change is uncommitted or its revert does not restore the base."""
        selection, _ = changed_policy(ctx)
        where = Location(policy_path(selection.head), 1)
        root = ctx.workspace.root
        assert selection.base_commit is not None
        if not is_committed(root, policy_files(root, selection.base_commit)):
            yield self.finding(
                f"the change of {POLICY_FILE} is not committed: an edit only in the working "
                "tree is not recorded and cannot be reverted",
                where,
                rule_id="gov.reversible.uncommitted",
                key="uncommitted",
            )
            return
        problem = revert_problem(root, ctx.workspace.git_prefix, selection)
        if problem is not None:
            yield self.finding(problem, where, key=problem)


def policy_files(root: Path, base_commit: str) -> tuple[str, ...]:
    """The policy file and, when it is a link (at the base or now), the file it points to."""
    targets = [POLICY_FILE]
    link = root / POLICY_FILE
    if link.is_symlink():
        targets.append(link.readlink().as_posix())
    at_base = blob_at(root, base_commit, POLICY_FILE, limit=MAX_POLICY_BYTES)
    if at_base is not None and at_base[0] == "120000":
        targets.append(at_base[1].decode("utf-8", "replace"))
    inside = (posixpath.normpath(t) for t in targets)
    return tuple(dict.fromkeys(t for t in inside if not t.startswith(("/", "..")) and t != "."))


def is_committed(root: Path, files: tuple[str, ...]) -> bool:
    """Whether the working tree's policy files are the ones HEAD records (git's filters applied)."""
    for path in files:
        in_head = blob_at(root, "HEAD", path, limit=MAX_POLICY_BYTES) is not None
        if in_head != ((root / path).is_symlink() or (root / path).exists()):
            return False
    # `git diff` compares through the repository's attributes (eol, filters) like a checkout
    result = git.run_git(root, "diff", "--quiet", "HEAD", "--", *files, check=False)
    if result.returncode not in (0, 1):
        raise GitError(f"`git diff --quiet HEAD` of the policy failed: {result.stderr.strip()}")
    return result.returncode == 0


def revert_problem(root: Path, prefix: str, selection: PolicySelection) -> str | None:
    """Why reverting the policy diff in a temporary worktree does not restore the base."""
    assert selection.base is not None and selection.base_commit is not None
    files = policy_files(root, selection.base_commit)
    patch = git.run_git(
        root, "diff", "--binary", "--no-color", "--no-ext-diff", "--no-textconv",
        selection.base_commit, "HEAD", "--", *files,
    ).stdout  # fmt: skip
    scratch = Path(tempfile.mkdtemp(prefix="aces-revert-"))
    tree = scratch / "tree"
    try:
        # only the policy's files are checked out: the proof needs nothing else
        git.run_git(
            root, "worktree", "add", "--detach", "--no-checkout", "--quiet", str(tree), "HEAD"
        )
        present = [
            f"{prefix}{f}" for f in files if blob_at(root, "HEAD", f, limit=MAX_POLICY_BYTES)
        ]
        if present:
            git.run_git(tree, "checkout", "HEAD", "--", *present)
        (scratch / "policy.patch").write_bytes(patch)
        applied = git.run_git(
            tree, "apply", "-R", "--binary", str(scratch / "policy.patch"), check=False
        )
        if patch.strip() and applied.returncode != 0:
            return f"the reverse of the policy diff does not apply: {applied.stderr.strip()}"
        return _restored_problem(tree / prefix, selection)
    finally:
        _remove_worktree(root, tree)
        shutil.rmtree(scratch, ignore_errors=True)


def _restored_problem(top: Path, selection: PolicySelection) -> str | None:
    """Why the policy of the reverted tree is not the base's."""
    assert selection.base is not None
    try:
        restored = snapshot_file(top)
    except AcesError as exc:
        return f"after a revert the policy does not load: {exc.message}"
    if restored.loaded.policy == selection.base.loaded.policy:
        return None
    left = differences(selection.base.loaded.policy, restored.loaded.policy)
    what = ", ".join(sorted({d.key for d in left})) or "its bytes"
    return f"a revert of the policy diff does not restore the base's policy (differs in {what})"


def _remove_worktree(root: Path, tree: Path) -> None:
    """Drop the temporary worktree and its record in the repository (errors surface)."""
    if tree.exists():
        git.run_git(root, "worktree", "remove", "--force", str(tree))
    git.run_git(root, "worktree", "prune")
