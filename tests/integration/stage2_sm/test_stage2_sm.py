"""Stage 2's state-machine checks on the reference example and on mutated copies of it.

The example's three machines are green: they load, are complete, their invariants
hold, and its tests (run through the policy's test command) take every transition.
Each mutation is made in a copy; the ones about a Change are made in a git copy whose
base commit is the untouched example. Failing cases name rule id, clause ids, file
and line.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.integration.example_repo import context, copy_example, git, git_example

from aces.errors import AcesError
from aces.model import Status
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.stages.schema_sm import SM_CHECKS

CONN = "state_machines/connection.sm.yaml"
SUB = "state_machines/subscription.sm.yaml"
SESSION = "state_machines/session.sm.yaml"
CHECK_IDS = (
    "sm.no-missing-transitions",
    "sm.no-unhandled-events",
    "sm.invariants",
    "sm.transition-coverage",
    "sm.tests-updated",
)
Found = tuple[str, tuple[str, ...], str, int | None]


@dataclass(frozen=True)
class Outcome:
    """What one check said: status, reason (NOT_APPLICABLE / ERROR) and its findings."""

    status: Status
    reason: str
    findings: tuple[Found, ...]


def run(root: Path, *, base: str | None = None, only: tuple[str, ...] = ()) -> dict[str, Outcome]:
    """Run the sm checks (all, or ``only``); check id -> outcome."""
    ctx = context(root, base=base)
    out: dict[str, Outcome] = {}
    for check in SM_CHECKS:
        if only and check.id not in only:
            continue
        skip = check.applies(ctx)
        if skip is not None:
            out[check.id] = Outcome(Status.NOT_APPLICABLE, skip.reason, ())
            continue
        try:
            found = tuple(
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
        except AcesError as exc:
            out[check.id] = Outcome(Status.ERROR, exc.diagnostics(), ())
            continue
        out[check.id] = Outcome(Status.FAIL if found else Status.PASS, "", found)
    return out


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def messages(root: Path, check_id: str, *, base: str | None = None) -> list[str]:
    ctx = context(root, base=base)
    (check,) = [c for c in SM_CHECKS if c.id == check_id]
    return sorted(f.message for f in check.run(ctx))


# -- green ---------------------------------------------------------------------------------


def test_example_is_green_in_whole_tree_mode(tmp_path: Path) -> None:
    outcomes = run(copy_example(tmp_path))
    assert {cid: o.status for cid, o in outcomes.items()} == {
        "sm.no-missing-transitions": Status.PASS,
        "sm.no-unhandled-events": Status.PASS,
        "sm.invariants": Status.PASS,
        "sm.transition-coverage": Status.PASS,
        "sm.tests-updated": Status.NOT_APPLICABLE,
    }
    assert outcomes["sm.tests-updated"].reason == (
        "no base to compare with: the whole tree is the change, so no test can be told "
        "apart as updated"
    )


def test_example_is_green_through_the_pipeline_runner(tmp_path: Path) -> None:
    stage = StageDef(number=2, name="schema", title="sm", checks=SM_CHECKS)
    report = run_pipeline((stage,), context(copy_example(tmp_path)))
    statuses = {c.check_id: c.status for c in report.stages[0].checks}
    assert statuses["sm.transition-coverage"] is Status.PASS
    assert report.stages[0].status is Status.PASS


def test_no_machines_is_not_applicable(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    shutil.rmtree(root / "state_machines")
    outcomes = run(root)
    assert {o.status for o in outcomes.values()} == {Status.NOT_APPLICABLE}
    assert outcomes["sm.invariants"].reason == (
        "no state machine (*.sm.yaml) under [paths] state_machines"
    )


# -- sm.no-missing-transitions ---------------------------------------------------------------


def test_a_guard_with_a_type_error_is_sm_invalid_at_its_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, CONN, "guard: missed < 2", "guard: missed < true")
    line = line_of(root, CONN, "guard: missed < true")
    outcomes = run(root, only=CHECK_IDS[:3])
    assert outcomes["sm.no-missing-transitions"].findings == (
        ("sm.invalid", ("sm.no-missing-transitions", "principle.contracts"), CONN, line),
    )
    # the checks that need the model cannot verify it: ERROR, never PASS
    assert outcomes["sm.no-unhandled-events"].status is Status.ERROR
    assert outcomes["sm.invariants"].status is Status.ERROR
    assert outcomes["sm.invariants"].reason.startswith(f"{CONN}: {CONN}:{line}:")


def test_an_unbounded_int_is_sm_invalid(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, SUB, "{type: int, min: 0, max: 3,", "{type: int, min: 0,")
    line = line_of(root, SUB, "backlog: {type: int")
    outcomes = run(root, only=("sm.no-missing-transitions",))
    assert outcomes["sm.no-missing-transitions"].findings == (
        ("sm.invalid", ("sm.no-missing-transitions", "principle.contracts"), SUB, line),
    )


def test_a_transition_to_an_undeclared_state_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(
        root,
        CONN,
        "{from: draining, on: timeout, to: closed}",
        "{from: draining, on: timeout, to: gone}",
    )
    line = line_of(root, CONN, "to: gone")
    outcomes = run(root, only=("sm.no-missing-transitions",))
    rules = {(r, p, ln) for r, _c, p, ln in outcomes["sm.no-missing-transitions"].findings}
    assert ("sm.unknown-state", CONN, line) in rules


# -- sm.invariants ---------------------------------------------------------------------------


def test_a_violated_invariant_fails_with_its_counterexample(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(
        root,
        CONN,
        "missed_heartbeats_are_bounded: missed <= 2",
        "missed_heartbeats_are_bounded: missed <= 1",
    )
    line = line_of(root, CONN, "missed_heartbeats_are_bounded")
    outcomes = run(root, only=("sm.invariants",))
    assert outcomes["sm.invariants"].findings == (
        ("sm.invariants.invariant", ("sm.invariants",), CONN, line),
    )
    ctx = context(root)
    (check,) = [c for c in SM_CHECKS if c.id == "sm.invariants"]
    (finding,) = check.run(ctx)
    assert "(shortest counterexample: 3 steps)" in finding.message
    assert "Shortest counterexample:" in finding.help
    assert "heartbeat_missed" in finding.help


def test_a_state_space_over_the_limit_is_an_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, "aces.toml", "[state_machines]\n", "[state_machines]\nstate_limit = 2\n")
    outcomes = run(root, only=("sm.invariants",))
    assert outcomes["sm.invariants"].status is Status.ERROR
    assert "stopped at the state limit (2 distinct states" in outcomes["sm.invariants"].reason


# -- sm.transition-coverage ------------------------------------------------------------------


def test_a_transition_no_test_takes_is_uncovered_at_its_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(
        root,
        "tests/test_connection.py",
        '@pytest.mark.parametrize("last", ["close", "timeout"])',
        '@pytest.mark.parametrize("last", ["close"])',
    )
    line = line_of(root, CONN, "{from: draining, on: timeout, to: closed}")
    outcomes = run(root, only=("sm.transition-coverage",))
    assert outcomes["sm.transition-coverage"].findings == (
        ("sm.transition-coverage", ("sm.transition-coverage",), CONN, line),
    )
    (message,) = messages(root, "sm.transition-coverage")
    assert message == (
        "machine 'connection': transition draining --timeout--> closed is not exercised by "
        "any test (coverage 28/29, 96.6% < 100%)"
    )


def test_a_step_the_machine_does_not_declare_is_reported(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    # the code lets an open connection time out; the contract rejects that
    edit(
        root,
        "src/arqonbus_mini/connection.py",
        '"close": s.CLOSED}.get(event)',
        '"close": s.CLOSED, "timeout": s.CLOSED}.get(event)',
    )
    edit(
        root,
        "tests/test_connection.py",
        "def test_handshake_opens_and_close_closes() -> None:\n    conn = Connection()\n",
        "def test_handshake_opens_and_close_closes() -> None:\n"
        '    Connection(state=ConnectionState.OPEN).handle("timeout")\n'
        "    conn = Connection()\n",
    )
    outcomes = run(root, only=("sm.transition-coverage",))
    assert outcomes["sm.transition-coverage"].findings == (
        ("sm.transition-coverage.undeclared", ("sm.transition-coverage",), CONN, 1),
    )
    (message,) = messages(root, "sm.transition-coverage")
    assert message.startswith("$ACES_SM_TRACE_DIR/trace-")
    assert message.endswith(
        "the tests took a step the contract does not declare: machine 'connection' declares "
        "no transition open --timeout--> closed"
    )


def test_without_test_command_or_traces_coverage_is_an_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, "aces.toml", 'test_command = ["python", "-m", "pytest", "-q"]', "")
    outcomes = run(root, only=("sm.transition-coverage",))
    assert outcomes["sm.transition-coverage"] == Outcome(
        Status.ERROR,
        "no [state_machines] test_command in the policy and no trace in .aces/traces/: "
        "transition coverage cannot be verified (set test_command (e.g. "
        '["python", "-m", "pytest", "-q"]) in [state_machines])',
        (),
    )


def test_traces_in_the_trace_dir_are_read_and_bad_lines_are_an_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, "aces.toml", 'test_command = ["python", "-m", "pytest", "-q"]', "")
    traces = root / ".aces" / "traces"
    traces.mkdir(parents=True)
    good = (
        '{"machine": "session", "from": "connecting", "event": "authenticate", '
        '"to": "authenticated"}\n'
    )
    (traces / "run.jsonl").write_text(good + '{"machine": "session"}\n', encoding="utf-8")
    outcomes = run(root, only=("sm.transition-coverage",))
    assert outcomes["sm.transition-coverage"] == Outcome(
        Status.ERROR,
        "malformed trace line(s): .aces/traces/run.jsonl:2: missing field(s): from, event, to "
        "(each line is a JSON object {machine, from, event, to}; see docs/sm-coverage.md)",
        (),
    )
    (traces / "run.jsonl").write_text(good, encoding="utf-8")
    outcomes = run(root, only=("sm.transition-coverage",))
    assert len(outcomes["sm.transition-coverage"].findings) == 28  # 29 transitions, 1 taken


def test_a_failing_test_command_is_an_error(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(
        root,
        "tests/test_subscription.py",
        'assert sub.delivered == ["m1"]',
        "assert sub.delivered == []",
    )
    outcomes = run(root, only=("sm.transition-coverage",))
    assert outcomes["sm.transition-coverage"].status is Status.ERROR
    assert outcomes["sm.transition-coverage"].reason.startswith(
        "`python -m pytest -q` exited with code 1"
    )


# -- sm.tests-updated ------------------------------------------------------------------------


def test_a_changed_machine_without_a_changed_test_fails(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, SUB, "invariants:", "# the backlog is flushed on resume\ninvariants:")
    outcomes = run(root, base="HEAD", only=("sm.tests-updated",))
    assert outcomes["sm.tests-updated"].findings == (
        ("sm.tests-updated", ("sm.tests-updated",), SUB, 1),
    )
    assert messages(root, "sm.tests-updated", base="HEAD") == [
        "state machine 'subscription' changed but none of a test under tests/ that names "
        "'subscription' changed"
    ]


def test_a_changed_machine_with_a_changed_test_naming_it_passes(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, SUB, "invariants:", "# the backlog is flushed on resume\ninvariants:")
    edit(
        root,
        "tests/test_subscription.py",
        '"""The subscription lifecycle."""',
        '"""The subscription lifecycle (backlog)."""',
    )
    assert (
        run(root, base="HEAD", only=("sm.tests-updated",))["sm.tests-updated"].status is Status.PASS
    )


def test_the_policy_mapping_decides_which_tests_cover_a_machine(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    with (root / "aces.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[state_machines.tests]\nsubscription = ["tests/test_tenancy.py"]\n')
    git(root, "commit", "-q", "-am", "map")
    edit(root, SUB, "invariants:", "# the backlog is flushed on resume\ninvariants:")
    # a test naming the machine does not count: the mapping says which tests cover it
    edit(
        root,
        "tests/test_subscription.py",
        '"""The subscription lifecycle."""',
        '"""Subscriptions."""',
    )
    assert messages(root, "sm.tests-updated", base="HEAD") == [
        "state machine 'subscription' changed but none of the tests mapped to it "
        "(tests/test_tenancy.py) changed"
    ]
    edit(
        root,
        "tests/test_tenancy.py",
        '"""',
        '"""Subscription routing. ',
    )
    assert (
        run(root, base="HEAD", only=("sm.tests-updated",))["sm.tests-updated"].status is Status.PASS
    )


def test_no_machine_changed_is_not_applicable(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(
        root,
        "tests/test_subscription.py",
        '"""The subscription lifecycle."""',
        '"""Subscriptions."""',
    )
    assert run(root, base="HEAD", only=("sm.tests-updated",))["sm.tests-updated"] == Outcome(
        Status.NOT_APPLICABLE, "no state machine changed", ()
    )


@pytest.mark.parametrize("rel", [CONN, SESSION])
def test_every_example_machine_is_named_by_its_tests(rel: str, tmp_path: Path) -> None:
    root = git_example(tmp_path)
    edit(root, rel, "transitions:", "# reviewed\ntransitions:")
    outcomes = run(root, base="HEAD", only=("sm.tests-updated",))
    assert outcomes["sm.tests-updated"].findings == (
        ("sm.tests-updated", ("sm.tests-updated",), rel, 1),
    )
