"""The ratchet past thresholds, the structural policy diff and the SemVer rule of the policy."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aces.policy.policy_diff import ADDED, CHANGED, REMOVED, Difference, differences
from aces.policy.ratchet import compare
from aces.policy.schema import (
    Maintainer,
    Paths,
    PatternsPolicy,
    Policy,
    TestRunnerSpec,
    TestsPolicy,
)
from aces.policy.semver_bump import Bump, actual_bump, bump_problem, required_bump

PY = TestRunnerSpec("python", ("pytest", "-q"))
RUST = TestRunnerSpec("rust", ("cargo", "test"), report_format="libtest")
BASE = Policy(
    tests=TestsPolicy(runners=(PY, RUST), coverage_baseline="cov.json"),
    paths=Paths(core_libraries=("src/core",)),
    maintainers=(Maintainer("alice"),),
)


def keys(head: Policy, base: Policy = BASE) -> list[str]:
    return [item.key for item in compare(base, head)]


def test_differences_name_entries_of_arrays_of_tables_by_name() -> None:
    head = replace(BASE, tests=replace(BASE.tests, runners=(replace(PY, argv=("pytest",)),)))
    assert differences(BASE, head) == [
        Difference("tests.runners.python.argv", CHANGED, "('pytest', '-q')", "('pytest',)"),
        Difference("tests.runners.rust", REMOVED, "'rust'"),
    ]


def test_differences_of_plain_lists_are_added_and_removed_items() -> None:
    head = replace(BASE, paths=Paths(core_libraries=("src/lib",)))
    assert differences(BASE, head) == [
        Difference("paths.core_libraries", ADDED, after="'src/lib'"),
        Difference("paths.core_libraries", REMOVED, "'src/core'"),
    ]


def test_a_dropped_or_changed_runner_loosens_and_a_new_one_does_not() -> None:
    dropped = replace(BASE, tests=replace(BASE.tests, runners=(PY,)))
    changed = replace(BASE, tests=replace(BASE.tests, runners=(PY, replace(RUST, argv=("true",)))))
    added = replace(
        BASE, tests=replace(BASE.tests, runners=(PY, RUST, TestRunnerSpec("go", ("go", "test"))))
    )
    assert keys(dropped) == ["tests.runners.rust"]
    assert keys(changed) == ["tests.runners.rust.argv"]
    assert keys(added) == []


def test_a_new_or_promoted_maintainer_loosens() -> None:
    added = replace(BASE, maintainers=(Maintainer("alice"), Maintainer("mallory")))
    promoted = replace(BASE, maintainers=(Maintainer("alice", senior=True),))
    assert [i.render() for i in compare(BASE, added)] == [
        "maintainers: adds maintainer 'mallory': more people can approve [gov.unanimous-major]"
    ]
    assert keys(promoted) == ["maintainers"]


def test_directed_limits_loosen_one_way_only() -> None:
    raised = replace(BASE, patterns=PatternsPolicy(max_complexity=20))
    lowered = replace(BASE, patterns=PatternsPolicy(max_complexity=5))
    globs = (*PatternsPolicy().test_globs, "src/**")
    exempting = replace(BASE, patterns=PatternsPolicy(test_globs=globs))
    assert keys(raised) == ["patterns.max_complexity"]
    assert keys(lowered) == []
    assert keys(exempting) == ["patterns.test_globs"]


def test_a_strict_switch_loosens_only_when_turned_off() -> None:
    on = replace(BASE, secrets=replace(BASE.secrets, scan_all_files=True))
    assert keys(on) == []
    assert [i.render() for i in compare(on, BASE)] == [
        "secrets.scan_all_files: turned off [sec.secrets]"
    ]


def test_a_key_with_no_known_direction_loosens_on_any_change() -> None:
    head = replace(BASE, tests=replace(BASE.tests, coverage_baseline=""), default_branch="dev")
    assert [i.render() for i in compare(BASE, head)] == [
        "default_branch: changes '' -> 'dev'; ACES cannot tell that this is stricter "
        "[gov.only-stricter]",
        "tests.coverage_baseline: changes 'cov.json' -> ''; ACES cannot tell that this is "
        "stricter [test.coverage-drop]",
    ]


def test_a_deleted_policy_loosens_every_setting_the_default_lacks() -> None:
    assert keys(Policy()) == [
        "paths.core_libraries",
        "tests.coverage_baseline",
        "tests.runners.python",
        "tests.runners.rust",
    ]


@pytest.mark.parametrize(
    ("head", "bump"),
    [
        (BASE, Bump.PATCH),  # the file changed (a comment): still a bump
        (replace(BASE, thresholds={**BASE.thresholds, "core_coverage_percent": 90.0}), Bump.PATCH),
        (replace(BASE, maintainers=()), Bump.PATCH),
        (replace(BASE, paths=Paths(core_libraries=("src/core", "src/bus"))), Bump.MINOR),
        (replace(BASE, paths=Paths()), Bump.MAJOR),
    ],
)
def test_required_bump(head: Policy, bump: Bump) -> None:
    assert required_bump(BASE, head, file_changed=True) is bump


def test_no_change_needs_no_bump() -> None:
    assert required_bump(BASE, BASE, file_changed=False) is Bump.NONE


@pytest.mark.parametrize(
    ("before", "after", "bump"),
    [
        ("1.4.2", "1.4.3", Bump.PATCH),
        ("1.4.2", "1.5.0", Bump.MINOR),
        ("1.4.2", "2.0.0", Bump.MAJOR),
        ("1.4.2", "2.0.0-rc.1", Bump.MAJOR),
        ("1.4.2", "1.4.2", Bump.NONE),
        ("1.4.2", "1.4.4", None),
        ("1.4.2", "1.5.1", None),
        ("1.4.2", "1.4.1", None),
    ],
)
def test_actual_bump(before: str, after: str, bump: Bump | None) -> None:
    assert actual_bump(before, after) is bump


def test_bump_problems_say_what_version_is_expected() -> None:
    assert bump_problem("1.0.0", "1.0.1", Bump.PATCH) is None
    assert bump_problem("1.0.0", "2.0.0", Bump.PATCH) is None
    assert bump_problem("1.0.0", "1.0.0", Bump.PATCH) == (
        "policy_version '1.0.0' -> '1.0.0' is unchanged, but the change needs a PATCH bump: "
        "expected '1.0.1'"
    )
    assert bump_problem("1.0.0", "1.0.1", Bump.MAJOR) == (
        "policy_version '1.0.0' -> '1.0.1' is a PATCH bump, but the change needs a MAJOR "
        "bump: expected '2.0.0'"
    )
    assert bump_problem("1.0.0", "1.0.3", Bump.PATCH) == (
        "policy_version '1.0.3' is not a next version of '1.0.0': expected '1.0.1' (a PATCH "
        "bump) or higher"
    )
