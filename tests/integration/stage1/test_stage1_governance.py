"""Stage 1 governance on git copies of the example: the base's policy judges the change.

Each case commits the untouched example on ``main``, makes a change on a branch
and runs the governance checks with the policy the run would choose
(``aces.policy.effective``). Failing cases name the rule id, clause, file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.integration.example_repo import copy_example, git, git_example

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import Status
from aces.pipeline.context import RunContext
from aces.pipeline.registry import find_check
from aces.policy.effective import policy_and_change, snapshot_file
from aces.stages import STAGES
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

POLICY = "aces.toml"
Finding = tuple[str, tuple[str, ...], str, int | None]


@dataclass(frozen=True)
class Outcome:
    """What one check said."""

    status: Status
    reason: str
    findings: tuple[Finding, ...]


def governed(
    root: Path,
    *,
    base: str | None = "main",
    override: Path | None = None,
    approvals: tuple[str, ...] = (),
    author: str = "",
) -> RunContext:
    """The RunContext ``aces run`` builds: the head's policy, ratcheted against the base's."""
    ws = Workspace.open(root)
    head = snapshot_file(root)
    pr = PullRequest(approvals=approvals, author=author)
    chosen = snapshot_file(root, override) if override is not None else None
    loaded, change = policy_and_change(ws, head, chosen, base=base, pr=pr)
    return RunContext(ws, change, loaded, load_doctrine())


def outcome(ctx: RunContext, check_id: str) -> Outcome:
    check = find_check(STAGES, check_id)
    assert check is not None
    skip = check.applies(ctx)
    if skip is not None:
        return Outcome(Status.NOT_APPLICABLE, skip.reason, ())
    found = tuple(
        sorted(
            (f.rule_id, f.clauses, f.location.path if f.location else "",
             f.location.line if f.location else None)
            for f in check.run(ctx)
        )
    )  # fmt: skip
    return Outcome(Status.FAIL if found else Status.PASS, "", found)


def branch(root: Path) -> None:
    git(root, "checkout", "-q", "-b", "change")


def commit(root: Path, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def version(root: Path, new: str) -> None:
    edit(root, POLICY, 'policy_version = "1.0.0"', f'policy_version = "{new}"')


def stricter(root: Path, new_version: str = "1.0.1") -> None:
    """Raise the core coverage floor (a stricter value) and set the version."""
    edit(root, POLICY, "[paths]\n", "[thresholds]\ncore_coverage_percent = 90\n\n[paths]\n")
    version(root, new_version)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = git_example(tmp_path)
    branch(root)
    return root


# -- gov.only-stricter ----------------------------------------------------------------------


def test_whole_tree_run_has_nothing_to_ratchet_against(tmp_path: Path) -> None:
    ctx = governed(copy_example(tmp_path), base=None)
    assert ctx.change.whole_tree
    for check_id in ("gov.only-stricter", "gov.policy-semver", "gov.reversible"):
        result = outcome(ctx, check_id)
        assert result.status is Status.NOT_APPLICABLE
        assert "whole-tree run" in result.reason


def test_stricter_head_policy_passes_and_is_in_force(repo: Path) -> None:
    stricter(repo)
    commit(repo)
    ctx = governed(repo)
    assert outcome(ctx, "gov.only-stricter").status is Status.PASS
    assert ctx.loaded_policy.source == POLICY
    assert ctx.policy.thresholds["core_coverage_percent"] == 90.0


def test_removed_core_libraries_fails_and_the_base_policy_is_in_force(repo: Path) -> None:
    edit(repo, POLICY, 'core_libraries = ["src/arqonbus_mini/*.py"]\n', "")
    version(repo, "2.0.0")
    commit(repo)
    ctx = governed(repo)
    assert outcome(ctx, "gov.only-stricter").findings == (
        (
            "gov.only-stricter",
            ("gov.only-stricter", "test.coverage-core"),
            POLICY,
            line_of(repo, POLICY, "[paths]"),
        ),
    )
    assert ctx.loaded_policy.source.endswith(":aces.toml")
    assert ctx.policy.paths.core_libraries == ("src/arqonbus_mini/*.py",)


def test_dropped_test_runner_fails_at_the_runners_table(repo: Path) -> None:
    text = (repo / POLICY).read_text(encoding="utf-8")
    start = text.index('[[tests.runners]]\nname = "rust"')
    end = text.index("\n\n", start)
    (repo / POLICY).write_text(text[:start] + text[end + 2 :], encoding="utf-8")
    commit(repo)
    ctx = governed(repo)
    assert outcome(ctx, "gov.only-stricter").findings == (
        (
            "gov.only-stricter",
            ("gov.only-stricter", "test.unit"),
            POLICY,
            line_of(repo, POLICY, "[[tests.runners]]"),
        ),
    )
    assert [r.name for r in ctx.policy.tests.runners] == ["python", "rust"]


def test_changed_runner_command_fails_at_that_runner(repo: Path) -> None:
    edit(
        repo, POLICY, 'argv = ["cargo", "test", "--offline", "--color", "never"]', 'argv = ["true"]'
    )
    commit(repo)
    ctx = governed(repo)
    assert outcome(ctx, "gov.only-stricter").findings == (
        (
            "gov.only-stricter",
            ("gov.only-stricter", "test.unit"),
            POLICY,
            line_of(repo, POLICY, 'argv = ["true"]'),
        ),
    )
    assert ctx.policy.tests.runners[1].argv[0] == "cargo"


def test_a_head_naming_its_own_branch_the_default_is_still_ratcheted(repo: Path) -> None:
    edit(repo, POLICY, 'default_branch = "main"', 'default_branch = "change"')
    edit(repo, POLICY, 'core_libraries = ["src/arqonbus_mini/*.py"]\n', "")
    commit(repo)
    ctx = governed(repo, base=None)
    assert not ctx.change.whole_tree
    keys = [f.message.split(":")[0] for f in find_check(STAGES, "gov.only-stricter").run(ctx)]  # type: ignore[union-attr]
    assert keys == ["default_branch", "paths.core_libraries"]
    assert ctx.policy.default_branch == "main"


def test_looser_threshold_fails_at_its_line(repo: Path) -> None:
    edit(repo, POLICY, "[paths]\n", "[thresholds]\ncore_coverage_percent = 90\n\n[paths]\n")
    commit(repo, "stricter first")
    git(repo, "branch", "-f", "main", "HEAD")  # the stricter policy is now the base
    edit(repo, POLICY, "core_coverage_percent = 90", "core_coverage_percent = 86")
    commit(repo)
    ctx = governed(repo)
    assert outcome(ctx, "gov.only-stricter").findings == (
        (
            "gov.only-stricter",
            ("gov.only-stricter", "test.coverage-core"),
            POLICY,
            line_of(repo, POLICY, "core_coverage_percent"),
        ),
    )
    assert ctx.policy.thresholds["core_coverage_percent"] == 90.0


def test_deleting_a_test_and_the_policy_fails_and_keeps_the_base_policy(repo: Path) -> None:
    """The observed bypass: with aces.toml gone, stage 5 ran with no baseline and passed."""
    base_policy = governed(repo).policy
    (repo / POLICY).unlink()
    (repo / "tests" / "test_session.py").unlink()
    commit(repo)
    ctx = governed(repo)
    result = outcome(ctx, "gov.only-stricter")
    assert ("gov.only-stricter", ("gov.only-stricter",), POLICY, None) in result.findings
    # each loosened key is named, the coverage ratchet's baseline among them
    clauses = {clause for _, found, _, _ in result.findings for clause in found}
    assert {"test.coverage-drop", "test.coverage-core", "test.unit"} <= clauses
    assert ctx.policy == base_policy
    assert ctx.policy.tests.coverage_baseline == "coverage-baseline.json"
    assert ctx.change.in_class("core_behaviour") == ()  # the base's change classes apply


def test_a_base_policy_that_does_not_load_is_an_error(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    edit(repo, POLICY, 'policy_version = "1.0.0"', 'policy_version = "one"')
    commit(repo, "broken policy on main")
    git(repo, "checkout", "-q", "change")
    git(repo, "merge", "-q", "--no-edit", "-s", "ours", "main")
    ctx = governed(repo)
    check = find_check(STAGES, "gov.only-stricter")
    assert check is not None and check.applies(ctx) is None
    with pytest.raises(AcesError, match="cannot read the base's policy"):
        list(check.run(ctx))


def test_a_symlinked_policy_is_followed_at_the_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    git(repo, "mv", POLICY, "policy.toml")
    (repo / POLICY).symlink_to("policy.toml")
    commit(repo, "policy behind a link")
    git(repo, "checkout", "-q", "change")
    git(repo, "merge", "-q", "--ff-only", "main")
    edit(repo, "policy.toml", 'core_libraries = ["src/arqonbus_mini/*.py"]\n', "")
    commit(repo)
    ctx = governed(repo)
    assert [f[0] for f in outcome(ctx, "gov.only-stricter").findings] == ["gov.only-stricter"]
    assert ctx.policy.paths.core_libraries == ("src/arqonbus_mini/*.py",)
    # the revert covers the file the link points to
    assert outcome(ctx, "gov.reversible").status is Status.PASS
    edit(repo, "policy.toml", "[paths]", "[paths]  # uncommitted")
    assert [f[0] for f in outcome(governed(repo), "gov.reversible").findings] == [
        "gov.reversible.uncommitted"
    ]


def test_a_policy_linked_outside_the_repository_at_the_base_is_an_error(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    (repo / POLICY).unlink()
    (repo / POLICY).symlink_to("../elsewhere.toml")
    commit(repo, "policy outside")
    git(repo, "checkout", "-q", "change")
    git(repo, "reset", "-q", "--hard", "main")
    git(repo, "checkout", "-q", "HEAD~1", "--", POLICY)  # a regular file again in the head
    commit(repo)
    check = find_check(STAGES, "gov.only-stricter")
    assert check is not None
    with pytest.raises(AcesError, match="not a regular file"):
        list(check.run(governed(repo)))


def test_a_looser_policy_flag_fails_and_is_not_used(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    text = (repo / POLICY).read_text(encoding="utf-8")
    other.write_text(text.replace('core_libraries = ["src/arqonbus_mini/*.py"]\n', ""), "utf-8")
    ctx = governed(repo, base=None, override=other)
    result = outcome(ctx, "gov.only-stricter")
    assert [(rule, path) for rule, _, path, _ in result.findings] == [
        ("gov.only-stricter", str(other))
    ]
    assert ctx.loaded_policy.source == POLICY


def test_a_stricter_policy_flag_is_used(repo: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    text = (repo / POLICY).read_text(encoding="utf-8")
    other.write_text(
        text.replace("[paths]\n", "[thresholds]\ncore_coverage_percent = 95\n\n[paths]\n"), "utf-8"
    )
    ctx = governed(repo, base=None, override=other)
    assert outcome(ctx, "gov.only-stricter").status is Status.PASS
    assert ctx.policy.thresholds["core_coverage_percent"] == 95.0


# -- gov.policy-semver ----------------------------------------------------------------------


def test_unchanged_policy_is_not_applicable(repo: Path) -> None:
    edit(repo, "README.md", "arqonbus", "ArqonBus")
    commit(repo)
    ctx = governed(repo)
    for check_id in ("gov.policy-semver", "gov.unanimous-major", "gov.reversible"):
        assert outcome(ctx, check_id) == Outcome(
            Status.NOT_APPLICABLE, "the policy file did not change", ()
        )
    assert outcome(ctx, "gov.only-stricter").status is Status.PASS


def test_stricter_value_with_a_patch_bump_passes(repo: Path) -> None:
    stricter(repo, "1.0.1")
    commit(repo)
    assert outcome(governed(repo), "gov.policy-semver").status is Status.PASS


@pytest.mark.parametrize("new", ["1.0.0", "1.0.2", "0.9.0"])
def test_missing_or_wrong_bump_fails_at_policy_version(repo: Path, new: str) -> None:
    stricter(repo, new)
    commit(repo)
    assert outcome(governed(repo), "gov.policy-semver").findings == (
        (
            "gov.policy-semver",
            ("gov.policy-semver",),
            POLICY,
            line_of(repo, POLICY, "policy_version"),
        ),
    )


def test_a_new_rule_needs_a_minor_bump(repo: Path) -> None:
    edit(
        repo,
        POLICY,
        'core_libraries = ["src/arqonbus_mini/*.py"]',
        'core_libraries = ["src/arqonbus_mini/*.py", "crates/**"]',
    )
    version(repo, "1.0.1")
    commit(repo)
    result = outcome(governed(repo), "gov.policy-semver")
    assert [rule for rule, *_ in result.findings] == ["gov.policy-semver"]
    version_line = line_of(repo, POLICY, "policy_version")
    assert result.findings[0][3] == version_line
    edit(repo, POLICY, '"1.0.1"', '"1.1.0"')
    commit(repo)
    assert outcome(governed(repo), "gov.policy-semver").status is Status.PASS


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
