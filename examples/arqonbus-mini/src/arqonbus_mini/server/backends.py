"""``Fabric``, ``Store`` and ``History`` on the real servers: NATS, Valkey, Postgres.

The client libraries are imported when a backend connects, so the rest of the package
(and its tests) works without them.

Postgres: the service connects as the database owner but runs every statement as the
``arqonbus_app`` role (``SET ROLE``), which row-level security applies to, and sets
``app.tenant`` for each transaction (``set_config(..., true)``), so a query can only
ever touch the rows of the tenant it runs for.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from arqonbus_mini.server.ports import HISTORY_LIMIT, MessageHandler, StoredMessage

APP_ROLE = "arqonbus_app"  # created by migrations/001_messages.sql
POOL_SIZE = 4
FLUSH_TIMEOUT_SECONDS = 5
PENDING_MESSAGES = 1_000_000  # NATS messages a replica may hold before dropping


class NatsFabric:
    """NATS core publish / subscribe over one connection to the cluster."""

    def __init__(self, client: Any) -> None:
        """Wrap a connected ``nats.aio.client.Client``."""
        self._nc = client

    @classmethod
    async def connect(cls, urls: tuple[str, ...], name: str) -> NatsFabric:
        """Connect to any of ``urls`` (the client fails over to the others)."""
        import nats  # needed only against a cluster

        client = await nats.connect(
            servers=list(urls), name=name, connect_timeout=2, max_reconnect_attempts=-1
        )
        return cls(client)

    async def publish(self, subject: str, data: bytes, headers: Mapping[str, str]) -> None:
        """Publish, then flush: the message has reached the server when this returns."""
        await self._nc.publish(subject, data, headers=dict(headers))
        await self._nc.flush(timeout=FLUSH_TIMEOUT_SECONDS)

    async def subscribe(self, pattern: str, handler: MessageHandler) -> None:
        """Subscribe; messages are handed over in order, one at a time."""

        async def on_message(msg: Any) -> None:
            await handler(msg.subject, msg.data, dict(msg.headers or {}))

        await self._nc.subscribe(pattern, cb=on_message, pending_msgs_limit=PENDING_MESSAGES)

    async def close(self) -> None:
        """Drain and close the connection."""
        if not self._nc.is_closed:
            await self._nc.close()


class ValkeyStore:
    """Valkey (or Redis) through ``redis.asyncio``."""

    def __init__(self, client: Any) -> None:
        """Wrap a ``redis.asyncio.Redis``."""
        self._r = client

    @classmethod
    async def connect(cls, url: str) -> ValkeyStore:
        """Connect to ``url`` and check it answers."""
        import redis.asyncio as redis  # needed only against a server

        client = redis.Redis.from_url(url, decode_responses=True)
        await client.ping()
        return cls(client)

    async def allow(self, key: str, limit: int, window_seconds: int) -> bool:
        """A fixed-window counter: INCR, and EXPIRE on the window's first event."""
        async with self._r.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count) <= limit

    async def add(self, key: str, member: str) -> None:
        """SADD."""
        await self._r.sadd(key, member)

    async def remove(self, key: str, member: str) -> None:
        """SREM."""
        await self._r.srem(key, member)

    async def members(self, key: str) -> list[str]:
        """SMEMBERS, sorted."""
        return sorted(await self._r.smembers(key))

    async def put(self, key: str, value: str) -> None:
        """SET."""
        await self._r.set(key, value)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._r.aclose()


class PostgresHistory:
    """The ``messages`` table, through a small pool of connections."""

    def __init__(self, connections: list[Any]) -> None:
        """Use already opened ``psycopg.AsyncConnection`` objects."""
        self._all = connections
        self._free: asyncio.Queue[Any] = asyncio.Queue()
        for connection in connections:
            self._free.put_nowait(connection)

    @classmethod
    async def connect(cls, url: str, size: int = POOL_SIZE) -> PostgresHistory:
        """Open ``size`` connections, each switched to the row-level-security role."""
        import psycopg  # needed only against a server

        connections = []
        for _ in range(size):
            connection = await psycopg.AsyncConnection.connect(url, autocommit=False)
            await connection.execute(f"SET ROLE {APP_ROLE}")
            await connection.commit()
            connections.append(connection)
        return cls(connections)

    @asynccontextmanager
    async def _tenant(self, tenant: str) -> AsyncIterator[Any]:
        """A transaction that runs as ``tenant`` (``app.tenant``, local to it)."""
        connection = await self._free.get()
        try:
            async with connection.transaction():
                await connection.execute("SELECT set_config('app.tenant', %s, true)", (tenant,))
                yield connection
        finally:
            self._free.put_nowait(connection)

    async def insert(self, tenant: str, message: StoredMessage, correlation_id: str) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING: a retried publish is stored once."""
        async with self._tenant(tenant) as connection:
            cursor = await connection.execute(
                "INSERT INTO messages (tenant, id, room, channel, producer, origin,"
                " correlation_id, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (tenant, id) DO NOTHING",
                (
                    tenant,
                    message.id,
                    message.room,
                    message.channel,
                    message.producer,
                    message.origin,
                    correlation_id,
                    message.payload,
                ),
            )
            return bool(cursor.rowcount == 1)

    async def query(
        self, tenant: str, room: str, channel: str, *, origin: str = "", limit: int = HISTORY_LIMIT
    ) -> list[StoredMessage]:
        """The last ``limit`` rows in insertion order; RLS adds the tenant filter."""
        async with self._tenant(tenant) as connection:
            cursor = await connection.execute(
                "SELECT id, room, channel, producer, origin, payload FROM ("
                " SELECT * FROM messages WHERE room = %s AND channel = %s"
                " AND (%s = '' OR origin = %s) ORDER BY seq DESC LIMIT %s"
                ") AS recent ORDER BY seq",
                (room, channel, origin, origin, limit),
            )
            rows = await cursor.fetchall()
        return [
            StoredMessage(msg_id, room, channel, producer, origin, bytes(payload))
            for msg_id, room, channel, producer, origin, payload in rows
        ]

    async def close(self) -> None:
        """Close every connection."""
        for connection in self._all:
            await connection.close()
