"""A stage whose checks all hang on one tool ends within its budget and leaves nothing behind.

Builds a small repository whose stage 5 declares one test runner, ``cargo test``, and
has everything the other checks of the stage read (core libraries, hot paths, a
coverage baseline, a state machine), so every check of the stage waits on that run.
``cargo`` is a shim on PATH that sleeps forever. Then times ``aces run --stage 5``
with ``check_timeout_seconds`` = the budget (10 s) and counts the shim processes
still alive after aces exits.

    .venv/bin/python benchmarks/bench_deadline.py [--budget 10]

Goals: exit code 2, wall time < budget + 5 s, 0 processes left.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MARKER = "86399.4242"  # an odd sleep length only the shim uses
SLACK_SECONDS = 5.0

POLICY = """policy_version = "1.0.0"
check_timeout_seconds = {budget}

[paths]
core_libraries = ["src"]
hot_paths = ["src"]
state_machines = ["state_machines"]

[tests]
coverage_baseline = "coverage-baseline.json"

[[tests.runners]]
name = "rust"
argv = ["cargo", "test", "--offline", "--color", "never"]
report_format = "libtest"
coverage = "lcov.info"
coverage_format = "lcov"
"""

MACHINE = """name: door
states: [shut, open]
initial: shut
final: [shut]
events: [push, pull]
transitions:
  - {from: shut, on: push, to: open}
  - {from: open, on: pull, to: shut}
"""

# The shim's command line (and its sleep's) carries the marker, so leftovers can be counted.
SHIM = f"""#!/bin/sh
sleep {MARKER}
"""


def build(root: Path, budget: float) -> Path:
    """The repository and a bin directory holding the hanging ``cargo``; returns the bin dir."""
    repo = root / "repo"
    files = {
        "aces.toml": POLICY.format(budget=budget),
        "Cargo.toml": '[package]\nname = "door"\nversion = "0.1.0"\nedition = "2021"\n',
        "src/lib.rs": "pub fn open() -> bool {\n    true\n}\n",
        "state_machines/door.sm.yaml": MACHINE,
        "coverage-baseline.json": json.dumps(
            {"aces_coverage_baseline": 1, "files": {"src/lib.rs": 100.0}}
        ),
    }
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    bin_dir = root / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "cargo"
    shim.write_text(SHIM, encoding="utf-8")
    shim.chmod(0o755)
    return bin_dir


def leftovers(shim: Path) -> list[int]:
    """Live processes running the shim or its sleep."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and (MARKER.encode() in cmdline or bytes(shim) in cmdline):
            found.append(int(entry.name))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=10.0, help="check_timeout_seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aces-bench-deadline-") as tmp:
        bin_dir = build(Path(tmp), args.budget)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        argv = [sys.executable, "-m", "aces", "run", str(Path(tmp, "repo")), "--stage", "5"]
        started = time.monotonic()
        done = subprocess.run(
            [*argv, "--no-cache", "--quiet", "--format", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=args.budget * 10,
            check=False,
        )
        wall = time.monotonic() - started
        time.sleep(0.2)  # let the kernel finish reaping
        left = leftovers(bin_dir / "cargo")
        checks = json.loads(done.stdout)["stages"][4]["checks"] if done.stdout else []
    errors = sum(1 for c in checks if c["status"] == "ERROR")
    goal = args.budget + SLACK_SECONDS
    on_budget = sum(1 for c in checks if "time budget" in c.get("reason", ""))
    print(f"checks in stage 5: {len(checks)}, ERROR: {errors}, ended by the budget: {on_budget}")
    print(f"exit code: {done.returncode} (goal 2)")
    print(f"wall time to exit: {wall:.2f} s (goal < {goal:g} s, ratio {wall / goal:.2f})")
    print(f"processes left: {len(left)} (goal 0)")
    ok = done.returncode == 2 and wall < goal and not left
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
