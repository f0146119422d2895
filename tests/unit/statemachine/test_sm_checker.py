"""The model checker: counts, shortest counterexamples, deadlocks, bounds, limits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aces.engines.statemachine import load_machine, model_check, render_trace
from aces.errors import ToolError

ROOT = Path(__file__).resolve().parents[3]
TWOPHASE = ROOT / "benchmarks" / "models" / "twophase.sm.yaml"
CC = shutil.which("cc")  # the compiled backend takes the compiler its caller found

COUNTER = """\
name: counter
states: [run, done]
initial: run
final: [done]
events: [inc, finish]
variables:
  n: {type: int, min: 0, max: 3}
  flag: {type: bool}
transitions:
  - {from: run, on: inc, to: run, guard: n < 3, do: "n = n + 1; flag = not flag"}
  - {from: run, on: finish, to: done}
invariants:
  small: n <= 2
"""


def _twophase(size: int) -> str:
    text = TWOPHASE.read_text()
    elements = ", ".join(f"rm{i}" for i in range(1, size + 1))
    return text.replace("RM: [rm1, rm2, rm3]", f"RM: [{elements}]")


@pytest.mark.parametrize("backend", ["python", "c"])
def test_twophase_three_resource_managers_matches_tlc(backend: str) -> None:
    machine = load_machine(str(TWOPHASE), TWOPHASE.read_text())
    result = model_check(machine, backend=backend, compiler=CC)  # type: ignore[arg-type]
    assert (result.complete, result.distinct_states, result.generated, result.depth) == (
        True,
        288,
        1146,
        11,
    )
    assert result.violations == ()
    assert result.backend == backend


@pytest.mark.parametrize("backend", ["python", "c"])
def test_shortest_counterexample_is_printed(backend: str) -> None:
    machine = load_machine("counter.sm.yaml", COUNTER)
    result = model_check(machine, backend=backend, compiler=CC)  # type: ignore[arg-type]
    [violation] = result.violations
    assert (violation.kind, violation.name, violation.line, violation.column) == (
        "invariant",
        "small",
        13,
        3,
    )
    assert violation.message == "invariant 'small' is violated after 3 step(s)"
    assert render_trace(violation.trace) == (
        "step  event      state  n  flag\n"
        "0     (initial)  run    0  false\n"
        "1     inc        run    1  true\n"
        "2     inc        run    2  false\n"
        "3     inc        run    3  true\n"
    )


@pytest.mark.parametrize("backend", ["python", "c"])
def test_parameterised_counterexample_names_the_element(backend: str) -> None:
    text = TWOPHASE.read_text().replace(
        "invariants:\n", "invariants:\n  nobody_commits: 'all(r in RM: rmState[r] != committed)'\n"
    )
    machine = load_machine("2pc.sm.yaml", text)
    [violation] = model_check(machine, backend=backend, compiler=CC).violations  # type: ignore[arg-type]
    events = [(step.event, step.param) for step in violation.trace]
    assert events == [
        (None, None),
        ("RMPrepare", "rm1"),
        ("TMRcvPrepared", "rm1"),
        ("RMPrepare", "rm2"),
        ("TMRcvPrepared", "rm2"),
        ("RMPrepare", "rm3"),
        ("TMRcvPrepared", "rm3"),
        ("TMCommit", None),
        ("RMRcvCommitMsg", "rm1"),
    ]
    assert violation.trace[-1].variables["rmState"] == {
        "rm1": "committed",
        "rm2": "prepared",
        "rm3": "prepared",
    }
    header = render_trace(violation.trace).splitlines()[0].split()
    assert header[:5] == ["step", "event", "state", "rmState[rm1]", "rmState[rm2]"]


@pytest.mark.parametrize("backend", ["python", "c"])
def test_deadlock_in_a_non_final_state(backend: str) -> None:
    text = COUNTER.replace("  - {from: run, on: finish, to: done}\n", "").replace(
        "  small: n <= 2\n", "  small: n <= 3\n"
    )
    result = model_check(load_machine("c.sm.yaml", text), backend=backend, compiler=CC)  # type: ignore[arg-type]
    assert [(v.kind, v.name, v.line, v.column, len(v.trace)) for v in result.violations] == [
        ("deadlock", "run", 2, 10, 4),
        ("final-unreachable", "run", 2, 10, 1),
    ]
    assert result.violations[0].message == (
        "deadlock: no transition is enabled in non-final state 'run'"
    )


@pytest.mark.parametrize("backend", ["python", "c"])
def test_final_state_unreachable_without_deadlock(backend: str) -> None:
    text = (
        COUNTER.replace("[run, done]", "[run, done, stuck]")
        .replace("[inc, finish]", "[inc, finish, jam]")
        .replace(
            "  - {from: run, on: finish, to: done}\n",
            "  - {from: run, on: finish, to: done}\n  - {from: run, on: jam, to: stuck}\n"
            "  - {from: stuck, on: jam, to: stuck}\n",
        )
        .replace("  small: n <= 2\n", "  small: n <= 3\n")
    )
    result = model_check(load_machine("c.sm.yaml", text), backend=backend, compiler=CC)  # type: ignore[arg-type]
    [violation] = result.violations
    assert (violation.kind, violation.name, violation.message) == (
        "final-unreachable",
        "stuck",
        "no final state can be reached from this 'stuck' state",
    )
    assert [step.event for step in violation.trace] == [None, "jam"]


@pytest.mark.parametrize("backend", ["python", "c"])
def test_int_overflow_in_an_action_is_a_bound_violation(backend: str) -> None:
    text = COUNTER.replace("guard: n < 3, ", "").replace("  small: n <= 2\n", "  small: n <= 3\n")
    result = model_check(load_machine("c.sm.yaml", text), backend=backend, compiler=CC)  # type: ignore[arg-type]
    [violation] = result.violations
    assert (violation.kind, violation.name, violation.line, violation.column) == (
        "bound",
        "n",
        10,
        5,
    )
    assert violation.message == "'inc' sets n to 4, outside [0, 3], after 3 step(s)"
    assert [step.variables["n"] for step in violation.trace] == [0, 1, 2, 3]


@pytest.mark.parametrize("backend", ["python", "c"])
def test_state_limit_makes_the_result_incomplete(backend: str) -> None:
    machine = load_machine(str(TWOPHASE), TWOPHASE.read_text())
    result = model_check(machine, state_limit=100, backend=backend, compiler=CC)  # type: ignore[arg-type]
    assert (result.complete, result.distinct_states) == (False, 100)
    exact = model_check(machine, state_limit=288, backend=backend, compiler=CC)  # type: ignore[arg-type]
    assert (exact.complete, exact.distinct_states) == (True, 288)


@pytest.mark.parametrize("size", [1, 2, 4, 5])
def test_backends_agree_on_counts(size: int) -> None:
    machine = load_machine("2pc.sm.yaml", _twophase(size))
    python = model_check(machine, backend="python")
    compiled = model_check(machine, backend="c", compiler=CC)
    assert (python.distinct_states, python.generated, python.depth) == (
        compiled.distinct_states,
        compiled.generated,
        compiled.depth,
    )
    assert python.violations == compiled.violations


def test_auto_falls_back_to_python_without_a_compiler() -> None:
    machine = load_machine(str(TWOPHASE), TWOPHASE.read_text())
    result = model_check(machine)
    assert (result.backend, result.distinct_states) == ("python", 288)


@pytest.mark.skipif(CC is None, reason="no C compiler")
def test_auto_uses_the_compiled_backend_when_a_compiler_is_given() -> None:
    machine = load_machine(str(TWOPHASE), TWOPHASE.read_text())
    result = model_check(machine, compiler=CC)
    assert (result.backend, result.distinct_states) == ("c", 288)
    assert result.memory_bytes > 0


def test_without_a_compiler_auto_explores_in_python_and_c_is_an_error() -> None:
    machine = load_machine("c.sm.yaml", COUNTER)
    assert model_check(machine).backend == "python"
    assert model_check(machine, compiler=CC).backend == ("c" if CC else "python")
    with pytest.raises(ToolError, match="no C compiler"):
        model_check(machine, backend="c")
