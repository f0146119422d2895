"""The arqonbus-mini service: an asyncio WebSocket bus run as replicas behind NATS.

Clients authenticate with an HMAC-signed token naming their tenant, subscribe to
``(room, channel)`` pairs and publish envelopes; replicas fan messages out to each
other over NATS subjects namespaced by tenant (``arqonbus.<tenant>.<room>.<channel>``),
keep presence, channel lists and rate limits in Valkey under tenant-prefixed keys and
the message history in Postgres behind row-level security. ``docs/reference-bus.md``
of ACES describes the wire protocol; ``python -m arqonbus_mini.server`` runs it.
"""

from __future__ import annotations
