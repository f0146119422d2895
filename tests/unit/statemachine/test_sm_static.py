"""Static rules: a should-flag / should-not-flag table per rule id."""

from __future__ import annotations

import pytest

from aces.engines.statemachine import load_machine, static_issues

CLEAN = """\
name: conn
states: [idle, open, closed]
initial: idle
final: [closed]
events: [connect, close]
variables:
  retries: {type: int, min: 0, max: 2}
transitions:
  - {from: idle, on: connect, to: open}
  - {from: open, on: close, to: closed}
ignore:
  open: [connect]
  idle: [close]
reject:
  closed: ['*']
"""


def _issues(text: str) -> list[tuple[str, str, int, int, str]]:
    machine = load_machine("c.sm.yaml", text)
    return [(i.rule_id, i.clause, i.line, i.column, i.message) for i in static_issues(machine)]


MISSING = "sm.no-missing-transitions"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "{from: open, on: close, to: closed}",
            "{from: open, on: close, to: shut}",
            [
                (
                    "sm.unreachable-state",
                    MISSING,
                    2,
                    22,
                    "state 'closed' cannot be reached from the initial state 'idle'",
                ),
                ("sm.unknown-state", MISSING, 10, 33, "unknown state 'shut'"),
            ],
        ),
        (
            "ignore:\n  open: [connect]",
            "ignore:\n  open: [connect, reset]",
            [("sm.unknown-event", MISSING, 12, 19, "unknown event 'reset'")],
        ),
        (
            "states: [idle, open, closed]",
            "states: [idle, open, closed, limbo]",
            [
                (
                    "sm.dead-end",
                    MISSING,
                    2,
                    30,
                    "state 'limbo' is not final and has no transition out",
                ),
                (
                    "sm.unhandled-event",
                    "sm.no-unhandled-events",
                    2,
                    30,
                    "state 'limbo' does not handle event 'close' "
                    "(add a transition, or list it under 'ignore' or 'reject')",
                ),
                (
                    "sm.unhandled-event",
                    "sm.no-unhandled-events",
                    2,
                    30,
                    "state 'limbo' does not handle event 'connect' "
                    "(add a transition, or list it under 'ignore' or 'reject')",
                ),
                (
                    "sm.unreachable-state",
                    MISSING,
                    2,
                    30,
                    "state 'limbo' cannot be reached from the initial state 'idle'",
                ),
            ],
        ),
        (
            "  - {from: open, on: close, to: closed}\n",
            "  - {from: open, on: close, to: closed}\n  - {from: closed, on: connect, to: open}\n",
            [
                (
                    "sm.final-has-exit",
                    MISSING,
                    11,
                    5,
                    "final state 'closed' has an outgoing transition: closed --connect--> open",
                )
            ],
        ),
        (
            "  idle: [close]\n",
            "",
            [
                (
                    "sm.unhandled-event",
                    "sm.no-unhandled-events",
                    2,
                    10,
                    "state 'idle' does not handle event 'close' "
                    "(add a transition, or list it under 'ignore' or 'reject')",
                )
            ],
        ),
        (
            "  - {from: open, on: close, to: closed}\n",
            "  - {from: open, on: close, to: closed, guard: retries < 2}\n"
            "  - {from: open, on: close, to: idle, guard: retries > 0}\n",
            [],
        ),
        (
            "  - {from: open, on: close, to: closed}\n",
            "  - {from: open, on: close, to: closed, guard: retries < 2}\n"
            "  - {from: open, on: close, to: idle, guard: retries < 1}\n",
            [
                (
                    "sm.nondeterministic",
                    MISSING,
                    11,
                    5,
                    "event 'close' enables 2 transitions in state 'open': "
                    "open --close--> closed; open --close--> idle, e.g. with retries=0",
                )
            ],
        ),
    ],
)
def test_rules(old: str, new: str, expected: list[tuple[str, str, int, int, str]]) -> None:
    assert old in CLEAN
    assert _issues(CLEAN.replace(old, new)) == expected


@pytest.mark.parametrize(
    "text",
    [
        CLEAN,
        # a dead end is fine in a final state; a wildcard handles every other event
        CLEAN.replace("final: [closed]", "final: [closed, idle]")
        .replace("  - {from: idle, on: connect, to: open}\n", "")
        .replace("  idle: [close]\n", "  idle: ['*']\n")
        .replace(
            "  - {from: open, on: close, to: closed}\n",
            "  - {from: open, on: close, to: closed}\n  - {from: open, on: connect, to: idle}\n",
        )
        .replace("  open: [connect]\n", ""),
    ],
)
def test_should_not_flag(text: str) -> None:
    machine = load_machine("c.sm.yaml", text)
    issues = static_issues(machine)
    assert [i.rule_id for i in issues if i.rule_id != "sm.unreachable-state"] == []
