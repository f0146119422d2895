"""Taps on the infrastructure: what NATS carried, what Valkey and Postgres hold.

Used by the tenant-isolation workload: a system subscription to every NATS subject
(``>``) while traffic flows, then a Valkey ``SCAN`` of every key (with its members or
value) and every row of the policy's Postgres tables. Each place where a marker
shows up is reported as (source, where, markers); the checker decides whether that
place is inside the marker's tenant's namespace.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from aces.runtime.checks_spec import ChecksSpec
from aces.runtime.provider_local import Environment
from aces.runtime.workloads import WorkloadError

Seen = tuple[str, str, list[str]]


def markers_in(text: str, markers: frozenset[str]) -> list[str]:
    """The markers that occur in ``text`` as whole tokens, sorted."""
    tokens = set(re.findall(r"[A-Za-z0-9_-]+", text))
    return sorted(tokens & markers)


class InfrastructureTaps:
    """The three taps of one environment (see the module docstring)."""

    def __init__(self, env: Environment, checks: ChecksSpec) -> None:
        """Tap ``env``; Postgres tables and the tenant column come from ``checks``."""
        self._env = env
        self._checks = checks
        self._nats: Any = None
        self._seen: list[tuple[str, str]] = []  # (subject, data and headers as text)
        self._lost: list[str] = []  # why the tap's connection failed before collect()

    async def _on_error(self, exc: Exception) -> None:
        # nats-py's default callback logs a traceback to stderr; a tap that lost its
        # connection missed messages, which collect() turns into an ERROR instead.
        self._lost.append(f"{type(exc).__name__}: {exc}".rstrip(": "))

    async def _on_disconnect(self) -> None:
        if self._nats is not None:
            self._lost.append("disconnected")

    async def start(self) -> None:
        """Subscribe to every subject on the first NATS node."""
        import nats

        try:
            self._nats = await nats.connect(
                self._env.nats_urls()[0],
                connect_timeout=5,
                allow_reconnect=False,  # messages sent while away would go unseen
                error_cb=self._on_error,
                disconnected_cb=self._on_disconnect,
            )
        except Exception as exc:  # nats-py raises its own hierarchy and OSError
            raise WorkloadError(f"the NATS tap could not connect: {exc}") from exc

        async def record(msg: Any) -> None:
            headers = " ".join(f"{k}={v}" for k, v in (msg.headers or {}).items())
            self._seen.append((msg.subject, msg.data.decode("utf-8", "replace") + " " + headers))

        await self._nats.subscribe(">", cb=record)
        await self._nats.flush()

    async def collect(self, markers: frozenset[str]) -> list[Seen]:
        """Stop the NATS tap; scan Valkey and Postgres; every place holding markers."""
        found: dict[tuple[str, str], set[str]] = {}
        if self._nats is not None:
            with contextlib.suppress(Exception):
                await self._nats.flush()
            client, self._nats = self._nats, None  # closing is not a loss
            await client.close()
        if self._lost:
            raise WorkloadError(f"the NATS tap lost its connection: {self._lost[0]}")
        for subject, text in self._seen:
            _add(found, "nats", subject, markers_in(subject + " " + text, markers))
        if self._env.topology.valkey.enabled:
            for key, text in await self._valkey():
                _add(found, "valkey", key, markers_in(key + " " + text, markers))
        if self._env.topology.postgres.enabled:
            for where, text in await self._postgres():
                _add(found, "postgres", where, markers_in(text, markers))
        return [(s, w, sorted(m)) for (s, w), m in sorted(found.items())]

    async def _valkey(self) -> list[tuple[str, str]]:
        from redis import asyncio as redis

        client = redis.from_url(self._env.valkey_url(), decode_responses=True)
        out: list[tuple[str, str]] = []
        try:
            async for key in client.scan_iter(count=500):
                out.append((key, await _contents(client, key)))
        except Exception as exc:  # redis-py's errors and OSError
            raise WorkloadError(f"the Valkey tap failed: {exc}") from exc
        finally:
            await client.aclose()
        return out

    async def _postgres(self) -> list[tuple[str, str]]:
        import psycopg
        from psycopg import sql

        column = self._checks.postgres_tenant_column
        out: list[tuple[str, str]] = []
        try:
            async with await psycopg.AsyncConnection.connect(self._env.database_url()) as conn:
                for table in self._checks.postgres_tables:
                    query = sql.SQL("SELECT {col}::text, row_to_json(t)::text FROM {tab} t").format(
                        col=sql.Identifier(column), tab=sql.Identifier(table)
                    )
                    async with conn.cursor() as cursor:
                        await cursor.execute(query)
                        for tenant, row in await cursor.fetchall():
                            out.append((f"{table}.{column}={tenant}", str(row)))
        except Exception as exc:  # psycopg's errors and OSError
            raise WorkloadError(f"the Postgres tap failed: {exc}") from exc
        return out


async def _contents(client: Any, key: str) -> str:
    """A key's value or members as text (strings, sets, lists, hashes, sorted sets)."""
    kind = await client.type(key)
    if kind == "string":
        return str(await client.get(key))
    if kind == "set":
        return " ".join(sorted(await client.smembers(key)))
    if kind == "list":
        return " ".join(await client.lrange(key, 0, -1))
    if kind == "hash":
        return " ".join(f"{k}={v}" for k, v in sorted((await client.hgetall(key)).items()))
    if kind == "zset":
        return " ".join(await client.zrange(key, 0, -1))
    return ""


def _add(found: dict[tuple[str, str], set[str]], source: str, where: str, hits: list[str]) -> None:
    if hits:
        found.setdefault((source, where), set()).update(hits)
