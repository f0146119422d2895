"""The reference bus through the driver: fan-out across replicas, tenant isolation, faults.

Each test starts the example's whole topology (three NATS nodes, Valkey, Postgres, three
replicas of ``arqonbus_mini.server``) and talks to it only as a client would.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from aces.runtime.driver import (
    BusSession,
    Delivery,
    Driver,
    RequestRefusedError,
    SessionClosedError,
)
from aces.runtime.provider_local import Environment

from .conftest import bus, needs_servers

pytestmark = needs_servers

ROOM, CHANNEL = "lobby", "chat"


async def _collect(session: BusSession, timeout: float = 0.5) -> list[Delivery]:
    """Everything delivered until ``timeout`` passes with nothing new."""
    got: list[Delivery] = []
    while (delivery := await session.receive(timeout)) is not None:
        got.append(delivery)
    return got


async def _subscribers(
    environment: Environment, driver: Driver, tenant: str, prefix: str
) -> list[BusSession]:
    sessions = []
    for replica in environment.replicas():
        session = await driver.connect(replica.url, tenant, f"{prefix}{replica.index}")
        await session.subscribe(ROOM, CHANNEL)
        sessions.append(session)
    return sessions


async def _close(*sessions: BusSession) -> None:
    for session in sessions:
        await session.close()


def test_publishes_reach_every_replica_in_order_and_tenants_stay_apart() -> None:
    with bus() as (environment, driver):

        async def scenario() -> dict[str, Any]:
            acme = await _subscribers(environment, driver, "acme", "sub")
            globex = await _subscribers(environment, driver, "globex", "spy")
            publisher = await driver.connect(environment.replica(0).url, "acme", "pub")
            ids = [f"acme-{i}" for i in range(20)]
            acks = [await publisher.publish(ROOM, CHANNEL, i.encode(), i) for i in ids]
            seen = {s.client_id: [(d.id, d.replica) for d in await _collect(s)] for s in acme}
            leaked = [d.id for s in globex for d in await _collect(s, 0.2)]
            with pytest.raises(RequestRefusedError) as refused:
                await globex[0].query("history", ROOM, "")
            history = await acme[2].query("history", ROOM, CHANNEL)
            spy_history = await globex[1].query("history", ROOM, CHANNEL)
            # the built-in driver always names its own tenant: speak for another one raw
            raw = globex[0]._envelope("command", "x1", ROOM, CHANNEL, b"", "subscribe")  # type: ignore[attr-defined]
            forged = raw.replace('"tenant_id":"globex"', '"tenant_id":"acme"')
            with pytest.raises(RequestRefusedError) as cross:
                await globex[0]._request("x1", forged, 5.0)  # type: ignore[attr-defined]
            keys = await _valkey_keys(environment.valkey_url())
            await _close(*acme, *globex, publisher)
            return {
                "acks": [(a.id, a.replica) for a in acks],
                "seen": seen,
                "leaked": leaked,
                "refused": refused.value.code,
                "history": [m["id"] for m in history["messages"]],
                "spy_history": spy_history,
                "cross": cross.value.code,
                "keys": keys,
                "ids": ids,
            }

        result = asyncio.run(scenario())
    ids = result["ids"]
    assert result["acks"] == [(i, "arqonbus-0") for i in ids]
    assert result["seen"] == {f"sub{n}": [(i, f"arqonbus-{n}") for i in ids] for n in range(3)}
    assert result["leaked"] == []
    assert result["history"] == ids
    assert result["spy_history"] == {"messages": []}  # row-level security: none of acme's rows
    assert result["refused"] == "invalid"  # a history query needs a channel
    assert result["cross"] == "forbidden"
    # every Valkey key the run left is inside the tenant's namespace
    assert [
        k for k in result["keys"] if not k.startswith(("arqonbus:acme:", "arqonbus:globex:"))
    ] == []
    assert "arqonbus:acme:last:lobby:chat" in result["keys"]
    assert not any(k.startswith("arqonbus:globex:last") for k in result["keys"])


async def _valkey_keys(url: str) -> list[str]:
    import redis.asyncio as redis

    client = redis.Redis.from_url(url, decode_responses=True)
    try:
        return sorted([k async for k in client.scan_iter("*")])
    finally:
        await client.aclose()


# -- the faulty variants: each shows its bug through the same driver -------------------------


def test_fault_tenant_prefix_leaks_markers_to_another_tenant() -> None:
    with bus(ARQONBUS_FAULT="tenant-prefix") as (environment, driver):

        async def scenario() -> list[str]:
            spies = await _subscribers(environment, driver, "globex", "spy")
            publisher = await driver.connect(environment.replica(0).url, "acme", "pub")
            await publisher.publish(ROOM, CHANNEL, b"secret", "acme-secret-1")
            leaked = [f"{d.replica}:{d.id}" for s in spies for d in await _collect(s, 0.3)]
            await _close(*spies, publisher)
            return leaked

        leaked = asyncio.run(scenario())
    assert leaked == [f"arqonbus-{n}:acme-secret-1" for n in range(3)]


def test_fault_reorder_delivers_out_of_publish_order() -> None:
    with bus(ARQONBUS_FAULT="reorder") as (environment, driver):

        async def scenario() -> tuple[list[str], list[str]]:
            (sub,) = (await _subscribers(environment, driver, "acme", "sub"))[1:2]
            publisher = await driver.connect(environment.replica(0).url, "acme", "pub")
            ids = [f"m{i:02d}" for i in range(20)]
            for msg_id in ids:
                await publisher.publish(ROOM, CHANNEL, b"x", msg_id)
            got = [d.id for d in await _collect(sub)]
            await _close(sub, publisher)
            return ids, got

        ids, got = asyncio.run(scenario())
    assert sorted(got) == ids
    assert got != ids


def test_fault_drop_ack_loses_acknowledged_messages() -> None:
    with bus(ARQONBUS_FAULT="drop-ack") as (environment, driver):

        async def scenario() -> tuple[list[str], list[str]]:
            subs = await _subscribers(environment, driver, "acme", "sub")
            publisher = await driver.connect(environment.replica(0).url, "acme", "pub")
            ids = [f"m{i:02d}" for i in range(20)]
            acked = [(await publisher.publish(ROOM, CHANNEL, b"x", i)).id for i in ids]
            got = [d.id for d in await _collect(subs[2])]
            await _close(*subs, publisher)
            return acked, got

        acked, got = asyncio.run(scenario())
    lost = sorted(set(acked) - set(got))
    assert acked == [f"m{i:02d}" for i in range(20)]
    assert lost
    assert got == [i for i in acked if i not in lost]


def test_fault_diverge_makes_one_replica_disagree() -> None:
    with bus(ARQONBUS_FAULT="diverge") as (environment, driver):

        async def scenario() -> tuple[list[list[str]], list[list[str]]]:
            subs = await _subscribers(environment, driver, "acme", "sub")
            publisher = await driver.connect(environment.replica(0).url, "acme", "pub")
            for i in range(15):
                await publisher.publish(ROOM, CHANNEL, b"x", f"m{i:02d}")
            seen = [[d.id for d in await _collect(s)] for s in subs]
            histories = [
                [m["id"] for m in (await s.query("history", ROOM, CHANNEL))["messages"]]
                for s in subs
            ]
            await _close(*subs, publisher)
            return seen, histories

        seen, histories = asyncio.run(scenario())
    assert seen[0] == seen[2] == [f"m{i:02d}" for i in range(15)]
    assert seen[1] != seen[0]
    assert histories[0] == histories[2] == seen[0]
    assert histories[1] == []  # arqonbus-1 answers from the rows it wrote itself: none


def _flood(environment: Environment, driver: Driver, hold: float = 0.3) -> dict[str, Any]:
    async def scenario() -> dict[str, Any]:
        slow = await driver.connect(environment.replica(1).url, "acme", "slow")
        await slow.subscribe(ROOM, CHANNEL)
        slow.pause_reading()
        publisher = await driver.connect(environment.replica(0).url, "acme", "pub")
        before = environment.rss_bytes(1)
        # more than the socket buffers of both ends take in: the rest waits in the replica;
        # incompressible, or permessage-deflate would shrink it to nothing on the wire
        payload = random.Random(7).randbytes(262144)
        for i in range(160):
            await publisher.publish(ROOM, CHANNEL, payload, f"f{i:03d}")
        await asyncio.sleep(hold)
        grown = environment.rss_bytes(1) - before
        slow.resume_reading()
        cut: SessionClosedError | None = None
        try:
            await _collect(slow, 0.5)
        except SessionClosedError as exc:
            cut = exc
        # normal traffic right after
        fresh = await driver.connect(environment.replica(1).url, "acme", "fresh")
        await fresh.subscribe(ROOM, "after")
        await publisher.publish(ROOM, "after", b"ok", "after-1")
        after = [d.id for d in await _collect(fresh, 0.5)]
        signals = [s.kind for s in publisher.signals()]
        presence = (await fresh.query("presence", ROOM, CHANNEL))["clients"]
        await _close(slow, publisher, fresh)
        return {
            "grown": grown,
            "cut": cut,
            "signals": signals,
            "after": after,
            "presence": presence,
        }

    return asyncio.run(scenario())


def test_slow_consumer_is_cut_and_the_publisher_signalled() -> None:
    with bus(ARQONBUS_QUEUE_LIMIT="16") as (environment, driver):
        result = _flood(environment, driver)
    assert result["cut"] is not None
    assert (result["cut"].code, result["cut"].reason) == (4008, "slow consumer")
    assert result["signals"] == ["backpressure"]
    assert result["after"] == ["after-1"]


def test_a_consumer_paused_past_the_close_timeout_still_reads_its_4008() -> None:
    # the close frame waits behind the frames already in the socket buffers; the session's
    # queue is dropped at the cut, so the 4008 comes right after what the sockets hold
    with bus(ARQONBUS_QUEUE_LIMIT="16") as (environment, driver):
        result = _flood(environment, driver, hold=2.5)
    assert result["cut"] is not None
    assert (result["cut"].code, result["cut"].reason) == (4008, "slow consumer")
    assert result["signals"] == ["backpressure"]
    assert result["presence"] == []  # the cut session left presence


def test_fault_unbounded_queue_grows_without_signal() -> None:
    with bus(ARQONBUS_QUEUE_LIMIT="16", ARQONBUS_FAULT="unbounded-queue") as (environment, driver):
        result = _flood(environment, driver)
    assert result["cut"] is None
    assert result["signals"] == []
    assert result["grown"] > 16 * 1024 * 1024
