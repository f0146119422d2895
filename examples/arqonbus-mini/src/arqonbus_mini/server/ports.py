"""What the bus needs from its infrastructure, as three small interfaces.

``Fabric`` is the replica-to-replica transport (NATS), ``Store`` the shared fast state
(Valkey: presence, channel lists, rate limits), ``History`` the durable message log
(Postgres). ``backends`` implements them on the real servers and ``memory`` in process,
so the bus's logic is tested without any server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

MessageHandler = Callable[[str, bytes, Mapping[str, str]], Awaitable[None]]

HISTORY_LIMIT = 1000  # rows a history query returns at most


@dataclass(frozen=True)
class StoredMessage:
    """One history row, as the tenant sees it."""

    id: str
    room: str
    channel: str
    producer: str
    origin: str
    payload: bytes


class Fabric(Protocol):
    """Publish / subscribe between replicas on dot-separated subjects (``>`` wildcards)."""

    async def publish(self, subject: str, data: bytes, headers: Mapping[str, str]) -> None:
        """Send ``data`` on ``subject``; returns once the fabric has taken it."""

    async def subscribe(self, pattern: str, handler: MessageHandler) -> None:
        """Call ``handler(subject, data, headers)`` for every message matching ``pattern``."""

    async def close(self) -> None:
        """Stop receiving and release the connection."""


class Store(Protocol):
    """Shared key-value state: sets, single values and windowed counters."""

    async def allow(self, key: str, limit: int, window_seconds: int) -> bool:
        """Count one event under ``key``; False once more than ``limit`` fall in the window."""

    async def add(self, key: str, member: str) -> None:
        """Add ``member`` to the set ``key``."""

    async def remove(self, key: str, member: str) -> None:
        """Remove ``member`` from the set ``key``."""

    async def members(self, key: str) -> list[str]:
        """The members of the set ``key``, sorted."""

    async def put(self, key: str, value: str) -> None:
        """Set ``key`` to ``value``."""

    async def close(self) -> None:
        """Release the connection."""


class History(Protocol):
    """The message log, every row owned by one tenant."""

    async def insert(self, tenant: str, message: StoredMessage, correlation_id: str) -> bool:
        """Store ``message``; False when ``(tenant, id)`` is already stored (a retry)."""

    async def query(
        self, tenant: str, room: str, channel: str, *, origin: str = "", limit: int = HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """The tenant's messages of ``room``/``channel`` in storage order (``origin``: only its)."""

    async def close(self) -> None:
        """Release the connections."""
