"""Workloads: drive the bus under test through a driver and record a history of what happened.

Each workload opens sessions on the replicas (``aces.runtime.driver``), publishes
and receives, and records every step as an operation (``aces.engines.history``):
``invoke`` then ``ok`` / ``fail`` / ``info`` for requests, ``ok`` for deliveries.
Message ids are unique per run and name the tenant and producer, so a finding can
name exactly which message went wrong. A workload returns its operations; the
stage writes them as JSONL and runs the checkers on them.

Everything runs in one asyncio event loop; what blocks (stopping and starting a
replica, reading /proc) runs in a worker thread so traffic keeps flowing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aces.engines.history.model import (
    CLOSE,
    DELIVER,
    FAIL,
    INFO,
    INVOKE,
    META,
    OK,
    PROBE,
    PUBLISH,
    QUERY,
    ROLL,
    SAMPLE,
    SIGNAL,
    SUBSCRIBE,
    TAP,
    Op,
)
from aces.runtime.driver import (
    AckTimeoutError,
    BusSession,
    ConnectFailedError,
    Driver,
    DriverError,
    RequestRefusedError,
    SessionClosedError,
)

CUT_CODES = frozenset({4008})  # close codes that mean "cut for not keeping up"


@dataclass(frozen=True)
class Endpoint:
    """A replica as a workload sees it: its id and the URL sessions connect to."""

    replica_id: str
    url: str


@dataclass(frozen=True)
class Settings:
    """How much traffic each workload makes; from the policy's ``[topology.checks]``."""

    tenants: int = 3
    messages: int = 30  # per producer
    settle_seconds: float = 2.0  # quiet time that ends a drain
    drain_seconds: float = 20.0  # the longest a drain may take
    ack_timeout: float = 5.0
    flood_messages: int = 3000
    flood_payload_bytes: int = 16384
    flood_window: int = 32  # publishes in flight during a flood
    sample_every: float = 0.1
    roll_rate: float = 20.0  # publishes per second per producer during a roll
    run_id: str = "run"  # makes names unique: room names, client ids


class Recorder:
    """Collects operations with times relative to its creation (one event loop, no lock)."""

    def __init__(self, clock: Callable[[], int] = time.monotonic_ns) -> None:
        self._clock = clock
        self._start = clock()
        self.ops: list[Op] = []

    def add(
        self, process: str, type_: str, f: str, value: dict[str, Any], replica: str, tenant: str
    ) -> None:
        """Record one operation, now."""
        self.ops.append(Op(process, type_, f, value, self._clock() - self._start, replica, tenant))


# -- sessions that record --------------------------------------------------------------


@dataclass
class Client:
    """A recorded session: every request it makes becomes operations of the history."""

    recorder: Recorder
    session: BusSession
    process: str
    tenant: str
    replica: str
    seq: int = 0

    async def subscribe(self, room: str, channel: str) -> bool:
        """Subscribe to ``room/channel``; True when the bus accepted."""
        value = {"topic": f"{room}/{channel}"}
        self._add(INVOKE, SUBSCRIBE, value)
        try:
            await self.session.subscribe(room, channel)
        except RequestRefusedError as exc:
            self._add(FAIL, SUBSCRIBE, {**value, "error": exc.code})
            return False
        except DriverError as exc:
            self._add(INFO, SUBSCRIBE, {**value, "error": str(exc)})
            return False
        self._add(OK, SUBSCRIBE, value)
        return True

    async def publish(self, room: str, channel: str, *, size: int = 0, timeout: float = 5.0) -> str:
        """Publish the next message of this producer; returns its outcome (ok/fail/info)."""
        self.seq += 1
        msg_id = f"{self.process}-{self.seq:06d}"
        value: dict[str, Any] = {"id": msg_id, "topic": f"{room}/{channel}", "seq": self.seq}
        body = json.dumps({"id": msg_id, "seq": self.seq}).encode()
        payload = body + b" " * max(0, size - len(body))
        self._add(INVOKE, PUBLISH, value)
        try:
            await self.session.publish(room, channel, payload, msg_id, timeout=timeout)
        except RequestRefusedError as exc:
            self._add(FAIL, PUBLISH, {**value, "error": _error_kind(exc.code)})
            return FAIL
        except (AckTimeoutError, SessionClosedError, DriverError) as exc:
            self._add(INFO, PUBLISH, {**value, "error": str(exc)})
            return INFO
        self._add(OK, PUBLISH, value)
        return OK

    async def consume(self, stop: asyncio.Event, settle: float, deadline: float) -> None:
        """Record deliveries until ``stop`` is set and nothing came for ``settle`` seconds."""
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            try:
                delivery = await self.session.receive(timeout=0.1)
            except SessionClosedError as exc:
                reason = "cut" if exc.code in CUT_CODES else "disconnected"
                self._add(INFO, CLOSE, {"reason": reason, "detail": str(exc)})
                return
            now = time.monotonic()
            if delivery is not None:
                self._add(OK, DELIVER, {"id": delivery.id})
                quiet_since = now
            elif stop.is_set() and now - quiet_since >= settle:
                return

    async def close(self) -> None:
        """Close the session and record it."""
        with contextlib.suppress(DriverError, OSError):
            await self.session.close()
        self._add(OK, CLOSE, {})

    def record_signals(self) -> int:
        """Record every unsolicited signal the bus sent so far; returns how many."""
        found = self.session.signals()
        for sig in found:
            self._add(OK, SIGNAL, {"kind": sig.kind, **dict(sig.detail)})
        return len(found)

    def _add(self, type_: str, f: str, value: dict[str, Any]) -> None:
        self.recorder.add(self.process, type_, f, value, self.replica, self.tenant)


def _error_kind(code: str) -> str:
    """The bus's refusal code, with any form of backpressure named ``backpressure``."""
    lowered = code.lower()
    if any(word in lowered for word in ("backpressure", "slow", "overload", "queue_full")):
        return "backpressure"
    return code


async def connect(
    recorder: Recorder, driver: Driver, endpoint: Endpoint, tenant: str, process: str
) -> Client:
    """A recorded session of ``process`` of ``tenant`` on ``endpoint``."""
    try:
        session = await driver.connect(endpoint.url, tenant, process)
    except ConnectFailedError as exc:
        raise WorkloadError(f"{process} could not connect to {endpoint.replica_id}: {exc}") from exc
    return Client(recorder, session, process, tenant, endpoint.replica_id)


class WorkloadError(Exception):
    """The workload could not do its job (not a finding about the bus): the check is ERROR."""


# -- building blocks --------------------------------------------------------------------


@dataclass
class Round:
    """One publish/subscribe round: consumers subscribe, producers publish, consumers drain."""

    consumers: list[Client] = field(default_factory=list)
    producers: list[tuple[Client, str, str]] = field(default_factory=list)  # (client, room, ch)


async def run_round(plan: Round, settings: Settings, messages: int) -> None:
    """Producers publish ``messages`` each (acked one by one), consumers record until quiet."""
    stop = asyncio.Event()
    deadline = time.monotonic() + settings.drain_seconds + messages
    consumers = [
        asyncio.create_task(c.consume(stop, settings.settle_seconds, deadline))
        for c in plan.consumers
    ]

    async def produce(client: Client, room: str, channel: str) -> None:
        for _ in range(messages):
            await client.publish(room, channel, timeout=settings.ack_timeout)

    await asyncio.gather(*(produce(c, r, ch) for c, r, ch in plan.producers))
    stop.set()
    await asyncio.gather(*consumers)


async def _close_all(clients: Sequence[Client]) -> None:
    await asyncio.gather(*(c.close() for c in clients))


def _name(settings: Settings, *parts: object) -> str:
    """A lower-case client or room name unique to this run."""
    raw = "-".join(str(p) for p in (settings.run_id, *parts)).lower()
    return re.sub(r"[^a-z0-9_-]", "-", raw)[:60]


def _meta(recorder: Recorder, workload: str, settings: Settings, **extra: object) -> None:
    value = {"workload": workload, "messages": settings.messages, **extra}
    recorder.add("aces", INFO, META, value, "", "")


# -- the workloads ------------------------------------------------------------------------


async def multi_node(driver: Driver, endpoints: Sequence[Endpoint], settings: Settings) -> list[Op]:
    """A consumer and a producer on every replica, one topic: every message must cross."""
    return await _all_to_all(driver, endpoints, settings, "multi-node")


async def ordering(driver: Driver, endpoints: Sequence[Endpoint], settings: Settings) -> list[Op]:
    """Producers on every replica publish in sequence; every consumer must see each in order."""
    return await _all_to_all(driver, endpoints, settings, "ordering")


async def _all_to_all(
    driver: Driver, endpoints: Sequence[Endpoint], settings: Settings, workload: str
) -> list[Op]:
    recorder = Recorder()
    _meta(recorder, workload, settings)
    tenant = _name(settings, "tenant", workload)[:40]
    room, channel = _name(settings, workload, "room"), "main"
    plan = Round()
    try:
        for i, endpoint in enumerate(endpoints):
            consumer = await connect(recorder, driver, endpoint, tenant, _name(settings, "c", i))
            plan.consumers.append(consumer)
            if not await consumer.subscribe(room, channel):
                raise WorkloadError(
                    f"{consumer.process} could not subscribe on {endpoint.replica_id}"
                )
        for i, endpoint in enumerate(endpoints):
            producer = await connect(recorder, driver, endpoint, tenant, _name(settings, "p", i))
            plan.producers.append((producer, room, channel))
        await run_round(plan, settings, settings.messages)
    finally:
        await _close_all([*plan.consumers, *(p for p, _, _ in plan.producers)])
    return recorder.ops


@dataclass(frozen=True)
class Queries:
    """Which state queries the divergence workload asks every replica."""

    history: str = "history"
    channels: str = "channels"


async def divergence(
    driver: Driver, endpoints: Sequence[Endpoint], settings: Settings, queries: Queries = Queries()
) -> list[Op]:
    """All-to-all traffic, then the same state queries on every replica."""
    ops = await _all_to_all(driver, endpoints, settings, "divergence")
    recorder = Recorder()
    tenant = _name(settings, "tenant", "divergence")[:40]
    room, channel = _name(settings, "divergence", "room"), "main"
    topic = f"{room}/{channel}"
    for i, endpoint in enumerate(endpoints):
        client = await connect(recorder, driver, endpoint, tenant, _name(settings, "q", i))
        try:
            for name, args in ((queries.history, (room, channel)), (queries.channels, (room,))):
                about = topic if name == queries.history else room
                value = {"query": name, "topic": about}
                client._add(INVOKE, QUERY, value)
                try:
                    result = await client.session.query(name, *args)
                except DriverError as exc:
                    client._add(FAIL, QUERY, {**value, "error": str(exc)})
                    raise WorkloadError(
                        f"{name} query on {endpoint.replica_id} failed: {exc}"
                    ) from exc
                client._add(OK, QUERY, {**value, "result": _result_items(result)})
        finally:
            await client.close()
    shift = ops[-1].time + 1 if ops else 0
    return ops + [op._replace(time=op.time + shift) for op in recorder.ops]


def _result_items(result: dict[str, Any]) -> list[str]:
    """A state query's answer as a list: message ids for a history, names for channels."""
    for value in result.values():
        if isinstance(value, list):
            items = [str(v.get("id", v)) if isinstance(v, dict) else str(v) for v in value]
            is_history = any(isinstance(v, dict) for v in value)
            return items if is_history else sorted(items)
    return []


class Taps(Protocol):
    """Looks at the infrastructure for markers: NATS subjects, Valkey keys, Postgres rows."""

    async def start(self) -> None:
        """Begin watching what streams (the NATS subscription)."""

    async def collect(self, markers: frozenset[str]) -> list[tuple[str, str, list[str]]]:
        """(source, where, markers found there) for everything seen since ``start``."""


async def isolation(
    driver: Driver,
    endpoints: Sequence[Endpoint],
    settings: Settings,
    taps: Taps | None = None,
) -> list[Op]:
    """K tenants use the same room and channel names; none may see another's messages.

    Consumer and producer of each tenant sit on different replicas, so a leak through the
    NATS cluster shows as well as one inside a replica; the taps then look for every
    marker (message ids, client ids) outside its tenant's namespace.
    """
    recorder = Recorder()
    _meta(recorder, "tenant-isolation", settings, tenants=settings.tenants)
    room, channel = "shared-room", "shared"
    plan = Round()
    if taps is not None:
        await taps.start()
    try:
        for k in range(settings.tenants):
            tenant = _name(settings, "tenant", k)[:40]
            consumer_at = endpoints[k % len(endpoints)]
            producer_at = endpoints[(k + 1) % len(endpoints)]
            consumer = await connect(
                recorder, driver, consumer_at, tenant, _name(settings, "t", k, "c")
            )
            plan.consumers.append(consumer)
            if not await consumer.subscribe(room, channel):
                raise WorkloadError(f"{consumer.process} could not subscribe")
            producer = await connect(
                recorder, driver, producer_at, tenant, _name(settings, "t", k, "p")
            )
            plan.producers.append((producer, room, channel))
        await run_round(plan, settings, settings.messages)
        if taps is not None:
            markers = frozenset(
                {op.value["id"] for op in recorder.ops if op.f == PUBLISH and op.type == INVOKE}
                | {c.process for c in plan.consumers}
                | {p.process for p, _, _ in plan.producers}
            )
            for source, where, found in await taps.collect(markers):
                value = {"source": source, "where": where, "markers": sorted(found)}
                recorder.add("tap", OK, TAP, value, "", "")
    finally:
        await _close_all([*plan.consumers, *(p for p, _, _ in plan.producers)])
    return recorder.ops


class Memory(Protocol):
    """Reads a replica's resident memory (the environment's ``rss_bytes``)."""

    def __call__(self, index: int) -> int:
        """Bytes of resident memory of replica ``index``."""


async def backpressure(
    driver: Driver, endpoints: Sequence[Endpoint], settings: Settings, memory: Memory
) -> list[Op]:
    """A slow consumer that stops reading, a flood at it, memory sampled, then normal traffic."""
    recorder = Recorder()
    _meta(recorder, "backpressure", settings, flood=settings.flood_messages)
    tenant = _name(settings, "tenant", "flood")[:40]
    room, channel = _name(settings, "flood", "room"), "main"
    slow_at, flood_at = endpoints[0], endpoints[-1]
    slow = await connect(recorder, driver, slow_at, tenant, _name(settings, "slow"))
    flooder = await connect(recorder, driver, flood_at, tenant, _name(settings, "flooder"))
    clients = [slow, flooder]
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample(recorder, endpoints, memory, settings, stop))
    try:
        if not await slow.subscribe(room, channel):
            raise WorkloadError(f"{slow.process} could not subscribe")
        slow.session.pause_reading()
        await _flood(flooder, room, channel, settings)
        await asyncio.sleep(settings.settle_seconds)
        stop.set()
        await sampler
        slow.session.resume_reading()
        # read what was queued until the bus closes the session or stays quiet
        drained = asyncio.Event()
        drained.set()
        await slow.consume(
            drained, settings.settle_seconds, time.monotonic() + settings.drain_seconds
        )
        flooder.record_signals()
        slow.record_signals()
        clients.extend(await _probe(recorder, driver, endpoints, settings))
    finally:
        stop.set()
        await sampler
        await _close_all(clients)
    return recorder.ops


async def _flood(client: Client, room: str, channel: str, settings: Settings) -> None:
    """Publish ``flood_messages`` with at most ``flood_window`` in flight."""
    gate = asyncio.Semaphore(settings.flood_window)

    async def one() -> None:
        async with gate:
            await client.publish(
                room, channel, size=settings.flood_payload_bytes, timeout=settings.ack_timeout
            )

    await asyncio.gather(*(one() for _ in range(settings.flood_messages)))


async def _sample(
    recorder: Recorder,
    endpoints: Sequence[Endpoint],
    memory: Memory,
    settings: Settings,
    stop: asyncio.Event,
) -> None:
    """Record every replica's resident memory every ``sample_every`` seconds until ``stop``."""
    while not stop.is_set():
        for index, endpoint in enumerate(endpoints):
            amount = await asyncio.to_thread(memory, index)
            recorder.add(
                "memory",
                OK,
                SAMPLE,
                {"metric": "rss_bytes", "amount": amount},
                endpoint.replica_id,
                "",
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.sample_every)


async def _probe(
    recorder: Recorder, driver: Driver, endpoints: Sequence[Endpoint], settings: Settings
) -> list[Client]:
    """Normal traffic right after the flood: one message from one replica to another."""
    tenant = _name(settings, "tenant", "probe")[:40]
    room, channel = _name(settings, "probe", "room"), "main"
    value = {"id": "probe-1", "topic": f"{room}/{channel}"}
    recorder.add("probe", INVOKE, PROBE, value, endpoints[0].replica_id, tenant)
    consumer = await connect(recorder, driver, endpoints[0], tenant, _name(settings, "probe-c"))
    producer = await connect(recorder, driver, endpoints[-1], tenant, _name(settings, "probe-p"))
    ok = await consumer.subscribe(room, channel) and (
        await producer.publish(room, channel, timeout=settings.ack_timeout) == OK
    )
    received = False
    deadline = time.monotonic() + settings.ack_timeout
    while ok and not received and time.monotonic() < deadline:
        try:
            delivery = await consumer.session.receive(timeout=0.2)
        except SessionClosedError:
            break
        received = delivery is not None
        if received:
            assert delivery is not None
            consumer._add(OK, DELIVER, {"id": delivery.id})
    outcome = OK if received else FAIL
    recorder.add("probe", outcome, PROBE, value, endpoints[0].replica_id, tenant)
    return [consumer, producer]


# -- upgrade / downgrade ------------------------------------------------------------------


@dataclass(frozen=True)
class RollStep:
    """Restart replica ``index`` as ``version`` (``base`` or ``head``); blocking (a thread)."""

    index: int
    version: str
    restart: Callable[[], None]


async def roll(
    driver: Driver,
    endpoints: Sequence[Endpoint],
    settings: Settings,
    steps: Sequence[RollStep],
) -> list[Op]:
    """Continuous traffic on every replica while ``steps`` restart them one by one.

    A session whose replica goes away records its close and connects again (as a new
    process, as Jepsen does) once the replica answers; the checkers then judge the
    whole history: nothing acknowledged lost, order kept, nothing delivered twice.
    """
    recorder = Recorder()
    _meta(recorder, "upgrade-downgrade", settings, steps=len(steps))
    tenant = _name(settings, "tenant", "roll")[:40]
    room, channel = _name(settings, "roll", "room"), "main"
    stop = asyncio.Event()
    workers = [
        _roll_consumer(recorder, driver, endpoint, tenant, room, channel, settings, stop, i)
        for i, endpoint in enumerate(endpoints)
    ] + [
        _roll_producer(recorder, driver, endpoint, tenant, room, channel, settings, stop, i)
        for i, endpoint in enumerate(endpoints)
    ]
    tasks = [asyncio.create_task(w) for w in workers]
    try:
        await asyncio.sleep(settings.settle_seconds)
        for number, step in enumerate(steps, start=1):
            value = {
                "step": number,
                "replica": endpoints[step.index].replica_id,
                "version": step.version,
            }
            recorder.add("roll", INVOKE, ROLL, value, endpoints[step.index].replica_id, "")
            await asyncio.to_thread(step.restart)
            recorder.add("roll", OK, ROLL, value, endpoints[step.index].replica_id, "")
            await asyncio.sleep(settings.settle_seconds / 2)
        await asyncio.sleep(settings.settle_seconds)
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    return recorder.ops


async def _reconnect(
    recorder: Recorder,
    driver: Driver,
    endpoint: Endpoint,
    tenant: str,
    name: Callable[[int], str],
    stop: asyncio.Event,
    generation: int,
) -> Client | None:
    """Connect again until the replica answers or ``stop``."""
    while not stop.is_set():
        try:
            return await connect(recorder, driver, endpoint, tenant, name(generation))
        except WorkloadError:
            await asyncio.sleep(0.1)
    return None


async def _roll_consumer(
    recorder: Recorder,
    driver: Driver,
    endpoint: Endpoint,
    tenant: str,
    room: str,
    channel: str,
    settings: Settings,
    stop: asyncio.Event,
    index: int,
) -> None:
    generation = 0
    while not stop.is_set():
        client = await _reconnect(
            recorder,
            driver,
            endpoint,
            tenant,
            lambda g: _name(settings, "rc", index, g),
            stop,
            generation,
        )
        if client is None:
            return
        generation += 1
        if await client.subscribe(room, channel):
            await client.consume(stop, settings.settle_seconds, time.monotonic() + 3600)
        if stop.is_set():
            await client.close()
            return
        with contextlib.suppress(DriverError, OSError):
            await client.session.close()


async def _roll_producer(
    recorder: Recorder,
    driver: Driver,
    endpoint: Endpoint,
    tenant: str,
    room: str,
    channel: str,
    settings: Settings,
    stop: asyncio.Event,
    index: int,
) -> None:
    generation = 0
    pause = 1.0 / settings.roll_rate
    while not stop.is_set():
        client = await _reconnect(
            recorder,
            driver,
            endpoint,
            tenant,
            lambda g: _name(settings, "rp", index, g),
            stop,
            generation,
        )
        if client is None:
            return
        generation += 1
        while not stop.is_set():
            outcome = await client.publish(room, channel, timeout=settings.ack_timeout)
            if outcome == INFO:
                break  # the replica went away: connect again
            await asyncio.sleep(pause)
        await client.close()


def run(coroutine: Awaitable[list[Op]]) -> list[Op]:
    """Run a workload in a fresh event loop (each check thread has its own)."""

    async def main() -> list[Op]:
        return await coroutine

    return asyncio.run(main())
