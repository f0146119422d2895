"""One pass over a history: publishes, consumer sessions, queries, taps and samples.

Every checker reads this index, so a history of a million operations is walked once.
A completion is paired with its invocation by process and key (the message id of a
publish, the topic of a subscribe), which lets one session publish and receive on
different threads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aces.engines.history.jsonl import HistoryError
from aces.engines.history.model import (
    CLOSE,
    DELIVER,
    FAIL,
    INFO,
    INVOKE,
    OK,
    PROBE,
    PUBLISH,
    QUERY,
    SAMPLE,
    SIGNAL,
    SUBSCRIBE,
    TAP,
    History,
    Op,
)

PENDING = "pending"  # invoked, never completed: as unknown as ``info``


@dataclass
class Publish:
    """A publish: who sent which message where, and what became of it."""

    id: str
    process: str
    tenant: str
    topic: str
    seq: int
    replica: str
    invoked: int
    outcome: str = PENDING  # ok | fail | info | pending
    done: int = -1
    marker: str = ""


@dataclass
class Session:
    """A client session: its tenant, replica, subscriptions (topic -> since) and deliveries."""

    process: str
    tenant: str
    replica: str
    subscribed: dict[str, int] = field(default_factory=dict)
    deliveries: list[tuple[str, int]] = field(default_factory=list)  # (id, time)
    end: int | None = None  # when the session closed; None: it lasted to the end
    cut: bool = False  # closed by the server (reason "cut")


@dataclass
class Index:
    """Everything the checkers need from one history."""

    history: History
    publishes: dict[str, Publish] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    foreign_subscribes: list[Op] = field(default_factory=list)  # completions of such attempts
    # every operation of these functions, invocations included
    queries: list[Op] = field(default_factory=list)
    taps: list[Op] = field(default_factory=list)
    samples: list[Op] = field(default_factory=list)
    probes: list[Op] = field(default_factory=list)
    signals: list[Op] = field(default_factory=list)  # unsolicited notices (f "signal")
    publish_failures: list[Op] = field(default_factory=list)
    end: int = 0

    def session_end(self, session: Session) -> int:
        """When a session stopped listening: its close, else the end of the history."""
        return self.end if session.end is None else session.end


def build_index(history: History) -> Index:
    """Walk ``history`` once; ``HistoryError`` for a history that contradicts itself."""
    index = Index(history)
    handlers = {
        PUBLISH: _publish,
        SUBSCRIBE: _subscribe,
        DELIVER: _deliver,
        CLOSE: _close,
    }
    lists = {
        QUERY: index.queries,
        TAP: index.taps,
        SAMPLE: index.samples,
        PROBE: index.probes,
        SIGNAL: index.signals,
    }
    for op in history.ops:
        handler = handlers.get(op.f)
        if handler is not None:
            handler(index, op)
        elif op.f in lists:
            lists[op.f].append(op)
        if op.time > index.end:
            index.end = op.time
    return index


def _session(index: Index, op: Op) -> Session:
    session = index.sessions.get(op.process)
    if session is None:
        session = Session(op.process, op.tenant, op.replica)
        index.sessions[op.process] = session
    return session


def _text(index: Index, op: Op, key: str) -> str:
    value = op.value.get(key)
    if not isinstance(value, str) or not value:
        where = index.history.where(op) or "history"
        raise HistoryError(f"{where}: {op.f} needs a non-empty string value.{key}")
    return value


def _publish(index: Index, op: Op) -> None:
    msg_id = _text(index, op, "id")
    if op.type == INVOKE:
        if msg_id in index.publishes:
            where = index.history.where(op) or "history"
            raise HistoryError(f"{where}: message id {msg_id} is published twice")
        seq: Any = op.value.get("seq", 0)
        index.publishes[msg_id] = Publish(
            id=msg_id,
            process=op.process,
            tenant=op.tenant,
            topic=_text(index, op, "topic"),
            seq=seq if isinstance(seq, int) else 0,
            replica=op.replica,
            invoked=op.time,
            marker=str(op.value.get("marker", "")),
        )
        _session(index, op)
        return
    publish = index.publishes.get(msg_id)
    if publish is None or publish.process != op.process:
        where = index.history.where(op) or "history"
        raise HistoryError(f"{where}: completion of {msg_id} without its invocation")
    publish.outcome, publish.done = op.type, op.time
    if op.type == FAIL:
        index.publish_failures.append(op)


def _subscribe(index: Index, op: Op) -> None:
    topic = _text(index, op, "topic")
    session = _session(index, op)
    if op.value.get("foreign"):
        if op.type != INVOKE:
            index.foreign_subscribes.append(op)
        return
    if op.type == OK:
        session.subscribed.setdefault(topic, op.time)


def _deliver(index: Index, op: Op) -> None:
    _session(index, op).deliveries.append((_text(index, op, "id"), op.time))


def _close(index: Index, op: Op) -> None:
    if op.type in (OK, INFO):
        session = _session(index, op)
        session.end = op.time if session.end is None else min(session.end, op.time)
        session.cut = session.cut or op.value.get("reason") == "cut"
