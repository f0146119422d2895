"""``aces sm check`` and ``aces sm graph``: output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.cli.main import main

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini" / "state_machines"
MACHINE = """\
name: door
states: [closed, open, locked]
initial: closed
final: [locked]
events: [push, pull, lock]
variables:
  pushes: {type: int, min: 0, max: 3}
transitions:
  - {from: closed, on: push, to: open, guard: pushes < 3, do: pushes = pushes + 1}
  - {from: open, on: pull, to: closed}
  - {from: closed, on: lock, to: locked}
reject:
  closed: [pull, push]
  open: [push, lock]
  locked: ["*"]
invariants:
  few_pushes: pushes <= 3
"""


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "door.sm.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_example_machines_pass(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(EXAMPLE / f"{n}.sm.yaml") for n in ("connection", "session", "subscription")]
    code, out, _ = run(capsys, "sm", "check", *files)
    assert code == 0
    assert out.splitlines()[-1] == "result: PASS"
    assert "machine 'connection': 4 states, 7 events, 10 transitions" in out
    assert "  model check: complete, 10 distinct states, 22 generated, depth 5" in out


def test_a_violated_invariant_prints_the_shortest_counterexample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MACHINE.replace("pushes <= 3", "pushes <= 1"))
    code, out, _ = run(capsys, "sm", "check", path)
    assert code == 1
    lines = out.splitlines()
    start = lines.index("    shortest counterexample (3 steps):")
    assert lines[start - 1] == (
        f"  {path}:17:3: sm.invariants.invariant: invariant 'few_pushes' is violated after "
        "3 step(s)"
    )
    assert lines[start + 1 : start + 6] == [
        "      step  event      state   pushes",
        "      0     (initial)  closed  0",
        "      1     push       open    1",
        "      2     pull       closed  1",
        "      3     push       open    2",
    ]
    assert lines[-1] == "result: FAIL"


def test_a_static_issue_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, MACHINE.replace("  open: [push, lock]\n", ""))
    code, out, _ = run(capsys, "sm", "check", path)
    assert code == 1
    assert f"  {path}:2:18: sm.unhandled-event: state 'open' does not handle event 'push'" in out


def test_a_machine_that_does_not_load_cannot_be_verified(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MACHINE.replace("pushes < 3", "pushes < true"))
    code, out, _ = run(capsys, "sm", "check", path)
    assert code == 2
    assert out.splitlines() == [
        f"{path}:9:56: cannot compare int with bool  [sm.invalid]",
        "result: ERROR",
    ]


def test_the_state_limit_makes_the_check_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, MACHINE)
    code, out, _ = run(capsys, "sm", "check", "--state-limit", "2", path)
    assert code == 2
    assert "  model check: INCOMPLETE at the state limit (2):" in out
    assert out.splitlines()[-1] == "result: ERROR"


def test_a_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "sm", "check", str(tmp_path / "nope.sm.yaml"))
    assert code == 2
    assert out.splitlines() == [
        f"{tmp_path / 'nope.sm.yaml'}: cannot read the file: No such file or directory",
        "result: ERROR",
    ]


@pytest.mark.parametrize(
    ("fmt", "first"), [("mermaid", "stateDiagram-v2"), ("dot", 'digraph "door" {')]
)
def test_graph_prints_a_diagram(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, first: str
) -> None:
    code, out, _ = run(capsys, "sm", "graph", "--format", fmt, write(tmp_path, MACHINE))
    assert code == 0
    assert out.splitlines()[0] == first
    assert "push" in out


def test_graph_of_a_bad_machine_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "sm", "graph", write(tmp_path, "name: [x\n"))
    assert code == 2
    assert err.startswith(f"aces: error: {tmp_path / 'door.sm.yaml'}:")
