"""Commands that cannot fail, and commands that can: should-flag / should-not-flag tables."""

from __future__ import annotations

import pytest

from aces.engines.failopen import fail_open_reasons, shell_script

SHOULD_FLAG = [
    (["sh", "-c", "python -m pytest -q || true"], "|| true"),
    (["bash", "-ec", "pytest || :"], "|| true"),
    (["/bin/sh", "-c", "cargo test || exit 0"], "|| true"),
    (["sh", "-c", "pytest || echo tests failed"], "|| echo"),
    (["bash", "-c", "set +e\npytest\n"], "set +e"),
    (["sh", "-c", "pytest; exit 0"], "ends by succeeding"),
    (["sh", "-c", "pytest\ntrue\n"], "ends by succeeding"),
    (["sh", "-c", "ruff check --exit-zero ."], "--exit-zero"),
    (["ruff", "check", "--exit-zero", "src"], "--exit-zero"),
    (["pytest", "--suppress-no-test-exit-code"], "no test ran"),
    (["npm", "run", "test", "--if-present"], "--if-present"),
    (["make", "-i", "test"], "make -i"),
    (["make", "-ki", "test"], "make -i"),
    (["make", "--ignore-errors", "test"], "--ignore-errors"),
    (["true"], "always succeeds"),
    (["/usr/bin/true", "pytest"], "always succeeds"),
]

SHOULD_NOT_FLAG = [
    ["python", "-m", "pytest", "-q"],
    ["cargo", "test", "--locked", "--offline", "--no-fail-fast"],
    ["sh", "-c", "pytest && coverage xml"],
    ["sh", "-c", "set -e; pytest; coverage xml"],
    ["bash", "-c", "pytest || (echo failed >&2; exit 1)"],
    ["sh", "scripts/test.sh"],  # a script file is not read
    ["make", "-k", "test"],  # keeps going, still fails
    ["sh", "-c", "test -f x || exit 1"],
    ["echo", "|| true"],  # not run by a shell
    [],
]


@pytest.mark.parametrize(("argv", "expected"), SHOULD_FLAG)
def test_fail_open_commands_are_flagged(argv: list[str], expected: str) -> None:
    reasons = fail_open_reasons(argv)
    assert reasons, argv
    assert any(expected in reason for reason in reasons), reasons


@pytest.mark.parametrize("argv", SHOULD_NOT_FLAG)
def test_commands_that_can_fail_are_not_flagged(argv: list[str]) -> None:
    assert fail_open_reasons(argv) == ()


def test_shell_script_finds_the_c_argument_among_short_flags() -> None:
    assert shell_script(["bash", "-euc", "x"]) == "x"
    assert shell_script(["bash", "-c"]) == ""
    assert shell_script(["python", "-c", "x"]) is None
