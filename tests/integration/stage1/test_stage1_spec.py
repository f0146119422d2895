"""Stage 1 on the reference example and on mutated copies of it.

The example is green in whole-tree mode. Each mutation is made in a git copy
whose base commit is the untouched example, so the Change is exactly the
mutation; every failing case names the rule id, clause id, file and line.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.integration.example_repo import context, copy_example, git_example

from aces.model import Status
from aces.pipeline.runner import run_pipeline
from aces.stages.s01_spec import STAGE

TENANCY = "specs/tenant-isolation.md"
ENVELOPE = "specs/001-envelope/spec.md"
SESSION = "specs/session-lifecycle.md"
CHECK_IDS = (
    "spec.required",
    "spec.location",
    "spec.sections",
    "spec.references-schema",
    "spec.verifiable-criteria",
)
GOV_CHECK_IDS = (
    "gov.only-stricter",
    "gov.policy-semver",
    "gov.unanimous-major",
    "gov.reversible",
    "gov.pipeline-authority",
)


@dataclass(frozen=True)
class Outcome:
    """What one check said: status, NOT_APPLICABLE reason, and (rule, clauses, path, line)."""

    status: Status
    reason: str
    findings: tuple[tuple[str, tuple[str, ...], str, int | None], ...]


def run(root: Path, *, base: str | None = None, body: str = "") -> dict[str, Outcome]:
    """Run every ``spec.*`` check of stage 1; check id -> outcome."""
    ctx = context(root, base=base, body=body)
    out: dict[str, Outcome] = {}
    for check in STAGE.checks:
        if check.id not in CHECK_IDS:
            continue  # the other stage 1 checks have their own tests
        skip = check.applies(ctx)
        if skip is not None:
            out[check.id] = Outcome(Status.NOT_APPLICABLE, skip.reason, ())
            continue
        findings = tuple(
            sorted(
                (
                    f.rule_id,
                    f.clauses,
                    f.location.path if f.location else "",
                    f.location.line if f.location else None,
                )
                for f in check.run(ctx)
            )
        )
        out[check.id] = Outcome(Status.FAIL if findings else Status.PASS, "", findings)
    return out


def failing(
    outcomes: dict[str, Outcome],
) -> dict[str, tuple[tuple[str, tuple[str, ...], str, int | None], ...]]:
    """Check id -> findings, for the checks that failed."""
    return {cid: o.findings for cid, o in outcomes.items() if o.findings}


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def drop_section(root: Path, rel: str, heading: str) -> None:
    """Remove a ``## heading`` and its body from a spec."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    assert pattern.search(text), heading
    path.write_text(pattern.sub("", text, count=1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


ROOMS_TEST = "tests/test_tenancy.py::test_rooms_are_listed_per_tenant"
PRESENCE_PROTO = """syntax = "proto3";

package arqonbus.presence.v1;

// @since 1.1.0
message Presence {
  // @since 1.1.0
  string tenant_id = 1;
}
"""


# -- green ---------------------------------------------------------------------------------


def test_example_is_green_in_whole_tree_mode(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    ctx = context(root)
    assert ctx.change.whole_tree
    outcomes = run(root)
    assert {cid: o.status for cid, o in outcomes.items()} == dict.fromkeys(CHECK_IDS, Status.PASS)


def test_example_is_green_through_the_pipeline_runner(tmp_path: Path) -> None:
    report = run_pipeline((STAGE,), context(copy_example(tmp_path)))
    assert [s.status for s in report.stages] == [Status.PASS]
    assert sorted(c.check_id for c in report.stages[0].checks) == sorted(
        (*CHECK_IDS, *GOV_CHECK_IDS, "principle.fail-closed")
    )


def test_nothing_relevant_changed_is_not_applicable(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, "tests/test_session.py", '"""The session lifecycle."""', '"""Session lifecycle."""')
    outcomes = run(root, base="HEAD")
    assert outcomes["spec.required"] == Outcome(
        Status.NOT_APPLICABLE,
        "no change touches protocol, state machine, public API or core behaviour "
        "([change_classes] in aces.toml)",
        (),
    )
    assert {o.status for o in outcomes.values()} == {Status.NOT_APPLICABLE}


def test_changed_core_file_with_covering_spec_passes(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, "src/arqonbus_mini/tenancy.py", '"""Add', '"""Subscribe: add')
    outcomes = run(root, base="HEAD")
    assert failing(outcomes) == {}
    assert outcomes["spec.required"].status is Status.PASS
    assert outcomes["spec.sections"].status is Status.PASS  # the covering spec is checked


# -- spec.required -----------------------------------------------------------------------


def test_new_proto_without_spec_fails_required(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    write(root, "proto/arqonbus/presence/v1/presence.proto", PRESENCE_PROTO)
    found = failing(run(root, base="HEAD"))
    path = "proto/arqonbus/presence/v1/presence.proto"
    assert found == {
        "spec.required": (("spec.required", ("spec.required",), path, 1),),
        "spec.references-schema": (
            ("spec.references-schema.no-spec", ("spec.references-schema",), path, 1),
        ),
    }


def test_new_state_machine_without_spec_fails_required(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    write(root, "state_machines/presence.sm.yaml", "machine: presence\ninitial: online\n")
    found = failing(run(root, base="HEAD"))
    assert found == {
        "spec.required": (
            ("spec.required", ("spec.required",), "state_machines/presence.sm.yaml", 1),
        )
    }


def test_proto_in_a_covered_package_needs_no_new_spec(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    write(root, "proto/arqonbus/v1/ack.proto", PRESENCE_PROTO.replace("presence.v1", "v1"))
    # the envelope spec covers package arqonbus.v1 and names it in its text
    assert failing(run(root, base="HEAD")) == {}


def test_malformed_front_matter_is_reported(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, TENANCY, "  - src/arqonbus_mini/tenancy.py", "  - [src/arqonbus_mini/tenancy.py")
    found = failing(run(root, base="HEAD"))
    assert found == {
        "spec.required": (("spec.required.declaration", ("spec.required",), TENANCY, 5),)
    }


# -- spec.location -----------------------------------------------------------------------


def test_spec_outside_specs_not_linked_fails_location(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    write(root, "proto/arqonbus/presence/v1/presence.proto", PRESENCE_PROTO)
    presence = (
        (root / TENANCY)
        .read_text(encoding="utf-8")
        .replace("src/arqonbus_mini/tenancy.py", "proto/arqonbus/presence/**")
    )
    write(root, "docs/presence.md", presence)
    found = failing(run(root, base="HEAD"))
    assert found["spec.location"] == (
        ("spec.location.outside-specs", ("spec.location",), "docs/presence.md", 4),
    )
    # an unlinked spec outside specs/ covers nothing
    assert found["spec.required"] == (
        ("spec.required", ("spec.required",), "proto/arqonbus/presence/v1/presence.proto", 1),
    )


def test_spec_outside_specs_linked_from_pr_body_covers_the_change(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    write(root, "proto/arqonbus/presence/v1/presence.proto", PRESENCE_PROTO)
    presence = (
        (root / TENANCY)
        .read_text(encoding="utf-8")
        .replace("src/arqonbus_mini/tenancy.py", "proto/arqonbus/presence/**")
    )
    presence = presence.replace("## Invariants", "Adds `arqonbus.presence.v1`.\n\n## Invariants")
    write(root, "docs/presence.md", presence)
    outcomes = run(root, base="HEAD", body="Spec: [presence](docs/presence.md)")
    assert failing(outcomes) == {}
    assert outcomes["spec.location"].status is Status.PASS


def test_pr_body_linking_a_missing_spec_fails_location(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, "src/arqonbus_mini/tenancy.py", '"""Add', '"""Subscribe: add')
    found = failing(run(root, base="HEAD", body="## Spec\n\nSee specs/presence.md for details."))
    assert found == {
        "spec.location": (("spec.location.missing-link", ("spec.location",), "", None),)
    }


def test_spec_kit_folder_without_spec_md_fails_location(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    write(root, "specs/002-presence/plan.md", "# Plan\n")
    found = failing(run(root, base="HEAD"))
    assert found == {
        "spec.location": (
            ("spec.location.layout", ("spec.location",), "specs/002-presence/plan.md", 1),
        )
    }


# -- spec.sections -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    [
        "Acceptance criteria",
        "Failure modes",
        "Security implications",
        "Performance constraints",
        "Invariants",
    ],
)
def test_each_missing_section_fails_sections(tmp_path: Path, heading: str) -> None:
    root = git_example(tmp_path)
    drop_section(root, TENANCY, heading)
    found = failing(run(root, base="HEAD"))
    assert found == {"spec.sections": (("spec.sections.missing", ("spec.sections",), TENANCY, 8),)}


@pytest.mark.parametrize(
    "heading", ["Security Implications", "Invariants", "Success Criteria *(mandatory)*"]
)
def test_missing_section_of_a_spec_kit_spec_fails_sections(tmp_path: Path, heading: str) -> None:
    root = git_example(tmp_path)
    drop_section(root, ENVELOPE, heading)
    found = failing(run(root, base="HEAD"))
    assert found == {"spec.sections": (("spec.sections.missing", ("spec.sections",), ENVELOPE, 1),)}


@pytest.mark.parametrize(
    "placeholder",
    [
        "TBD",
        "N/A",
        "TODO: write the invariants",
        "[Describe the invariants]",
        "<!-- ACTION REQUIRED -->",
    ],
)
def test_placeholder_section_fails_sections(tmp_path: Path, placeholder: str) -> None:
    root = git_example(tmp_path)
    edit(
        root,
        TENANCY,
        "- A message is delivered only to subscribers whose tenant equals the envelope's\n"
        "  `tenant_id`.\n- `rooms_of(t)` lists only rooms that tenant `t` subscribed to.",
        placeholder,
    )
    found = failing(run(root, base="HEAD"))
    assert found == {
        "spec.sections": (("spec.sections.placeholder", ("spec.sections",), TENANCY, 48),)
    }


def test_na_with_a_reason_is_content(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    drop_section(root, TENANCY, "Performance constraints")
    edit(
        root,
        TENANCY,
        "## Invariants",
        "## Performance constraints\n\nN/A: no hot path.\n\n## Invariants",
    )
    assert failing(run(root, base="HEAD")) == {}


def test_unresolved_clarification_fails_sections(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root,
        ENVELOPE,
        "- **FR-002**",
        "- **FR-003**: [NEEDS CLARIFICATION: retention?]\n- **FR-002**",
    )
    found = failing(run(root, base="HEAD"))
    line = line_of(root, ENVELOPE, "NEEDS CLARIFICATION")
    assert found == {
        "spec.sections": (("spec.sections.unresolved", ("spec.sections",), ENVELOPE, line),)
    }


# -- spec.references-schema ---------------------------------------------------------------


def test_covered_but_unreferenced_proto_fails_references_schema(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    write(root, "proto/arqonbus/presence/v1/presence.proto", PRESENCE_PROTO)
    edit(
        root,
        SESSION,
        "  - state_machines/session.sm.yaml",
        "  - state_machines/session.sm.yaml\n  - proto/**",
    )
    found = failing(run(root, base="HEAD"))
    assert found == {
        "spec.references-schema": (
            ("spec.references-schema", ("spec.references-schema",), SESSION, 10),
        )
    }


def test_referencing_the_proto_by_package_passes(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    write(root, "proto/arqonbus/presence/v1/presence.proto", PRESENCE_PROTO)
    edit(
        root,
        SESSION,
        "  - state_machines/session.sm.yaml",
        "  - state_machines/session.sm.yaml\n  - proto/**",
    )
    edit(
        root,
        SESSION,
        "## 5. Invariants",
        "Presence travels as `arqonbus.presence.v1.Presence`.\n\n## 5. Invariants",
    )
    assert failing(run(root, base="HEAD")) == {}


# -- spec.verifiable-criteria ---------------------------------------------------------------


def test_criterion_without_id_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root,
        TENANCY,
        "\n\n## Failure modes",
        f"\n- Rooms are listed per tenant.\n  Verified by: `{ROOMS_TEST}`\n\n## Failure modes",
    )
    found = failing(run(root, base="HEAD"))
    line = line_of(root, TENANCY, "Rooms are listed per tenant")
    assert found == {
        "spec.verifiable-criteria": (
            ("spec.verifiable-criteria.no-id", ("spec.verifiable-criteria",), TENANCY, line),
        )
    }


def test_criterion_without_binding_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root,
        TENANCY,
        "\n\n## Failure modes",
        "\n- **AC-4**: Rooms are listed per tenant.\n\n## Failure modes",
    )
    found = failing(run(root, base="HEAD"))
    line = line_of(root, TENANCY, "AC-4")
    assert found == {
        "spec.verifiable-criteria": (
            ("spec.verifiable-criteria.no-binding", ("spec.verifiable-criteria",), TENANCY, line),
        )
    }


def test_binding_to_a_missing_test_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root,
        TENANCY,
        "test_cross_tenant_publish_is_not_delivered",
        "test_cross_tenant_leak_is_impossible",
    )
    found = failing(run(root, base="HEAD"))
    assert found == {
        "spec.verifiable-criteria": (
            ("spec.verifiable-criteria.missing-test", ("spec.verifiable-criteria",), TENANCY, 17),
        )
    }


def test_removing_the_bound_test_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root, "tests/test_session.py", "def test_closed_is_terminal", "def test_closed_stays_closed"
    )
    edit(root, SESSION, "status: accepted", "status: accepted ")  # the spec is re-checked
    found = failing(run(root, base="HEAD"))
    assert found == {
        "spec.verifiable-criteria": (
            ("spec.verifiable-criteria.missing-test", ("spec.verifiable-criteria",), SESSION, 23),
        )
    }


def test_binding_to_an_existing_test_passes(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root,
        TENANCY,
        "\n\n## Failure modes",
        "\n- **AC-4**: Rooms are listed per tenant.\n"
        f"  Verified by: `{ROOMS_TEST}`\n\n## Failure modes",
    )
    outcomes = run(root, base="HEAD")
    assert failing(outcomes) == {}
    assert outcomes["spec.verifiable-criteria"].status is Status.PASS


def test_unreadable_binding_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root,
        TENANCY,
        "`tests/test_tenancy.py::test_cross_tenant_publish_is_not_delivered`",
        "the tenancy tests",
    )
    found = failing(run(root, base="HEAD"))
    assert set(found) == {"spec.verifiable-criteria"}
    assert {(rule, path, line) for rule, _, path, line in found["spec.verifiable-criteria"]} == {
        ("spec.verifiable-criteria.bad-binding", TENANCY, 17)
    }


def test_spec_kit_scenario_bound_to_missing_test_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, "test_encoding_is_deterministic", "test_encoding_is_stable")
    found = failing(run(root, base="HEAD"))
    assert found == {
        "spec.verifiable-criteria": (
            ("spec.verifiable-criteria.missing-test", ("spec.verifiable-criteria",), ENVELOPE, 29),
        )
    }


STORY_3 = """### User Story 3 - Large payloads (Priority: P2)

**Acceptance Scenarios**:

1. **Given** a payload of 1 MiB, **When** it is encoded, **Then** it decodes unchanged.

### Edge Cases"""
TASKS = """# Tasks: Versioned message envelope

## Phase 3: User Story 3 - Large payloads (Priority: P2)

### Tests for User Story 3

- [X] T020 [P] [US3] Round-trip test of a 1 MiB payload in tests/test_big_payload.py
- [ ] T021 [US3] Implement chunked payload reading in src/arqonbus_mini/envelope.py
"""


def test_spec_kit_task_binding_a_story_to_a_missing_test_file_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, "### Edge Cases", STORY_3)
    write(root, "specs/001-envelope/tasks.md", TASKS)
    found = failing(run(root, base="HEAD"))
    line = line_of(root, "specs/001-envelope/tasks.md", "T020")
    assert found == {
        "spec.verifiable-criteria": (
            (
                "spec.verifiable-criteria.missing-test",
                ("spec.verifiable-criteria",),
                "specs/001-envelope/tasks.md",
                line,
            ),
        )
    }


def test_spec_kit_task_binding_a_story_to_an_existing_test_file_passes(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, "### Edge Cases", STORY_3)
    write(root, "specs/001-envelope/tasks.md", TASKS)
    write(root, "tests/test_big_payload.py", "def test_big() -> None:\n    assert True\n")
    outcomes = run(root, base="HEAD")
    assert failing(outcomes) == {}


def test_a_change_to_tasks_md_alone_rechecks_its_spec(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, "### Edge Cases", STORY_3)
    write(root, "tests/test_big_payload.py", "def test_big() -> None:\n    assert True\n")
    write(root, "specs/001-envelope/tasks.md", TASKS)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "-c", "user.email=a@b", "-c", "user.name=a", "commit", "-qm", "tasks"],
        cwd=root,
        check=True,
    )
    edit(root, "specs/001-envelope/tasks.md", "tests/test_big_payload.py", "tests/test_huge.py")
    found = failing(run(root, base="HEAD"))
    line = line_of(root, "specs/001-envelope/tasks.md", "T020")
    assert found == {
        "spec.verifiable-criteria": (
            (
                "spec.verifiable-criteria.missing-test",
                ("spec.verifiable-criteria",),
                "specs/001-envelope/tasks.md",
                line,
            ),
        )
    }


def test_plan_verified_by_line_binds_a_criterion_by_id(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, ENVELOPE, "### Edge Cases", STORY_3)
    plan = root / "specs/001-envelope/plan.md"
    plan.write_text(
        plan.read_text(encoding="utf-8")
        + "\n- US3-AS1 Verified by: `tests/test_envelope.py::test_big_payload`\n",
        encoding="utf-8",
    )
    found = failing(run(root, base="HEAD"))
    line = line_of(root, "specs/001-envelope/plan.md", "US3-AS1")
    assert found == {
        "spec.verifiable-criteria": (
            (
                "spec.verifiable-criteria.missing-test",
                ("spec.verifiable-criteria",),
                "specs/001-envelope/plan.md",
                line,
            ),
        )
    }


# -- cache key ---------------------------------------------------------------------------


def test_cache_key_is_stable_and_follows_the_inputs(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    spec_checks = [check for check in STAGE.checks if check.id in CHECK_IDS]
    check = spec_checks[0]
    first = check.cache_key(context(root))
    assert first is not None
    assert check.cache_key(context(root)) == first
    assert check.cache_key(context(root, body="see specs/x.md")) != first
    assert spec_checks[1].cache_key(context(root)) != first
