"""The hub's logic with in-process backends: fan-out, tenancy, acks, faults, backpressure."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine
from typing import Any

import pytest

pytest.importorskip("prometheus_client")

from arqonbus_mini.envelope import Envelope, MessageType
from arqonbus_mini.server import faults
from arqonbus_mini.server.auth import Identity
from arqonbus_mini.server.config import Config
from arqonbus_mini.server.faults import Fault
from arqonbus_mini.server.frames import Request
from arqonbus_mini.server.hub import Client, Hub
from arqonbus_mini.server.memory import MemoryFabric, MemoryHistory, MemoryStore
from arqonbus_mini.server.metrics import Metrics


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


class Cluster:
    """Replicas sharing one in-process fabric, store and history."""

    def __init__(self, replicas: int = 2, **settings: Any) -> None:
        self.fabric, self.store, self.history = MemoryFabric(), MemoryStore(), MemoryHistory()
        self.cuts: list[str] = []
        self.hubs = [
            Hub(
                Config(replica_id=f"bus-{i}", replica_index=i, **settings),
                self.fabric,
                self.store,
                self.history,
                Metrics(),
                logging.getLogger("test"),
            )
            for i in range(replicas)
        ]

    async def start(self) -> None:
        for hub in self.hubs:
            await hub.start()

    def client(self, replica: int, tenant: str, name: str) -> Client:
        return self.hubs[replica].attach(
            Identity(tenant, name), lambda reason: self.cuts.append(f"{name}: {reason}")
        )


def envelope(kind: str, msg_id: str, tenant: str, room: str = "lobby") -> Envelope:
    return Envelope(
        id=msg_id,
        type=MessageType(kind),
        version="1.0.0",
        timestamp_ms=1,
        room=room,
        channel="chat",
        payload=msg_id.encode(),
        correlation_id=msg_id,
        tenant_id=tenant,
    )


async def request(hub: Hub, client: Client, command: str, msg_id: str, tenant: str = "") -> None:
    kind = "event" if command == "publish" else "command"
    env = envelope(kind, msg_id, tenant or client.identity.tenant)
    await hub.handle(client, Request(command=command, envelope=env))


def drain(client: Client) -> list[dict[str, Any]]:
    """Every frame queued for the client, parsed."""
    frames: list[dict[str, Any]] = []
    while client.outbox._control or client.outbox._data:
        frame = client.outbox._control.popleft() if client.outbox._control else None
        frames.append(json.loads(frame or client.outbox._data.popleft()))
    return frames


async def events_until(client: Client, count: int) -> list[str]:
    """Ids of the events queued for the client, polled until ``count`` have arrived."""
    got: list[str] = []
    while len(got) < count:
        await asyncio.sleep(0.005)  # let the held-back deliveries run
        got += [f["id"] for f in drain(client) if f["type"] == "event"]
    return got


def test_publish_is_acked_and_reaches_subscribers_on_every_replica() -> None:
    async def scenario() -> None:
        cluster = Cluster(3)
        await cluster.start()
        subs = [cluster.client(i, "acme", f"sub{i}") for i in range(3)]
        for i, sub in enumerate(subs):
            await request(cluster.hubs[i], sub, "subscribe", f"s{i}")
        publisher = cluster.client(0, "acme", "pub")
        await request(cluster.hubs[0], publisher, "publish", "m1")
        ack = drain(publisher)
        assert ack[0]["type"] == "reply"
        assert ack[0]["correlation_id"] == "m1"
        assert ack[0]["result"] == {"id": "m1", "replica": "bus-0", "duplicate": False}
        for i, sub in enumerate(subs):
            got = [f for f in drain(sub) if f["type"] == "event"]
            assert [(f["id"], f["origin"], f["replica"], f["producer"]) for f in got] == [
                ("m1", "bus-0", f"bus-{i}", "pub")
            ]
        assert cluster.fabric.published == ["arqonbus.acme.lobby.chat"]
        assert cluster.store.values == {"arqonbus:acme:last:lobby:chat": "m1"}

    run(scenario())


def test_other_tenants_never_receive_and_cannot_speak_for_a_tenant() -> None:
    async def scenario() -> None:
        cluster = Cluster(2)
        await cluster.start()
        other = cluster.client(1, "globex", "eve")
        await request(cluster.hubs[1], other, "subscribe", "s1")
        await request(cluster.hubs[1], other, "subscribe", "s2", tenant="acme")
        publisher = cluster.client(0, "acme", "pub")
        await request(cluster.hubs[0], publisher, "publish", "m1")
        frames = drain(other)
        assert [f["type"] for f in frames] == ["reply", "error"]
        assert frames[1]["error"]["code"] == "forbidden"
        assert frames[1]["correlation_id"] == "s2"
        history = [(t, m.id) for t, m in cluster.history.rows]
        assert history == [("acme", "m1")]

    run(scenario())


def test_a_retried_publish_is_acked_as_duplicate_and_sent_once() -> None:
    async def scenario() -> None:
        cluster = Cluster(1)
        await cluster.start()
        publisher = cluster.client(0, "acme", "pub")
        await request(cluster.hubs[0], publisher, "publish", "m1")
        await request(cluster.hubs[0], publisher, "publish", "m1")
        acks = [f["result"]["duplicate"] for f in drain(publisher)]
        assert acks == [False, True]
        assert len(cluster.fabric.published) == 1

    run(scenario())


def test_history_channels_and_presence_queries() -> None:
    async def scenario() -> None:
        cluster = Cluster(2)
        await cluster.start()
        sub = cluster.client(1, "acme", "sub")
        await request(cluster.hubs[1], sub, "subscribe", "s1")
        publisher = cluster.client(0, "acme", "pub")
        for i in range(3):
            await request(cluster.hubs[0], publisher, "publish", f"m{i}")
        drain(publisher)
        await request(cluster.hubs[1], sub, "history", "h1")
        await request(cluster.hubs[1], sub, "channels", "c1")
        await request(cluster.hubs[1], sub, "presence", "p1")
        replies = {f["correlation_id"]: f["result"] for f in drain(sub) if f["type"] == "reply"}
        assert [m["id"] for m in replies["h1"]["messages"]] == ["m0", "m1", "m2"]
        assert replies["c1"] == {"channels": ["chat"]}
        assert replies["p1"] == {"clients": ["sub"]}

    run(scenario())


def test_a_full_send_queue_cuts_the_consumer_and_signals_the_publisher() -> None:
    async def scenario() -> None:
        cluster = Cluster(2, queue_limit=3)
        await cluster.start()
        slow = cluster.client(1, "acme", "slow")
        await request(cluster.hubs[1], slow, "subscribe", "s1")
        publisher = cluster.client(0, "acme", "pub")
        for i in range(5):
            await request(cluster.hubs[0], publisher, "publish", f"m{i}")
        await asyncio.sleep(0)  # the control message travels in a task
        assert cluster.cuts == ["slow: slow consumer"]
        signals = [f for f in drain(publisher) if f.get("signal")]
        assert len(signals) == 1
        assert signals[0]["error"]["code"] == "backpressure"
        assert (signals[0]["consumer"], signals[0]["room"]) == ("slow", "lobby")
        # the queue it pinned is dropped at once, and nothing more is queued for it
        assert slow.outbox.depth() == 0
        await request(cluster.hubs[0], publisher, "publish", "m5")
        assert slow.outbox.depth() == 0

    run(scenario())


def test_a_cut_consumer_leaves_presence_when_its_connection_ends() -> None:
    async def scenario() -> None:
        cluster = Cluster(1, queue_limit=1)
        await cluster.start()
        hub = cluster.hubs[0]
        slow = cluster.client(0, "acme", "slow")
        await request(hub, slow, "subscribe", "s1")
        publisher = cluster.client(0, "acme", "pub")
        for i in range(3):
            await request(hub, publisher, "publish", f"m{i}")
        assert cluster.cuts == ["slow: slow consumer"]
        assert hub.local_sessions() == 1  # only the publisher is routed to
        await hub.detach(slow)
        await hub.detach(slow)  # idempotent
        drain(publisher)
        await request(hub, publisher, "presence", "p1")
        replies = {f["correlation_id"]: f["result"] for f in drain(publisher) if f.get("result")}
        assert replies["p1"] == {"clients": []}

    run(scenario())


def test_drop_policy_keeps_the_consumer_and_skips_frames() -> None:
    async def scenario() -> None:
        cluster = Cluster(1, queue_limit=2, slow_consumer="drop")
        await cluster.start()
        slow = cluster.client(0, "acme", "slow")
        await request(cluster.hubs[0], slow, "subscribe", "s1")
        publisher = cluster.client(0, "acme", "pub")
        for i in range(4):
            await request(cluster.hubs[0], publisher, "publish", f"m{i}")
        await asyncio.sleep(0)
        assert cluster.cuts == []
        assert slow.skipped == 2
        assert [f["id"] for f in drain(slow) if f["type"] == "event"] == ["m0", "m1"]

    run(scenario())


def test_fault_tenant_prefix_leaks_across_tenants() -> None:
    async def scenario() -> None:
        cluster = Cluster(2, fault=Fault.TENANT_PREFIX)
        await cluster.start()
        other = cluster.client(1, "globex", "eve")
        await request(cluster.hubs[1], other, "subscribe", "s1")
        publisher = cluster.client(0, "acme", "pub")
        await request(cluster.hubs[0], publisher, "publish", "secret-1")
        leaked = [f["id"] for f in drain(other) if f["type"] == "event"]
        assert leaked == ["secret-1"]
        assert cluster.fabric.published == ["arqonbus.lobby.chat"]

    run(scenario())


def test_fault_drop_ack_acknowledges_messages_it_never_sends() -> None:
    async def scenario() -> None:
        cluster = Cluster(1, fault=Fault.DROP_ACK)
        await cluster.start()
        sub = cluster.client(0, "acme", "sub")
        await request(cluster.hubs[0], sub, "subscribe", "s1")
        publisher = cluster.client(0, "acme", "pub")
        ids = [f"m{i}" for i in range(20)]
        for msg_id in ids:
            await request(cluster.hubs[0], publisher, "publish", msg_id)
        acked = [f["result"]["id"] for f in drain(publisher)]
        got = [f["id"] for f in drain(sub) if f["type"] == "event"]
        lost = [i for i in ids if faults.drops(i)]
        assert acked == ids
        assert lost
        assert got == [i for i in ids if i not in lost]

    run(scenario())


def test_fault_diverge_skips_messages_on_one_replica_only() -> None:
    async def scenario() -> None:
        cluster = Cluster(2, fault=Fault.DIVERGE)
        await cluster.start()
        subs = [cluster.client(i, "acme", f"sub{i}") for i in range(2)]
        for i, sub in enumerate(subs):
            await request(cluster.hubs[i], sub, "subscribe", f"s{i}")
        publisher = cluster.client(0, "acme", "pub")
        ids = [f"m{i}" for i in range(12)]
        for msg_id in ids:
            await request(cluster.hubs[0], publisher, "publish", msg_id)
        seen = [[f["id"] for f in drain(s) if f["type"] == "event"] for s in subs]
        assert seen[0] == ids
        assert seen[1] == [i for i in ids if not faults.skips(i)]
        await request(cluster.hubs[1], subs[1], "history", "h1")
        history = next(f for f in drain(subs[1]) if f["type"] == "reply")["result"]
        assert history == {"messages": []}  # bus-1 answers from its own rows only

    run(scenario())


def test_fault_reorder_delivers_held_back_messages_late() -> None:
    async def scenario() -> None:
        cluster = Cluster(1, fault=Fault.REORDER)
        await cluster.start()
        sub = cluster.client(0, "acme", "sub")
        await request(cluster.hubs[0], sub, "subscribe", "s1")
        publisher = cluster.client(0, "acme", "pub")
        ids = [f"m{i}" for i in range(12)]
        for msg_id in ids:
            await request(cluster.hubs[0], publisher, "publish", msg_id)
        got = await asyncio.wait_for(events_until(sub, len(ids)), timeout=5)
        held = [i for i in ids if faults.delays(i)]
        assert held
        assert got == [i for i in ids if i not in held] + held

    run(scenario())


def test_fault_unbounded_queue_never_refuses() -> None:
    async def scenario() -> None:
        cluster = Cluster(1, queue_limit=2, fault=Fault.UNBOUNDED_QUEUE)
        await cluster.start()
        slow = cluster.client(0, "acme", "slow")
        await request(cluster.hubs[0], slow, "subscribe", "s1")
        publisher = cluster.client(0, "acme", "pub")
        for i in range(10):
            await request(cluster.hubs[0], publisher, "publish", f"m{i}")
        assert slow.outbox.depth() == 10
        assert cluster.cuts == []

    run(scenario())
