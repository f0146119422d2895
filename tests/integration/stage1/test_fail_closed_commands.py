"""principle.fail-closed on the example: its commands can fail; a swallowed one is a finding."""

from __future__ import annotations

from pathlib import Path

from tests.integration.example_repo import context, copy_example

from aces.model import Status
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.stages.fail_closed import DEFAULT_ONLY, FailClosedCommands

CHECK = FailClosedCommands()
STAGE = StageDef(number=1, name="spec", title="Specification Validation", checks=(CHECK,))
TEST_COMMAND = 'test_command = ["python", "-m", "pytest", "-q"]'


def swallow(root: Path, replacement: str) -> int:
    """Replace the state-machine test command; return the line it is on."""
    policy = root / "aces.toml"
    text = policy.read_text(encoding="utf-8")
    assert TEST_COMMAND in text
    policy.write_text(text.replace(TEST_COMMAND, replacement, 1), encoding="utf-8")
    lines = policy.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if line.startswith("test_command"))


def test_the_example_commands_can_fail(tmp_path: Path) -> None:
    ctx = context(copy_example(tmp_path))
    assert CHECK.applies(ctx) is None
    assert list(CHECK.run(ctx)) == []


def test_a_swallowed_test_command_fails_at_its_line(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    line = swallow(root, 'test_command = ["sh", "-c", "python -m pytest -q || true"]')
    report = run_pipeline((STAGE,), context(root), cache=None)
    result = report.stages[0].checks[0]
    assert result.status is Status.FAIL
    [finding] = result.findings
    assert finding.rule_id == "principle.fail-closed"
    assert finding.clauses == ("principle.fail-closed",)
    assert finding.location is not None
    assert (finding.location.path, finding.location.line) == ("aces.toml", line)
    assert "state_machines.test_command" in finding.message
    assert "|| true" in finding.message


def test_an_exit_zero_build_command_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    policy = root / "aces.toml"
    text = policy.read_text(encoding="utf-8")
    old = 'commands = [["cargo", "build", "--release", "--locked", "--offline"]]'
    assert old in text
    policy.write_text(text.replace(old, 'commands = [["make", "-i", "build"]]'), encoding="utf-8")
    findings = list(CHECK.run(context(root)))
    assert [f.message for f in findings] == [
        "`build.commands.0` cannot fail: `make -i` ignores every failing recipe"
    ]
    assert findings[0].location is not None and findings[0].location.line > 1


def test_no_policy_file_is_not_applicable_with_its_reason(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    (root / "aces.toml").unlink()
    skip = CHECK.applies(context(root))
    assert skip is not None and skip.reason == DEFAULT_ONLY
