"""The connection lifecycle."""

from __future__ import annotations

import pytest

from arqonbus_mini.connection import (
    MAX_MISSED,
    Connection,
    ConnectionError_,
    ConnectionState,
)

EVENTS = (
    "handshake_ok",
    "handshake_fail",
    "heartbeat",
    "heartbeat_missed",
    "drain",
    "close",
    "timeout",
)


def test_handshake_opens_and_close_closes() -> None:
    conn = Connection()
    assert conn.handle("handshake_ok") is ConnectionState.OPEN
    assert conn.handle("heartbeat") is ConnectionState.OPEN
    assert conn.handle("close") is ConnectionState.CLOSED


@pytest.mark.parametrize("event", ["handshake_fail", "timeout"])
def test_failed_or_slow_handshake_closes(event: str) -> None:
    conn = Connection()
    assert conn.handle(event) is ConnectionState.CLOSED


def test_missed_heartbeats_are_tolerated_then_close() -> None:
    conn = Connection()
    conn.handle("handshake_ok")
    for _ in range(MAX_MISSED):
        assert conn.handle("heartbeat_missed") is ConnectionState.OPEN
    assert conn.missed == MAX_MISSED
    assert conn.handle("heartbeat_missed") is ConnectionState.CLOSED


def test_a_heartbeat_resets_the_missed_count() -> None:
    conn = Connection()
    conn.handle("handshake_ok")
    conn.handle("heartbeat_missed")
    conn.handle("heartbeat")
    assert conn.missed == 0


@pytest.mark.parametrize("last", ["close", "timeout"])
def test_draining_ignores_heartbeats_then_closes(last: str) -> None:
    conn = Connection()
    conn.handle("handshake_ok")
    assert conn.handle("drain") is ConnectionState.DRAINING
    assert conn.handle("heartbeat_missed") is ConnectionState.DRAINING
    assert conn.handle("heartbeat") is ConnectionState.DRAINING
    assert conn.handle(last) is ConnectionState.CLOSED


def test_data_events_are_rejected_before_the_handshake() -> None:
    conn = Connection()
    with pytest.raises(ConnectionError_):
        conn.handle("heartbeat")
    assert conn.state is ConnectionState.CONNECTING


@pytest.mark.parametrize("event", EVENTS)
def test_closed_is_terminal(event: str) -> None:
    conn = Connection(state=ConnectionState.CLOSED)
    with pytest.raises(ConnectionError_):
        conn.handle(event)
    assert conn.state is ConnectionState.CLOSED
