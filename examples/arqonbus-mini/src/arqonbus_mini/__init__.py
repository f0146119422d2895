"""arqonbus-mini: a small ArqonBus-shaped message bus.

The public API: the versioned ``Envelope`` and its JSON codec, the tenant-isolated
``Router`` and the ``Session`` lifecycle.
"""

from __future__ import annotations

from arqonbus_mini.envelope import (
    SUPPORTED_MAJOR,
    Envelope,
    EnvelopeError,
    MessageType,
    decode,
    encode,
)
from arqonbus_mini.session import Session, SessionError, SessionState
from arqonbus_mini.tenancy import Router, TenancyError

__all__ = [
    "SUPPORTED_MAJOR",
    "Envelope",
    "EnvelopeError",
    "MessageType",
    "Router",
    "Session",
    "SessionError",
    "SessionState",
    "TenancyError",
    "decode",
    "encode",
]
