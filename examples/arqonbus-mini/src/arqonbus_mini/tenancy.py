"""Tenant-isolated routing: a message reaches only subscribers of its own tenant's room.

Rooms are keyed by ``(tenant_id, room)``, so two tenants may use the same room
name without ever seeing each other's messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from arqonbus_mini.envelope import Envelope

Subscriber = Callable[[Envelope], None]


class TenancyError(PermissionError):
    """A request that would cross or lack a tenant boundary."""


@dataclass
class Router:
    """Delivers envelopes to the subscribers of ``(tenant, room)``."""

    _rooms: dict[tuple[str, str], list[Subscriber]] = field(default_factory=dict)

    def subscribe(self, tenant_id: str, room: str, subscriber: Subscriber) -> None:
        """Add ``subscriber`` to ``room`` of ``tenant_id``."""
        if not tenant_id:
            raise TenancyError("a subscription needs a tenant")
        self._rooms.setdefault((tenant_id, room), []).append(subscriber)

    def publish(self, envelope: Envelope) -> int:
        """Deliver to the envelope's tenant and room; returns how many subscribers got it."""
        if not envelope.tenant_id:
            raise TenancyError("an envelope without tenant_id cannot be routed")
        subscribers = self._rooms.get((envelope.tenant_id, envelope.room), [])
        for subscriber in list(subscribers):
            subscriber(envelope)
        return len(subscribers)

    def rooms_of(self, tenant_id: str) -> tuple[str, ...]:
        """The rooms a tenant has subscribers in, sorted."""
        return tuple(sorted(room for tenant, room in self._rooms if tenant == tenant_id))
