"""The ratchet lists every loosening of a head policy against its base."""

from __future__ import annotations

from dataclasses import replace

from aces.policy.ratchet import Loosening, compare
from aces.policy.schema import AllowlistEntry, ChangeClasses, Maintainer, Paths, Policy

BASE = Policy(
    thresholds={**Policy().thresholds, "core_coverage_percent": 90.0, "rollback_seconds": 8.0},
    paths=Paths(core_libraries=("src/core",), hot_paths=("src/core/router.py",)),
    maintainers=(Maintainer("alice", senior=True), Maintainer("bob")),
    allowlist=(AllowlistEntry("a.py", "lint.python", "why", "alice", "2027-01-01"),),
)


def test_identical_policies_do_not_loosen() -> None:
    assert compare(BASE, BASE) == []


def test_tightening_is_not_a_loosening() -> None:
    head = replace(
        BASE,
        thresholds={**BASE.thresholds, "core_coverage_percent": 95.0, "rollback_seconds": 5.0},
        spec=replace(BASE.spec, sections=(*BASE.spec.sections, "slo_impact")),
        allowlist=(),
    )
    assert compare(BASE, head) == []


def test_removed_maintainers_are_fine() -> None:
    assert compare(BASE, replace(BASE, maintainers=(Maintainer("alice", senior=True),))) == []


def test_thresholds_loosen_by_direction() -> None:
    head = replace(
        BASE,
        thresholds={**BASE.thresholds, "core_coverage_percent": 85.0, "rollback_seconds": 9.5},
    )
    assert compare(BASE, head) == [
        Loosening(
            "thresholds.core_coverage_percent", "90 -> 85 (minimum lowered)", "test.coverage-core"
        ),
        Loosening("thresholds.rollback_seconds", "8 -> 9.5 (maximum raised)", "deploy.rollback"),
    ]


def test_removed_spec_requirements_loosen() -> None:
    base = replace(
        BASE,
        spec=replace(
            BASE.spec,
            sections=(*BASE.spec.sections, "slo_impact"),
            placeholders=(*BASE.spec.placeholders, "wip"),
        ),
    )
    head = replace(
        BASE,
        spec=replace(
            BASE.spec,
            required_for=("protocol", "state_machine", "public_api"),
            schema_globs=("**/*.proto",),
        ),
    )
    assert [item.render() for item in compare(base, head)] == [
        "spec.placeholders: no longer rejects placeholder 'wip' [spec.sections]",
        "spec.required_for: no longer requires a spec for change class 'core_behaviour' "
        "[spec.required]",
        "spec.schema_globs: no longer treats '**/*.avsc' as a schema the spec must reference "
        "[spec.references-schema]",
        "spec.schema_globs: no longer treats 'schemas/**/*.json' as a schema the spec must "
        "reference [spec.references-schema]",
        "spec.sections: no longer requires section 'slo_impact' [spec.sections]",
    ]


def test_new_heading_synonym_loosens_but_a_new_section_does_not() -> None:
    synonyms = dict(BASE.spec.section_synonyms)
    synonyms["invariants"] = ("invariants", "guarantees")
    synonyms["slo_impact"] = ("slo impact",)
    head = replace(
        BASE,
        spec=replace(
            BASE.spec,
            sections=(*BASE.spec.sections, "slo_impact"),
            section_synonyms=synonyms,
        ),
    )
    assert compare(BASE, head) == [
        Loosening(
            "spec.section_synonyms.invariants",
            "now accepts the heading 'guarantees'",
            "spec.sections",
        )
    ]


def test_narrower_change_classes_and_coverage_paths_loosen() -> None:
    head = replace(
        BASE,
        change_classes=ChangeClasses(protocol=("**/*.proto",)),
        paths=Paths(core_libraries=(), hot_paths=("src/core/router.py",)),
    )
    assert [item.render() for item in compare(BASE, head)] == [
        "change_classes.protocol: no longer marks 'proto/**' as needing a spec [spec.required]",
        "change_classes.protocol: no longer marks 'schemas/**' as needing a spec [spec.required]",
        "paths.core_libraries: no longer holds 'src/core' to the core coverage threshold "
        "[test.coverage-core]",
    ]


def test_added_or_changed_allowlist_entries_need_governance() -> None:
    head = replace(
        BASE,
        allowlist=(
            AllowlistEntry("a.py", "lint.python", "why", "alice", "2028-01-01"),
            AllowlistEntry("b.rs", "lint.rust", "ffi", "bob", "2027-06-30"),
        ),
    )
    assert [item.render() for item in compare(BASE, head)] == [
        "allowlist: adds an exception for rule 'lint.rust' on 'b.rs' (owner 'bob', expires "
        "2027-06-30) [principle.no-manual-exceptions]",
        "allowlist: changes an exception for rule 'lint.python' on 'a.py' (owner 'alice', "
        "expires 2028-01-01) [principle.no-manual-exceptions]",
    ]


def test_loosenings_against_the_doctrine_default() -> None:
    head = replace(Policy(), thresholds={**Policy().thresholds, "cve_max_severity": 4.0})
    assert compare(Policy(), head) == [
        Loosening("thresholds.cve_max_severity", "0 -> 4 (maximum raised)", "sec.dependency-audit")
    ]


def test_debt_mode_block_is_stricter_than_hold_the_line() -> None:
    held = replace(BASE, patterns=replace(BASE.patterns, debt="hold-the-line"))
    blocked = replace(BASE, patterns=replace(BASE.patterns, debt="block"))
    assert compare(held, blocked) == []
    found = compare(blocked, held)
    assert [(x.key, x.clause) for x in found] == [("patterns.debt", "lint.forbidden-patterns")]
