"""The session lifecycle of ``state_machines/session.sm.yaml``.

Events not allowed in a state are refused (``SessionError``) and leave the
session unchanged; ``closed`` is terminal. Every transition taken is traced
(``sm_trace``) for ACES's transition coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from arqonbus_mini import sm_trace

MACHINE = "session"


class SessionState(Enum):
    """States of a client session."""

    CONNECTING = "connecting"
    AUTHENTICATED = "authenticated"
    ACTIVE = "active"
    CLOSED = "closed"


class SessionError(RuntimeError):
    """An event the session's current state does not accept."""


TRANSITIONS: dict[tuple[SessionState, str], SessionState] = {
    (SessionState.CONNECTING, "authenticate"): SessionState.AUTHENTICATED,
    (SessionState.CONNECTING, "close"): SessionState.CLOSED,
    (SessionState.CONNECTING, "timeout"): SessionState.CLOSED,
    (SessionState.AUTHENTICATED, "join"): SessionState.ACTIVE,
    (SessionState.AUTHENTICATED, "close"): SessionState.CLOSED,
    (SessionState.AUTHENTICATED, "timeout"): SessionState.CLOSED,
    (SessionState.ACTIVE, "join"): SessionState.ACTIVE,
    (SessionState.ACTIVE, "leave"): SessionState.AUTHENTICATED,
    (SessionState.ACTIVE, "close"): SessionState.CLOSED,
    (SessionState.ACTIVE, "timeout"): SessionState.CLOSED,
}


@dataclass
class Session:
    """One session; ``rooms`` are the rooms it joined."""

    state: SessionState = SessionState.CONNECTING
    rooms: set[str] = field(default_factory=set)

    def handle(self, event: str, room: str = "") -> SessionState:
        """Apply ``event``; refused events raise ``SessionError`` and change nothing."""
        target = TRANSITIONS.get((self.state, event))
        if target is None:
            raise SessionError(f"{event!r} is not accepted in state {self.state.value!r}")
        if event == "join":
            self.rooms.add(room)
        elif event == "leave":
            self.rooms.clear()
        if target is SessionState.CLOSED:
            self.rooms.clear()
        sm_trace.emit(MACHINE, self.state.value, event, target.value)
        self.state = target
        return target
