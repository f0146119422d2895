"""Tenant isolation of the router."""

from __future__ import annotations

import pytest

from arqonbus_mini.envelope import Envelope, MessageType
from arqonbus_mini.tenancy import Router, TenancyError


def envelope(tenant_id: str, room: str = "lobby") -> Envelope:
    """An event envelope for ``tenant_id`` in ``room``."""
    return Envelope(
        id="m-1",
        type=MessageType.EVENT,
        version="1.0.0",
        timestamp_ms=0,
        room=room,
        channel="",
        payload=b"x",
        correlation_id="",
        tenant_id=tenant_id,
    )


def test_cross_tenant_publish_is_not_delivered() -> None:
    router = Router()
    seen_a: list[Envelope] = []
    seen_b: list[Envelope] = []
    router.subscribe("tenant-a", "lobby", seen_a.append)
    router.subscribe("tenant-b", "lobby", seen_b.append)
    delivered = router.publish(envelope("tenant-a"))
    assert delivered == 1
    assert [e.tenant_id for e in seen_a] == ["tenant-a"]
    assert seen_b == []


def test_same_tenant_same_room_is_delivered_to_every_subscriber() -> None:
    router = Router()
    seen: list[str] = []
    router.subscribe("tenant-a", "lobby", lambda e: seen.append("first"))
    router.subscribe("tenant-a", "lobby", lambda e: seen.append("second"))
    assert router.publish(envelope("tenant-a")) == 2
    assert seen == ["first", "second"]


def test_envelope_without_tenant_is_refused() -> None:
    with pytest.raises(TenancyError):
        Router().publish(envelope(""))


def test_subscription_without_tenant_is_refused() -> None:
    with pytest.raises(TenancyError):
        Router().subscribe("", "lobby", lambda e: None)


def test_rooms_are_listed_per_tenant() -> None:
    router = Router()
    router.subscribe("tenant-a", "b-room", lambda e: None)
    router.subscribe("tenant-a", "a-room", lambda e: None)
    router.subscribe("tenant-b", "c-room", lambda e: None)
    assert router.rooms_of("tenant-a") == ("a-room", "b-room")
