"""In-process ``Fabric``, ``Store`` and ``History``: the bus's logic tested with no server.

One ``MemoryFabric`` shared by several replicas in the same process stands for a NATS
cluster; ``MemoryHistory`` enforces the tenant column the way row-level security does
(a query only ever sees the asking tenant's rows).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from arqonbus_mini.server.ports import HISTORY_LIMIT, MessageHandler, StoredMessage


def subject_matches(pattern: str, subject: str) -> bool:
    """NATS matching: ``*`` is one token, a final ``>`` one or more."""
    want, got = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(got) > i
        if i >= len(got) or (token != "*" and token != got[i]):
            return False
    return len(want) == len(got)


@dataclass
class MemoryFabric:
    """Delivers every publish to every matching subscriber, in publish order."""

    subscriptions: list[tuple[str, MessageHandler]] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # subjects, for tests

    async def publish(self, subject: str, data: bytes, headers: Mapping[str, str]) -> None:
        """Hand ``data`` to each matching handler in turn."""
        self.published.append(subject)
        for pattern, handler in list(self.subscriptions):
            if subject_matches(pattern, subject):
                await handler(subject, data, dict(headers))

    async def subscribe(self, pattern: str, handler: MessageHandler) -> None:
        """Register ``handler`` for ``pattern``."""
        self.subscriptions.append((pattern, handler))

    async def close(self) -> None:
        """Nothing to release."""


@dataclass
class MemoryStore:
    """Sets, values and fixed-window counters in dictionaries."""

    sets: dict[str, set[str]] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)

    async def allow(self, key: str, limit: int, window_seconds: int) -> bool:
        """Fixed windows keyed by the current window number."""
        window = f"{key}:{int(time.time()) // window_seconds}"
        self.counters[window] = self.counters.get(window, 0) + 1
        return self.counters[window] <= limit

    async def add(self, key: str, member: str) -> None:
        """Add to a set."""
        self.sets.setdefault(key, set()).add(member)

    async def remove(self, key: str, member: str) -> None:
        """Remove from a set."""
        self.sets.get(key, set()).discard(member)

    async def members(self, key: str) -> list[str]:
        """Sorted members."""
        return sorted(self.sets.get(key, set()))

    async def put(self, key: str, value: str) -> None:
        """Set a value."""
        self.values[key] = value

    def keys(self) -> list[str]:
        """Every key held, sorted (the test's key scan)."""
        return sorted({*self.sets, *self.values, *self.counters})

    async def close(self) -> None:
        """Nothing to release."""


@dataclass
class MemoryHistory:
    """Rows of ``(tenant, message)``; duplicates of ``(tenant, id)`` are refused."""

    rows: list[tuple[str, StoredMessage]] = field(default_factory=list)

    async def insert(self, tenant: str, message: StoredMessage, correlation_id: str) -> bool:
        """Append unless the tenant already stored this id."""
        if any(t == tenant and m.id == message.id for t, m in self.rows):
            return False
        self.rows.append((tenant, message))
        return True

    async def query(
        self, tenant: str, room: str, channel: str, *, origin: str = "", limit: int = HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """Only the asking tenant's rows, as row-level security would show them."""
        found = [
            m
            for t, m in self.rows
            if t == tenant
            and m.room == room
            and m.channel == channel
            and (not origin or m.origin == origin)
        ]
        return found[-limit:]

    async def close(self) -> None:
        """Nothing to release."""
