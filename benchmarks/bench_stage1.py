"""Stage 1 and the pipeline overhead on a synthetic repository, cold and from cache.

Builds a git repository of 20,000 files with 500 specs (half ``specs/<feature>.md``,
half spec-kit ``specs/NNN-feature/spec.md``), 500 proto files each covered by a spec,
and the tests the specs' acceptance criteria bind to. Then times
``aces run --stage 1`` as a user runs it (a fresh process) with an empty cache and again
unchanged, and prints each figure against its target as a ratio (< 1.0 meets it).

    .venv/bin/python benchmarks/bench_stage1.py [--files 20000] [--specs 500]
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

COLD_TARGET_SECONDS = 2.0
CACHED_TARGET_SECONDS = 0.3

SPEC = """---
covers:
  - proto/feature{n}/**
proto_packages:
  - arqonbus.feature{n}.v1
---
# Feature {n}

## Acceptance Criteria

- AC-1: Given a tenant, when it publishes, then subscribers receive the message.
  Verified by: `tests/test_feature{n}.py::test_publish`

## Failure Modes

A dropped connection is retried with backoff; the client sees an error frame.

## Security Implications

Every frame is authenticated and scoped to the tenant of its token.

## Performance Constraints

p99 publish latency stays under 5 ms at 10,000 messages per second.

## Invariants

A message is delivered at most once per subscriber, in publish order.

References `proto/feature{n}/v1/feature{n}.proto`.
"""

PROTO = """syntax = "proto3";

package arqonbus.feature{n}.v1;

// @since 1.0.0
message Feature{n} {{
  // @since 1.0.0
  string id = 1;
}}
"""

TEST = """def test_publish() -> None:
    assert 1 + 1 == 2
"""


def build_repo(root: Path, files: int, specs: int) -> None:
    """Write the synthetic repository and commit it."""
    written = 0
    (root / "aces.toml").write_text('policy_version = "1.0.0"\n', encoding="utf-8")
    for n in range(specs):
        if n % 2:
            spec = root / "specs" / f"{n:03d}-feature{n}" / "spec.md"
        else:
            spec = root / "specs" / f"feature{n}.md"
        proto = root / "proto" / f"feature{n}" / "v1" / f"feature{n}.proto"
        test = root / "tests" / f"test_feature{n}.py"
        for path, text in ((spec, SPEC), (proto, PROTO), (test, TEST)):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.format(n=n), encoding="utf-8")
            written += 1
    n = 0
    while written < files:
        path = root / "src" / f"pkg{n % 200}" / f"module{n}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"VALUE_{n} = {n}\n", encoding="utf-8")
        written += 1
        n += 1
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.invalid"}
    for argv in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"]):
        subprocess.run(argv, cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "synthetic"], cwd=root, check=True, env=env)


def aces_env() -> dict[str, str]:
    """The environment of a user's shell: bytecode caching on, as it is by default."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_run(root: Path) -> tuple[float, float, int]:
    """Process seconds, in-pipeline seconds and exit code of one ``aces run --stage 1``."""
    argv = [sys.executable, "-m", "aces", "run", str(root), "--stage", "1", "--quiet"]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=False, env=aces_env())
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stdout + done.stderr)
    report = json.loads((root / ".aces" / "out" / "report.json").read_text(encoding="utf-8"))
    return elapsed, float(report["timing"]["total_seconds"]), done.returncode


def main() -> int:
    """Build, run cold, run cached, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--specs", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3, help="cached runs to take the best of")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aces-bench-"))
    try:
        build_repo(work, args.files, args.specs)
        version = [sys.executable, "-m", "aces", "--version"]
        subprocess.run(version, check=True, env=aces_env(), capture_output=True)
        cold, cold_pipeline, code = time_run(work)
        cached, cached_pipeline, _ = min(time_run(work) for _ in range(args.runs))
        startup = min(
            _time(lambda: subprocess.run(version, check=True, env=aces_env(), capture_output=True))
            for _ in range(args.runs)
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"repository: {args.files} files, {args.specs} specs; stage 1 exit code {code}")
    print(
        f"cold run:   {cold:.3f} s  target {COLD_TARGET_SECONDS} s  "
        f"ratio {cold / COLD_TARGET_SECONDS:.2f}  (pipeline alone {cold_pipeline:.3f} s)"
    )
    print(
        f"cached run: {cached:.3f} s  target {CACHED_TARGET_SECONDS} s  "
        f"ratio {cached / CACHED_TARGET_SECONDS:.2f}  (pipeline alone {cached_pipeline:.3f} s)"
    )
    print(f"(python + aces import alone: {startup:.3f} s)")
    return 0 if code == 0 else 1


def _time(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return time.perf_counter() - started


if __name__ == "__main__":
    sys.exit(main())
