"""The session lifecycle."""

from __future__ import annotations

import pytest

from arqonbus_mini.session import TRANSITIONS, Session, SessionError, SessionState

EVENTS = ("authenticate", "join", "leave", "close", "timeout")


def test_happy_path_reaches_active_and_closes() -> None:
    session = Session()
    assert session.handle("authenticate") is SessionState.AUTHENTICATED
    assert session.handle("join", "lobby") is SessionState.ACTIVE
    assert session.rooms == {"lobby"}
    assert session.handle("close") is SessionState.CLOSED
    assert session.rooms == set()


def test_join_requires_authentication() -> None:
    session = Session()
    with pytest.raises(SessionError):
        session.handle("join", "lobby")
    assert session.state is SessionState.CONNECTING
    assert session.rooms == set()


@pytest.mark.parametrize("event", EVENTS)
def test_closed_is_terminal(event: str) -> None:
    session = Session(state=SessionState.CLOSED)
    with pytest.raises(SessionError):
        session.handle(event)
    assert session.state is SessionState.CLOSED


def test_timeout_closes_every_open_state() -> None:
    for state in (SessionState.CONNECTING, SessionState.AUTHENTICATED, SessionState.ACTIVE):
        assert TRANSITIONS[(state, "timeout")] is SessionState.CLOSED


def test_leave_returns_to_authenticated() -> None:
    session = Session()
    session.handle("authenticate")
    session.handle("join", "lobby")
    assert session.handle("leave") is SessionState.AUTHENTICATED
    assert session.rooms == set()


@pytest.mark.parametrize(("state", "event"), sorted(TRANSITIONS, key=lambda k: (k[0].value, k[1])))
def test_every_transition_reaches_its_target(state: SessionState, event: str) -> None:
    session = Session(state=state)
    assert session.handle(event, "lobby") is TRANSITIONS[(state, event)]
