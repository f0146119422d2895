"""The workloads against an in-memory bus: histories that pass, and faults the checkers catch."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aces.engines.history import (
    History,
    Semantics,
    build_index,
    check_divergence,
    check_isolation,
    check_multi_node,
    check_ordering,
)
from aces.runtime import workloads
from aces.runtime.driver import Ack, Delivery, Signal

ENDPOINTS = tuple(workloads.Endpoint(f"bus-{i}", f"mem://bus-{i}") for i in range(3))
SETTINGS = workloads.Settings(tenants=3, messages=5, settle_seconds=0.2, run_id="t")


@dataclass
class FakeBus:
    """Topics per tenant; ``fault``: "" | "tenant-prefix" | "reorder" | "drop-ack"."""

    fault: str = ""
    sessions: list[FakeSession] = field(default_factory=list)
    name: str = "fake"

    async def connect(self, replica_url: str, tenant: str, client_id: str) -> FakeSession:
        session = FakeSession(self, replica_url.rsplit("/", 1)[-1], tenant, client_id)
        self.sessions.append(session)
        return session

    def fan_out(self, sender: FakeSession, room: str, channel: str, msg_id: str) -> None:
        tenant = "" if self.fault == "tenant-prefix" else sender.tenant
        for session in self.sessions:
            key = (tenant or session.tenant, room, channel)
            if key in session.topics and not session.closed:
                session.inbox.append(
                    Delivery(
                        msg_id,
                        sender.tenant,
                        room,
                        channel,
                        b"",
                        sender.client_id,
                        sender.replica,
                        session.replica,
                    )
                )
                if self.fault == "reorder" and len(session.inbox) >= 2 and msg_id.endswith("3"):
                    session.inbox[-1], session.inbox[-2] = session.inbox[-2], session.inbox[-1]


@dataclass
class FakeSession:
    bus: FakeBus
    replica: str
    tenant: str
    client_id: str
    topics: set[tuple[str, str, str]] = field(default_factory=set)
    inbox: list[Delivery] = field(default_factory=list)
    closed: bool = False

    @property
    def replica_url(self) -> str:
        return f"mem://{self.replica}"

    async def subscribe(self, room: str, channel: str) -> None:
        self.topics.add((self.tenant, room, channel))

    async def unsubscribe(self, room: str, channel: str) -> None:
        self.topics.discard((self.tenant, room, channel))

    async def publish(
        self, room: str, channel: str, payload: bytes, msg_id: str, *, timeout: float = 5.0
    ) -> Ack:
        await asyncio.sleep(0)
        if not (self.bus.fault == "drop-ack" and msg_id.endswith("2")):
            self.bus.fan_out(self, room, channel, msg_id)
        return Ack(msg_id, self.replica)

    async def receive(self, timeout: float) -> Delivery | None:
        if self.inbox:
            return self.inbox.pop(0)
        await asyncio.sleep(min(timeout, 0.01))
        return None

    async def query(self, command: str, room: str, channel: str = "") -> dict[str, object]:
        return {"channels": ["main"]} if command == "channels" else {"messages": []}

    def signals(self) -> tuple[Signal, ...]:
        return ()

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    async def close(self) -> None:
        self.closed = True


def test_all_to_all_on_a_correct_bus_passes_every_checker() -> None:
    ops = workloads.run(workloads.ordering(FakeBus(), ENDPOINTS, SETTINGS))
    index = build_index(History(tuple(ops)))
    assert len(index.publishes) == 15
    assert check_multi_node(index, Semantics()) == []
    assert check_ordering(index, Semantics()) == []
    assert check_divergence(index, Semantics()) == []


def test_reorder_fault_is_caught_with_the_message_ids() -> None:
    ops = workloads.run(workloads.ordering(FakeBus("reorder"), ENDPOINTS, SETTINGS))
    found = check_ordering(build_index(History(tuple(ops))), Semantics())
    assert found and {v.rule for v in found} == {"topo.ordering.reorder"}
    assert all(v.ids and all(i.endswith("000002") for i in v.ids) for v in found)


def test_dropped_ack_is_a_lost_message() -> None:
    ops = workloads.run(workloads.multi_node(FakeBus("drop-ack"), ENDPOINTS, SETTINGS))
    index = build_index(History(tuple(ops)))
    lost = check_ordering(index, Semantics())
    assert {v.rule for v in lost} == {"topo.ordering.lost"}
    assert {i for v in lost for i in v.ids} == {f"t-p-{i}-000002" for i in range(3)}
    assert check_multi_node(index, Semantics())


def test_isolation_workload_catches_a_forgotten_tenant_prefix() -> None:
    patterns = {"nats": "bus.{tenant}.>"}
    good = workloads.run(workloads.isolation(FakeBus(), ENDPOINTS, SETTINGS))
    assert check_isolation(build_index(History(tuple(good))), patterns) == []
    bad = workloads.run(workloads.isolation(FakeBus("tenant-prefix"), ENDPOINTS, SETTINGS))
    found = check_isolation(build_index(History(tuple(bad))), patterns)
    assert {v.rule for v in found} == {"topo.tenant-isolation.leak"}
    assert len(found) == 6  # each tenant's consumer got each of the two other tenants' 5
    assert all(len(v.ids) == 5 for v in found)
