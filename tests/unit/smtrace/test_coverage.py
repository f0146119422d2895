"""Transition coverage: matching trace steps to declared transitions."""

from __future__ import annotations

from aces.engines.smtrace import TraceProblem, TraceStep, TransitionRef, compute_coverage

PATH = "state_machines/conn.sm.yaml"


def ref(tid: str, source: str, event: str, target: str, line: int) -> TransitionRef:
    return TransitionRef("conn", PATH, line, 5, tid, source, event, target)


OPEN = ref("t1", "idle", "open", "open", 10)
CLOSE = ref("t2", "open", "close", "closed", 11)
RETRY_A = ref("t3", "open", "retry", "open", 12)  # two transitions share one triple
RETRY_B = ref("t4", "open", "retry", "open", 13)
ALL = (OPEN, CLOSE, RETRY_A, RETRY_B)


def step(source: str, event: str, target: str, tid: str = "", line: int = 1) -> TraceStep:
    return TraceStep("t.jsonl", line, "conn", source, event, target, tid)


def test_every_transition_taken_is_full_coverage() -> None:
    steps = [
        step("idle", "open", "open"),
        step("open", "retry", "open", "t3"),
        step("open", "retry", "open", "t4"),
        step("open", "close", "closed"),
    ]
    report = compute_coverage(ALL, steps)
    assert report.percent == 100.0
    assert (report.covered, report.total) == (4, 4)
    assert report.undeclared == ()
    assert report.machines[0].uncovered == ()


def test_untaken_transitions_are_uncovered_in_line_order() -> None:
    report = compute_coverage(ALL, [step("idle", "open", "open")])
    (machine,) = report.machines
    assert machine.covered == (OPEN,)
    assert machine.uncovered == (CLOSE, RETRY_A, RETRY_B)
    assert report.percent == 25.0
    assert machine.ambiguous == frozenset()


def test_an_ambiguous_step_covers_none_of_the_transitions_it_may_be() -> None:
    report = compute_coverage(ALL, [step("open", "retry", "open")])
    (machine,) = report.machines
    assert machine.uncovered == ALL
    assert machine.ambiguous == frozenset({"t3", "t4"})


def test_steps_the_contract_does_not_declare_are_reported_at_their_line() -> None:
    steps = [
        step("idle", "close", "closed", line=3),
        step("open", "close", "closed", "t9", line=4),
        TraceStep("t.jsonl", 5, "ghost", "a", "b", "c"),
    ]
    report = compute_coverage(ALL, steps)
    assert report.undeclared == (
        TraceProblem(
            "t.jsonl", 3, "machine 'conn' declares no transition idle --close--> closed", "conn"
        ),
        TraceProblem(
            "t.jsonl", 4, "machine 'conn' has no transition 't9' open --close--> closed", "conn"
        ),
        TraceProblem("t.jsonl", 5, "machine 'ghost' is not declared", "ghost"),
    )
    assert report.covered == 0


def test_no_transitions_is_full_coverage() -> None:
    report = compute_coverage((), ())
    assert report.percent == 100.0
    assert report.machines == ()


def test_describe() -> None:
    assert OPEN.describe() == "idle --open--> open"
