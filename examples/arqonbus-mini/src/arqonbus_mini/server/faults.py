"""Purpose-built bugs, switched on by ``ARQONBUS_FAULT`` for the runtime checks' own tests.

Each variant is a real defect a bus can ship with; a correct checker must catch it:

- ``tenant-prefix``: subjects and Valkey keys lose the tenant (``arqonbus.<room>.<channel>``),
  so a message reaches every tenant subscribed to the same room and channel;
- ``reorder``: a quarter of deliveries (chosen by message id) are held back 50 ms, so later
  messages overtake them;
- ``drop-ack``: every fifth publish (by message id) is acknowledged but never stored nor
  published: an acknowledged message is lost;
- ``diverge``: the replica ``ARQONBUS_DIVERGE_INDEX`` (default 1) skips a third of the
  messages other replicas publish and answers history queries from its own rows only;
- ``unbounded-queue``: per-session send queues have no bound, so a slow consumer makes the
  replica's memory grow without a backpressure signal or a disconnect.

The choice of message is a CRC of its id, so a run is reproducible.
"""

from __future__ import annotations

import zlib
from enum import Enum

REORDER_DELAY_SECONDS = 0.05
REORDER_ONE_IN = 4  # a quarter of deliveries held back
DROP_ONE_IN = 5  # a fifth of publishes lost
SKIP_ONE_IN = 3  # a third of messages skipped by the diverging replica


class Fault(Enum):
    """Which bug, if any, this replica runs with."""

    NONE = ""
    TENANT_PREFIX = "tenant-prefix"
    REORDER = "reorder"
    DROP_ACK = "drop-ack"
    DIVERGE = "diverge"
    UNBOUNDED_QUEUE = "unbounded-queue"


def parse_fault(value: str) -> Fault:
    """The fault named by ``value`` ("" is none); ``ValueError`` lists the known ones."""
    try:
        return Fault(value.strip())
    except ValueError as exc:
        known = ", ".join(f.value for f in Fault if f.value)
        raise ValueError(f"ARQONBUS_FAULT={value!r}: expected one of {known}") from exc


def _bucket(message_id: str, modulus: int) -> bool:
    return zlib.crc32(message_id.encode("utf-8")) % modulus == 0


def delays(message_id: str) -> bool:
    """Under ``reorder``: whether this message's delivery is held back."""
    return _bucket(message_id, REORDER_ONE_IN)


def drops(message_id: str) -> bool:
    """Under ``drop-ack``: whether this message is acknowledged and thrown away."""
    return _bucket(message_id, DROP_ONE_IN)


def skips(message_id: str) -> bool:
    """Under ``diverge``: whether the diverging replica skips this message."""
    return _bucket(message_id, SKIP_ONE_IN)
