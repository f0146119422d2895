"""Stage 5 when one of two runners cannot start: its cause is stated, the rest stands.

The example has a Python and a Rust runner. Its ``rust-toolchain.toml`` is
repinned to a release that is not installed: rustup may not download it, so
cargo cannot run. The Rust runner is ERROR whose first line names that cause;
the Python runner's failing test and the static determinism findings are kept.
"""

from __future__ import annotations

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
