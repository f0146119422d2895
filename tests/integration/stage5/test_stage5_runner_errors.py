"""Stage 5 when one of two runners cannot start: its cause is stated, the rest stands.

The example has a Python and a Rust runner. Its ``rust-toolchain.toml`` is
repinned to a release that is not installed: rustup may not download it, so
cargo cannot run. The Rust runner is ERROR whose first line names that cause;
the Python runner's failing test and the static determinism findings are kept.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.example_repo import context, copy_example

from aces.model import CheckResult, Status
from aces.pipeline.context import RunContext, RunOptions
from aces.pipeline.runner import run_pipeline
from aces.stages import STAGES
from aces.stages.s05_unit import STAGE

MISSING_RELEASE = "1.0.99"  # no such release: rustup could not install it even online
CAUSE = (
    f"runner 'rust': rust toolchain {MISSING_RELEASE} pinned by rust-toolchain.toml is not "
    "installed; rustup cannot download it offline — install it (rustup toolchain install "
    f"{MISSING_RELEASE}) or change the pin"
)
MUTATION = """

import time


def test_aces_runner_errors_fails() -> None:
    assert time.time() < 0
"""


def stage5(root: Path) -> dict[str, CheckResult]:
    base = context(root)
    options = RunOptions(stages=(STAGE.number,), use_cache=False)
    ctx = RunContext(base.workspace, base.change, base.loaded_policy, base.doctrine, options)
    report = run_pipeline(STAGES, ctx)
    return {c.check_id: c for c in report.checks}


def test_a_runner_that_cannot_start_keeps_the_other_results(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    (root / "rust-toolchain.toml").write_text(
        f'[toolchain]\nchannel = "{MISSING_RELEASE}"\n', encoding="utf-8"
    )
    target = root / "tests" / "test_session.py"
    lines = target.read_text(encoding="utf-8").count("\n")
    target.write_text(target.read_text(encoding="utf-8") + MUTATION, encoding="utf-8")
    checks = stage5(root)

    unit = checks["test.unit"]
    assert unit.status is Status.ERROR
    assert unit.reason.splitlines()[0] == CAUSE
    assert [(f.rule_id, f.location.path if f.location else None) for f in unit.findings] == [
        ("test.unit.failed", "tests/test_session.py")
    ]

    clock = checks["test.time-independence"]
    assert clock.status is Status.ERROR
    assert clock.reason.splitlines()[0] == CAUSE
    static = [(f.rule_id, f.location.line if f.location else None) for f in clock.findings]
    assert ("test.time-independence.wall-clock", lines + 7) in static


JUNIT = '<testsuite name="t"><testcase classname="t" name="test_ok" file="x.py"/></testsuite>'


def test_a_runner_that_cannot_run_is_started_once_and_the_other_is_compared(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    counter = tmp_path / "starts"
    broken = f"open({str(counter)!r}, 'a').write('x'); raise SystemExit(3)"
    good = f"open('{{out}}/junit.xml', 'w').write({JUNIT!r})"
    runners = "".join(
        f'[[tests.runners]]\nname = "{name}"\nargv = ["{{python}}", "-c", {json.dumps(code)}]\n'
        'report = "{out}/junit.xml"\n'
        for name, code in (("broken", broken), ("good", good))
    )  # a JSON string is a TOML basic string
    (root / "aces.toml").write_text(
        f'policy_version = "1.0.0"\ndoctrine = "aces-1.0.0"\n{runners}', encoding="utf-8"
    )
    checks = stage5(root)
    assert counter.read_text(encoding="utf-8") == "x"  # not again for the two variant runs
    for check_id in ("test.unit", "test.seeded-randomness", "test.time-independence"):
        assert checks[check_id].status is Status.ERROR
        assert checks[check_id].reason.startswith("runner 'broken': ")


FAKE_CARGO = """#!/bin/sh
echo "warning: Cargo.toml: unused manifest key: package.x" >&2
echo "error: no matching package named \\`zeta-sys\\` found" >&2
echo "As a reminder, you're using offline mode (--offline)" >&2
exit 101
"""


def test_a_cargo_run_that_cannot_get_its_dependencies_says_why(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    bin_dir = tmp_path / "bin"
    for folder in (root, bin_dir):
        folder.mkdir()
    cargo = bin_dir / "cargo"
    cargo.write_text(FAKE_CARGO, encoding="utf-8")
    cargo.chmod(0o755)
    (root / "aces.toml").write_text(
        'policy_version = "1.0.0"\ndoctrine = "aces-1.0.0"\n[[tests.runners]]\nname = "rust"\n'
        f'argv = ["{cargo}", "test"]\nreport_format = "libtest"\n',
        encoding="utf-8",
    )
    checks = stage5(root)
    assert checks["test.unit"].status is Status.ERROR
    first = checks["test.unit"].reason.splitlines()[0]
    assert first == (
        f"runner 'rust': `{cargo} test` cargo could not get the dependencies offline: no "
        "matching package named `zeta-sys` found (fetch them before the run: `cargo fetch`, "
        "or vendor them)"
    )
