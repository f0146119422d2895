"""The ``[state_machines]`` policy section: defaults, values and errors at their line."""

from __future__ import annotations

import pytest

from aces.policy.loader import parse_policy
from aces.policy.problems import PolicyFileError
from aces.policy.schema import StateMachinePolicy

HEAD = 'policy_version = "1.0.0"\n'
RELATIVE = (
    "aces.toml:3: state_machines.trace_dir: expected a path relative to the repository root, found"
)
ARRAY = "expected an array of strings, found "


def test_defaults() -> None:
    assert parse_policy(HEAD.encode(), "aces.toml").state_machines == StateMachinePolicy(
        state_limit=1_000_000, trace_dir=".aces/traces", test_command=(), tests={}
    )


def test_every_key() -> None:
    text = HEAD + (
        "[state_machines]\n"
        "state_limit = 5000\n"
        'trace_dir = "build/traces"\n'
        'test_command = ["python", "-m", "pytest", "-q"]\n'
        "[state_machines.tests]\n"
        'session = ["tests/test_session.py"]\n'
        'connection = ["tests/test_conn*.py", "tests/it/**"]\n'
    )
    assert parse_policy(text.encode(), "aces.toml").state_machines == StateMachinePolicy(
        state_limit=5000,
        trace_dir="build/traces",
        test_command=("python", "-m", "pytest", "-q"),
        tests={
            "connection": ("tests/test_conn*.py", "tests/it/**"),
            "session": ("tests/test_session.py",),
        },
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "state_limit = 0",
            "aces.toml:3: state_machines.state_limit: expected a positive integer, found 0",
        ),
        (
            "state_limit = true",
            "aces.toml:3: state_machines.state_limit: expected a positive integer, found a boolean",
        ),
        (
            'trace_dir = "/tmp/x"',
            RELATIVE + " '/tmp/x'",
        ),
        (
            'trace_dir = "../x"',
            RELATIVE + " '../x'",
        ),
        (
            'test_command = "pytest"',
            "aces.toml:3: state_machines.test_command: " + ARRAY + "a string",
        ),
        ("tests = 3", "aces.toml:3: state_machines.tests: expected a table, found an integer"),
        (
            "tests = {conn = 3}",
            "aces.toml:3: state_machines.tests.conn: " + ARRAY + "an integer",
        ),
        (
            "test_comand = []",
            "aces.toml:3: state_machines.test_comand: unknown key; did you mean 'test_command'?",
        ),
    ],
)
def test_errors_name_line_and_key(body: str, expected: str) -> None:
    text = HEAD + "[state_machines]\n" + body + "\n"
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text.encode(), "aces.toml")
    assert caught.value.diagnostics() == expected
