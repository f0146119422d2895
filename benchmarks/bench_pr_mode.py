"""PR mode on a large repository: the change's findings, the debt counted, timed.

Builds a git repository of ``--files`` Python modules (default 5,000), every tenth
one carrying lint debt (an unused import, a bare ``except``), commits it on
``main``, then changes ``--changed`` modules (default 100) on a branch: each gets a
new function, and every tenth one a new violation on a changed line. Times
``aces run --stage N ... --keep-going --base main`` as a user runs it (a fresh process, empty
cache) over every stage that does not execute the project's tests (``--stages``,
default 1, 2, 3, 4, 7 and 11: stages 5 and 6 run the tests and the topology) and
prints the wall time against the target (< 20 s), the blocking findings (each
must lie in a changed file, or be about the repository as a whole) and the debt
each check counted.

    .venv/bin/python benchmarks/bench_pr_mode.py [--files 5000] [--changed 100] [--stages 1,2,3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 20.0
CLEAN = 'import os\n\n\ndef value_{n}() -> str:\n    return os.sep + "{n}"\n'
DEBT = (
    "import os\nimport sys\n\n\ndef value_{n}() -> str:\n"
    '    try:\n        return os.sep + "{n}"\n    except:\n        return ""\n'
)
ADDED = '\n\ndef extra_{n}() -> str:\n    return "{n}"\n'
VIOLATION = '\n\ndef broken_{n}() -> str:\n    unused = "{n}"\n    return "x"\n'


def git(root: Path, *args: str) -> None:
    """Run git quietly in ``root`` with a fixed identity."""
    subprocess.run(
        ["git", "-c", "user.name=b", "-c", "user.email=b@example.invalid", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def build(root: Path, files: int, changed: int) -> tuple[int, set[str]]:
    """The repository with its base on ``main`` and the change on ``feature``: the new
    violations planted and the changed paths."""
    for n in range(files):
        path = root / "pkg" / f"mod{n // 100:03d}" / f"m{n:05d}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((DEBT if n % 10 == 0 else CLEAN).format(n=n), encoding="utf-8")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "1"\nrequires-python = ">=3.11"\n', encoding="utf-8"
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    step = max(files // changed, 1)
    violations = 0
    paths: set[str] = set()
    for i in range(changed):
        n = (i * step + i % 2) % files  # half of them debt modules (n % 10 == 0)
        path = root / "pkg" / f"mod{n // 100:03d}" / f"m{n:05d}.py"
        extra = VIOLATION if i % 10 == 0 else ADDED
        violations += extra is VIOLATION
        paths.add(path.relative_to(root).as_posix())
        path.write_text(path.read_text(encoding="utf-8") + extra.format(n=n), encoding="utf-8")
    git(root, "commit", "-q", "-am", "change")
    return violations, paths


def run(root: Path, stages: list[str]) -> tuple[float, int, dict[str, object]]:
    """Wall time, exit code and report of ``aces run --stage N ... --base main``."""
    out = root / ".aces" / "bench-out"
    argv = [sys.executable, "-m", "aces", "run", str(root), "--base", "main"]
    argv += [arg for stage in stages for arg in ("--stage", stage)]
    argv += ["--keep-going", "--no-cache", "--quiet", "--format", "json", "--out", str(out)]
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=dict(os.environ))
    elapsed = time.perf_counter() - start
    if done.returncode == 2:
        raise SystemExit(f"aces could not verify:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    report: dict[str, object] = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return elapsed, done.returncode, report


def summarise(report: dict[str, object]) -> tuple[list[str], list[str], list[str]]:
    """The blocking findings (rule and place), the debt notes and the stage verdicts."""
    blocking: list[str] = []
    debt: list[str] = []
    verdicts: list[str] = []
    stages = report.get("stages", [])
    assert isinstance(stages, list)
    for stage in stages:
        verdicts.append(f"{stage.get('slug', stage.get('number'))} {stage.get('status')}")
        for check in stage.get("checks", []):
            for finding in check.get("findings", []):
                where = finding.get("location") or {}
                place = f"{where.get('path', '')}:{where.get('line', '')}"
                if finding.get("severity") == "note":
                    debt.append(f"{finding['rule_id']}: {finding['message']}")
                else:
                    blocking.append(f"{finding['rule_id']} {place}")
    return blocking, debt, verdicts


def main() -> int:
    """Build, run, print the figures; exit 1 when the target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--stages", default="1,2,3,4,7,11")
    args = parser.parse_args()
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    root = Path(tempfile.mkdtemp(prefix="aces-bench-pr-"))
    try:
        start = time.perf_counter()
        expected, changed = build(root, args.files, args.changed)
        took = time.perf_counter() - start
        print(f"built {args.files} files, {args.changed} changed in {took:.1f} s")
        elapsed, code, report = run(root, stages)
        blocking, debt, verdicts = summarise(report)
        print(
            f"aces run --stage {' --stage '.join(stages)} --base main: {elapsed:.2f} s "
            f"(target < {TARGET_SECONDS:.0f} s, ratio {elapsed / TARGET_SECONDS:.2f}), exit {code}"
        )
        print("stages: " + ", ".join(verdicts))
        outside = [b for b in blocking if b.split(" ", 1)[1].split(":", 1)[0] not in changed]
        print(f"blocking findings: {len(blocking)} (new violations planted: {expected}); "
              f"outside the changed files: {len(outside)}")  # fmt: skip
        for line in [*outside, *blocking][:20]:
            print(f"  {line}")
        print("debt:")
        for line in debt:
            print(f"  {line}")
        return 0 if elapsed < TARGET_SECONDS else 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
