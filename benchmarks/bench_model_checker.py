"""The state-machine model checker against SPIN, on the same models written in both languages.

Models (``benchmarks/models/``): the TLA+ examples' TwoPhase commit with 3 and 8 resource
managers (``twophase.sm.yaml`` / ``twophase.pml``) and a connection lifecycle of 5 clients
(``lifecycle.sm.yaml`` / ``lifecycle.pml``). For each, both tools compile their model (aces:
generated C with ``cc -O2``; SPIN: ``spin -a`` then ``gcc -O2 -DSAFETY -DNOREDUCE``, once in
its default depth-first mode and once with ``-DBFS``) and then run the exploration; the run
is timed (best of ``--repeat``), the compile shown apart. Distinct states must be identical
(exit 1 otherwise); generated states equal SPIN's "transitions". Printed per model and tool:
states, generated, depth, compile and run seconds, states/s, bytes per stored state, and the
ratio of aces' states/s to the faster SPIN mode (the goal is >= 0.5, and <= 64 bytes/state).

    .venv/bin/python benchmarks/bench_model_checker.py [--repeat 3] [--python]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from aces.engines.statemachine import load_machine, model_check
from aces.engines.statemachine.cbackend import c_source, parse_output

MODELS = Path(__file__).resolve().parent / "models"
GOAL_RATIO = 0.5
GOAL_BYTES = 64
SPIN_DEPTH = "-m10000000"


@dataclass(frozen=True)
class Case:
    """One model at one size: the set line of the YAML is resized to ``size`` elements."""

    label: str
    stem: str
    set_line: str
    size: int


CASES = (
    Case("TwoPhase, 3 RMs", "twophase", "RM: [rm1, rm2, rm3]", 3),
    Case("TwoPhase, 8 RMs", "twophase", "RM: [rm1, rm2, rm3]", 8),
    Case("Lifecycle, 5 clients", "lifecycle", "C: {size: 5}", 5),
)


@dataclass(frozen=True)
class Row:
    """One tool's figures on one case."""

    tool: str
    states: int
    generated: int
    depth: int
    compile_seconds: float
    run_seconds: float
    bytes_per_state: float

    @property
    def rate(self) -> float:
        """Distinct states per second of exploration."""
        return self.states / self.run_seconds if self.run_seconds else float("inf")


def compiler() -> str:
    """The C compiler on PATH (checked before the benchmark starts)."""
    return shutil.which("cc") or "cc"


def _machine_text(case: Case) -> str:
    text = (MODELS / f"{case.stem}.sm.yaml").read_text(encoding="utf-8")
    name = case.set_line.split(":")[0]
    return text.replace(case.set_line, f"{name}: {{size: {case.size}}}")


def _best(command: list[str], cwd: str, repeat: int) -> tuple[str, float]:
    best = float("inf")
    output = ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=True)
        best = min(best, time.perf_counter() - start)
        output = done.stdout
    return output, best


def run_aces(case: Case, work: str, repeat: int) -> Row:
    """Compile the machine to C once, then time the explorer binary."""
    machine = load_machine(f"{case.stem}.sm.yaml", _machine_text(case))
    assert machine.program is not None
    source = Path(work) / f"{case.stem}{case.size}.c"
    binary = Path(work) / f"{case.stem}{case.size}"
    start = time.perf_counter()
    source.write_text(c_source(machine.program), encoding="utf-8")
    subprocess.run([compiler(), "-O2", "-o", str(binary), str(source)], check=True)
    compile_seconds = time.perf_counter() - start
    output, seconds = _best([str(binary), "100000000"], work, repeat)
    raw = parse_output(output)
    return Row(
        "aces (C)",
        raw.distinct,
        raw.generated,
        raw.depth,
        compile_seconds,
        seconds,
        raw.memory_bytes / raw.distinct,
    )


def run_aces_python(case: Case) -> Row:
    """The reference backend, for comparison (slow on the large model)."""
    machine = load_machine(f"{case.stem}.sm.yaml", _machine_text(case))
    start = time.perf_counter()
    result = model_check(machine, backend="python", state_limit=100_000_000)
    seconds = time.perf_counter() - start
    return Row(
        "aces (Python)",
        result.distinct_states,
        result.generated,
        result.depth,
        0.0,
        seconds,
        0.0,
    )


def run_spin(case: Case, work: str, repeat: int, bfs: bool) -> Row:
    """``spin -a``, ``gcc``, then time ``./pan``."""
    folder = Path(work) / f"spin-{case.stem}{case.size}{'-bfs' if bfs else ''}"
    folder.mkdir()
    shutil.copy(MODELS / f"{case.stem}.pml", folder)
    start = time.perf_counter()
    subprocess.run(
        ["spin", f"-DN={case.size}", "-a", f"{case.stem}.pml"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    flags = ["-O2", "-DSAFETY", "-DNOREDUCE", *(["-DBFS"] if bfs else [])]
    subprocess.run(["gcc", *flags, "-o", "pan", "pan.c"], cwd=folder, check=True)
    compile_seconds = time.perf_counter() - start
    output, seconds = _best(["./pan", SPIN_DEPTH], str(folder), repeat)
    if "errors: 0" not in output:
        raise SystemExit(f"SPIN reported errors on {case.label}:\n{output}")
    states = _number(r"(\d+) states, stored", output)
    generated = _number(r"(\d+) transitions \(= stored\+matched\)", output)
    depth = _number(r"depth reached (\d+)", output)
    memory = float(re.search(r"([\d.]+)\s+total actual memory usage", output).group(1))  # type: ignore[union-attr]
    return Row(
        f"SPIN ({'BFS' if bfs else 'DFS'})",
        states,
        generated,
        depth + 1,  # SPIN counts edges from the initial state; aces and TLC count states
        compile_seconds,
        seconds,
        memory * 1024 * 1024 / states,
    )


def _number(pattern: str, text: str) -> int:
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"unexpected SPIN output, no /{pattern}/:\n{text}")
    return int(match.group(1))


def _print(case: Case, rows: list[Row]) -> None:
    print(f"\n{case.label}")
    print(
        f"  {'tool':<14} {'states':>10} {'generated':>11} {'depth':>5} "
        f"{'compile s':>9} {'run s':>7} {'states/s':>11} {'B/state':>8}"
    )
    for row in rows:
        memory = f"{row.bytes_per_state:8.1f}" if row.bytes_per_state else f"{'-':>8}"
        print(
            f"  {row.tool:<14} {row.states:>10,} {row.generated:>11,} {row.depth:>5} "
            f"{row.compile_seconds:>9.2f} {row.run_seconds:>7.3f} {row.rate:>11,.0f} {memory}"
        )


def main() -> int:
    """Run every case; exit 1 when state counts differ."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--python", action="store_true", help="also time the Python backend")
    args = parser.parse_args()
    if shutil.which("spin") is None or shutil.which("cc") is None:
        print("needs spin and a C compiler on PATH", file=sys.stderr)
        return 2
    mismatches = 0
    with tempfile.TemporaryDirectory(prefix="aces-bench-sm-") as work:
        for case in CASES:
            aces = run_aces(case, work, args.repeat)
            spins = [run_spin(case, work, args.repeat, bfs) for bfs in (False, True)]
            rows = [aces, *spins]
            if args.python:
                rows.append(run_aces_python(case))
            _print(case, rows)
            fastest = max(spins, key=lambda row: row.rate)
            same = all((r.states, r.generated) == (aces.states, aces.generated) for r in rows)
            mismatches += not same
            print(
                f"  counts identical: {'yes' if same else 'NO'}; states/s ratio aces/"
                f"{fastest.tool} = {aces.rate / fastest.rate:.2f} (goal >= {GOAL_RATIO}); "
                f"aces {aces.bytes_per_state:.1f} bytes/state (goal <= {GOAL_BYTES})"
            )
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
