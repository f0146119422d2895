"""Stage 5 on the reference example and on mutated copies of it.

The example is green: its Python and Rust tests pass, its core library is above
85% line coverage, no file is under the committed baseline, the tests take every
state-machine transition and its test code is deterministic. Each mutation is
made in a copy; failing cases name the rule id, clause ids, file and line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.integration.example_repo import copy_example

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import Status
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.s05_unit import STAGE
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

Found = tuple[str, tuple[str, ...], str, int | None]


@dataclass(frozen=True)
class Outcome:
    """What one check said."""

    status: Status
    reason: str
    findings: tuple[Found, ...]


def python_only(root: Path) -> None:
    """Drop the Rust runner (these mutations are about the Python tests; it saves a build)."""
    policy = root / "aces.toml"
    text = policy.read_text(encoding="utf-8")
    head, _, _ = text.partition('[[tests.runners]]\nname = "rust"')
    policy.write_text(head, encoding="utf-8")


def run(root: Path, only: tuple[str, ...] = ()) -> dict[str, Outcome]:
    """Run stage 5's checks (all, or ``only``) in one context; check id -> outcome."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    out: dict[str, Outcome] = {}
    for check in STAGE.checks:
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


def test_the_example_is_green_on_stage_5(tmp_path: Path) -> None:
    outcomes = run(copy_example(tmp_path))
    assert {k: v.status for k, v in outcomes.items()} == {
        "test.unit": Status.PASS,
        "test.coverage-core": Status.PASS,
        "test.coverage-hot-paths": Status.NOT_APPLICABLE,
        "test.coverage-drop": Status.PASS,
        "test.coverage-transitions": Status.PASS,
        "test.seeded-randomness": Status.PASS,
        "test.time-independence": Status.PASS,
    }


FAILING_TEST = """

def test_aces_mutation_fails() -> None:
    assert 1 + 1 == 3
"""


def test_a_failing_test_fails_test_unit_at_the_test(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    python_only(root)
    target = root / "tests" / "test_session.py"
    lines = target.read_text(encoding="utf-8").count("\n")
    target.write_text(target.read_text(encoding="utf-8") + FAILING_TEST, encoding="utf-8")
    outcome = run(root, ("test.unit",))["test.unit"]
    assert outcome.findings == (
        ("test.unit.failed", ("test.unit",), "tests/test_session.py", lines + 3),
    )


UNSEEDED = """

import random


def test_aces_mutation_random() -> None:
    assert 0 <= random.randint(0, 10) <= 10
"""

TIMED = """

import time


def test_aces_mutation_clock() -> None:
    assert time.time() > 0
"""


def test_an_unseeded_random_test_fails_seeded_randomness(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    python_only(root)
    target = root / "tests" / "test_tenancy.py"
    lines = target.read_text(encoding="utf-8").count("\n")
    target.write_text(target.read_text(encoding="utf-8") + UNSEEDED, encoding="utf-8")
    outcome = run(root, ("test.seeded-randomness",))["test.seeded-randomness"]
    assert outcome.findings == (
        (
            "test.seeded-randomness.unseeded",
            ("test.seeded-randomness",),
            "tests/test_tenancy.py",
            lines + 7,
        ),
    )


def test_a_time_dependent_test_fails_time_independence(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    python_only(root)
    target = root / "tests" / "test_tenancy.py"
    lines = target.read_text(encoding="utf-8").count("\n")
    target.write_text(target.read_text(encoding="utf-8") + TIMED, encoding="utf-8")
    outcome = run(root, ("test.time-independence",))["test.time-independence"]
    assert outcome.findings == (
        (
            "test.time-independence.wall-clock",
            ("test.time-independence",),
            "tests/test_tenancy.py",
            lines + 7,
        ),
    )


WAITING = """

import time


def test_aces_mutation_stamped() -> None:
    event = {"ts": time.time(), "n": 1}
    assert event["n"] == 1


def test_aces_mutation_waits() -> None:
    time.sleep(0.01)
    assert True
"""


def test_a_sleep_before_an_assertion_fails_and_a_stamped_time_does_not(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    python_only(root)
    target = root / "tests" / "test_tenancy.py"
    lines = target.read_text(encoding="utf-8").count("\n")
    target.write_text(target.read_text(encoding="utf-8") + WAITING, encoding="utf-8")
    outcome = run(root, ("test.time-independence",))["test.time-independence"]
    assert outcome.findings == (
        (
            "test.time-independence.sleep",
            ("test.time-independence",),
            "tests/test_tenancy.py",
            lines + 12,
        ),
    )


ORDER_DEPENDENT = """

_SEEN: list[str] = []


def test_aces_mutation_first() -> None:
    _SEEN.append("first")


def test_aces_mutation_second() -> None:
    assert _SEEN == ["first"]
"""


def test_an_order_dependent_test_is_flaky(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    python_only(root)
    target = root / "tests" / "test_zz_order.py"
    target.write_text('"""Order."""\n' + ORDER_DEPENDENT, encoding="utf-8")
    outcome = run(root, ("test.seeded-randomness",))["test.seeded-randomness"]
    assert outcome.findings == (
        (
            "test.seeded-randomness.flaky",
            ("test.seeded-randomness",),
            "tests/test_zz_order.py",
            11,
        ),
    )


UNTESTED = '''

def aces_mutation_untested(value: int) -> int:
    """Code no test runs."""
    total = 0
    for step in range(value):
        total += step * 2
        total -= 1
        total ^= 5
        total += 7
        total *= 3
        total //= 2
        total %= 1000
    return total
'''


def test_untested_code_drops_coverage_against_the_baseline(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    python_only(root)
    target = root / "src" / "arqonbus_mini" / "tenancy.py"
    lines = target.read_text(encoding="utf-8").count("\n")
    target.write_text(target.read_text(encoding="utf-8") + UNTESTED, encoding="utf-8")
    outcome = run(root, ("test.coverage-drop",))["test.coverage-drop"]
    assert outcome.findings == (
        ("test.coverage-drop", ("test.coverage-drop",), "src/arqonbus_mini/tenancy.py", lines + 5),
    )


def test_core_coverage_below_the_floor_fails_at_the_uncovered_lines(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    python_only(root)
    target = root / "src" / "arqonbus_mini" / "tenancy.py"
    lines = target.read_text(encoding="utf-8").count("\n")
    target.write_text(target.read_text(encoding="utf-8") + UNTESTED, encoding="utf-8")
    policy = root / "aces.toml"
    text = policy.read_text(encoding="utf-8")
    policy.write_text(
        text.replace("[paths]\n", "[thresholds]\ncore_coverage_percent = 99.5\n\n[paths]\n", 1),
        encoding="utf-8",
    )
    outcome = run(root, ("test.coverage-core",))["test.coverage-core"]
    paths = {f[2]: f for f in outcome.findings}
    assert paths["src/arqonbus_mini/tenancy.py"] == (
        "test.coverage-core",
        ("test.coverage-core",),
        "src/arqonbus_mini/tenancy.py",
        lines + 5,
    )


def fake_runner(root: Path, content: str) -> None:
    """Replace the runners by one that writes ``content`` as its JUnit report."""
    policy = root / "aces.toml"
    text = policy.read_text(encoding="utf-8")
    head, _, _ = text.partition("[[tests.runners]]")
    writer = f"open('{{out}}/junit.xml', 'w').write('{content}')"
    policy.write_text(
        head
        + '[[tests.runners]]\nname = "fake"\n'
        + f'argv = ["{{python}}", "-c", "{writer}"]\n'
        + 'report = "{out}/junit.xml"\n',
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            "<coverage/>",
            "junit.xml: root element <coverage>, expected <testsuites> or <testsuite>",
            id="wrong-root",
        ),
        pytest.param(
            "<testsuites><testsuite>",
            "junit.xml:1:23: not well-formed XML (no element found)",
            id="truncated",
        ),
    ],
)
def test_an_unreadable_junit_report_is_an_error_naming_the_file(
    tmp_path: Path, content: str, expected: str
) -> None:
    root = copy_example(tmp_path)
    fake_runner(root, content)
    outcome = run(root, ("test.unit",))["test.unit"]
    assert outcome.status is Status.ERROR
    assert expected in outcome.reason
