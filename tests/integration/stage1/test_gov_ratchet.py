"""gov.only-stricter and gov.policy-semver on git copies of the example.

Each case commits the untouched example on ``main``, changes it on a branch and runs
the check with the policy ``aces run`` would choose: the base's when the head loosens
it. Failing cases name the rule id, clause, file and line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.example_repo import copy_example, git
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
    check = find_check(STAGES, "gov.only-stricter")
    assert check is not None
    [finding] = check.run(ctx)
    # a file outside the repository is no report location: the message names it
    assert finding.rule_id == "gov.only-stricter"
    assert finding.location is None
    assert finding.message.startswith(f"{other}:")
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
