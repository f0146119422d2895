"""gov.unanimous-major, gov.reversible and gov.pipeline-authority on git copies of the example.

Each case commits the untouched example on ``main``, changes it on a branch and runs
the check with the policy ``aces run`` would choose. Failing cases name the rule id,
clause, file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.example_repo import git
from tests.integration.stage1.governance_repo import (
    POLICY,
    Outcome,
    change_repo,
    commit,
    edit,
    governed,
    line_of,
    outcome,
    stricter,
    version,
)

from aces.errors import AcesError
from aces.model import Status
from aces.pipeline.registry import find_check
from aces.stages import STAGES


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return change_repo(tmp_path)


# -- gov.unanimous-major --------------------------------------------------------------------


def maintainers_at_base(root: Path, text: str) -> None:
    git(root, "checkout", "-q", "main")
    (root / "MAINTAINERS").write_text(text, encoding="utf-8")
    commit(root, "maintainers")
    git(root, "checkout", "-q", "change")
    git(root, "merge", "-q", "--ff-only", "main")


def looser_major(root: Path) -> None:
    edit(root, POLICY, 'core_libraries = ["src/arqonbus_mini/*.py"]\n', "")
    version(root, "2.0.0")
    commit(root)


def test_major_change_without_every_approval_fails_naming_who_is_missing(repo: Path) -> None:
    maintainers_at_base(repo, "# who approves policy changes\n@alice\n@bob  # ops\ncarol\n")
    looser_major(repo)
    ctx = governed(repo, approvals=("alice",), author="dave")
    check = find_check(STAGES, "gov.unanimous-major")
    assert check is not None
    findings = list(check.run(ctx))
    assert [
        (f.rule_id, f.location.path if f.location else "", f.location.line if f.location else None)
        for f in findings
    ] == [("gov.unanimous-major", POLICY, line_of(repo, POLICY, "policy_version"))]
    assert "lacks the approval of bob, carol (1 of 3 maintainers approved)" in findings[0].message


def test_major_change_with_every_approval_passes(repo: Path) -> None:
    maintainers_at_base(repo, "@alice\n@bob\n")
    looser_major(repo)
    ctx = governed(repo, approvals=("alice",), author="bob")
    assert outcome(ctx, "gov.unanimous-major").status is Status.PASS


def test_major_change_with_no_maintainers_listed_fails(repo: Path) -> None:
    looser_major(repo)
    result = outcome(governed(repo, approvals=("alice",)), "gov.unanimous-major")
    assert [rule for rule, *_ in result.findings] == ["gov.unanimous-major"]


def test_a_patch_change_needs_no_unanimity(repo: Path) -> None:
    stricter(repo, "1.0.1")
    commit(repo)
    result = outcome(governed(repo), "gov.unanimous-major")
    assert result == Outcome(Status.NOT_APPLICABLE, "the policy change is not a MAJOR one", ())


# -- gov.reversible -------------------------------------------------------------------------


def worktrees(root: Path) -> list[str]:
    import subprocess

    out = subprocess.run(
        ["git", "worktree", "list", "--porcelain"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line.startswith("worktree ")]


def test_committed_policy_change_reverts_to_the_base(repo: Path) -> None:
    stricter(repo, "1.0.1")
    commit(repo)
    assert outcome(governed(repo), "gov.reversible").status is Status.PASS
    assert len(worktrees(repo)) == 1  # the temporary worktree is gone


def test_a_revert_that_does_not_give_back_the_base_policy_is_named_by_key(repo: Path) -> None:
    from dataclasses import replace

    from aces.stages.governance import selection_of
    from aces.stages.governance_revert import revert_problem

    stricter(repo, "1.0.1")
    commit(repo)
    selection = selection_of(governed(repo))
    assert selection.base is not None
    # held against another base than the one the diff starts from, the revert cannot match
    other = replace(selection.base.loaded.policy, default_branch="trunk")
    moved = replace(selection.base, loaded=replace(selection.base.loaded, policy=other))
    problem = revert_problem(repo, "", replace(selection, base=moved))
    assert problem == (
        "a revert of the policy diff does not restore the base's policy (differs in default_branch)"
    )
    assert len(worktrees(repo)) == 1


def test_uncommitted_policy_change_is_not_recorded(repo: Path) -> None:
    stricter(repo, "1.0.1")
    assert outcome(governed(repo), "gov.reversible").findings == (
        ("gov.reversible.uncommitted", ("gov.reversible",), POLICY, 1),
    )


def test_a_failing_git_is_an_error(repo: Path) -> None:
    stricter(repo, "1.0.1")
    commit(repo)
    (repo / ".git" / "worktrees").write_text("not a directory", encoding="utf-8")
    ctx = governed(repo)
    check = find_check(STAGES, "gov.reversible")
    assert check is not None and check.applies(ctx) is None
    with pytest.raises(AcesError, match="git worktree add"):
        list(check.run(ctx))


# -- gov.pipeline-authority -----------------------------------------------------------------

WORKFLOW = ".github/workflows/aces.yml"


def committed_workflow(root: Path) -> None:
    """The generated GitHub workflow, committed on main (the change branch follows it)."""
    from aces.generate.ci import render_ci
    from aces.generate.ci_common import CiOptions

    git(root, "checkout", "-q", "main")
    path = root / WORKFLOW
    path.parent.mkdir(parents=True)
    path.write_text(render_ci("github", STAGES, CiOptions()), encoding="utf-8")
    commit(root, "ci")
    git(root, "checkout", "-q", "change")
    git(root, "merge", "-q", "--ff-only", "main")


def test_example_without_a_committed_pipeline_is_not_applicable(repo: Path) -> None:
    result = outcome(governed(repo), "gov.pipeline-authority")
    assert result.status is Status.NOT_APPLICABLE
    assert "no committed CI pipeline runs aces" in result.reason


def test_the_generated_workflow_passes(repo: Path) -> None:
    committed_workflow(repo)
    assert outcome(governed(repo), "gov.pipeline-authority").status is Status.PASS
    assert outcome(governed(repo, base=None), "gov.pipeline-authority").status is Status.PASS


def test_continue_on_error_on_a_stage_fails_at_its_line(repo: Path) -> None:
    committed_workflow(repo)
    edit(
        repo,
        WORKFLOW,
        "    name: 5. Unit Test Verification\n",
        "    name: 5. Unit Test Verification\n    continue-on-error: true\n",
    )
    commit(repo)
    assert outcome(governed(repo), "gov.pipeline-authority").findings == (
        (
            "gov.pipeline-authority",
            ("gov.pipeline-authority",),
            WORKFLOW,
            line_of(repo, WORKFLOW, "continue-on-error: true"),
        ),
    )


def test_a_deleted_workflow_fails(repo: Path) -> None:
    committed_workflow(repo)
    (repo / WORKFLOW).unlink()
    commit(repo)
    assert outcome(governed(repo), "gov.pipeline-authority").findings == (
        ("gov.pipeline-authority", ("gov.pipeline-authority",), WORKFLOW, None),
    )
