"""The history model: Jepsen-style operations recorded by a workload, one JSON object a line.

Every operation names the client ``process`` that did it, its ``type`` (``invoke``
when it starts; ``ok``, ``fail`` or ``info`` when it completes, ``info`` meaning
the outcome is unknown), the function ``f`` (``publish``, ``subscribe``,
``deliver``, ``query``, ...), a ``value`` (a JSON object), the ``time`` in
nanoseconds since the workload began, the ``replica`` the client talked to and the
client's ``tenant``. ``line`` is where the operation was read (1-based), 0 when it
was built in memory. ``docs/stage6-topology.md`` lists every function and its value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

INVOKE = "invoke"
OK = "ok"
FAIL = "fail"
INFO = "info"
TYPES: tuple[str, ...] = (INVOKE, OK, FAIL, INFO)

# Functions (``f``) the checkers read; any other is kept and ignored.
PUBLISH = "publish"  # invoke/ok/fail/info; value: id, topic, seq (+ marker)
SUBSCRIBE = "subscribe"  # invoke/ok/fail; value: topic (+ foreign: the topic of another tenant)
DELIVER = "deliver"  # ok only: the consumer received a message; value: id (+ topic)
CLOSE = "close"  # ok/info: the session ended (asked, or cut: value.reason)
QUERY = "query"  # ok: a state query; value: query, topic, result (a list)
TAP = "tap"  # ok: an infrastructure tap saw markers; value: source, where, markers
SAMPLE = "sample"  # ok: a measurement; value: metric, amount
SIGNAL = "signal"  # ok: an unsolicited notice from the bus; value: kind (+ detail)
PROBE = "probe"  # invoke/ok/fail: normal traffic after a flood
ROLL = "roll"  # info: a replica was rolled; value: step, version
META = "meta"  # info: what the workload was and how it was configured


class Op(NamedTuple):
    """One operation of a history (see the module docstring).

    A named tuple, not a dataclass: a history may hold millions and tuples are
    built several times faster.
    """

    process: str
    type: str
    f: str
    value: dict[str, Any]
    time: int = 0
    replica: str = ""
    tenant: str = ""
    line: int = 0

    def to_json(self) -> dict[str, Any]:
        """The JSONL form: every field but ``line``."""
        return {
            "process": self.process,
            "type": self.type,
            "f": self.f,
            "value": self.value,
            "time": self.time,
            "replica": self.replica,
            "tenant": self.tenant,
        }


@dataclass(frozen=True)
class History:
    """The operations of one workload, in the order they happened, and where they came from."""

    ops: tuple[Op, ...]
    source: str = ""  # the file (relative POSIX path) or "" when built in memory

    def where(self, op: Op) -> str:
        """``file:line`` of an operation, for messages."""
        return f"{self.source}:{op.line}" if self.source and op.line else self.source


@dataclass(frozen=True, order=True)
class Violation:
    """What a checker found: a finer rule id, a message naming the offending message ids."""

    rule: str  # e.g. "topo.ordering.reorder"
    message: str
    ids: tuple[str, ...] = ()  # the offending message ids, sorted
    key: str = ""  # stable identity for the fingerprint (no times, no line numbers)
