"""The message envelope of ``proto/arqonbus/v1/envelope.proto`` and its JSON wire form.

The JSON form carries the proto field names; ``payload`` travels as base64.
Decoding validates every field and refuses an envelope whose MAJOR version this
code does not speak, so a newer peer can never be misread.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from enum import Enum
from typing import Any

SUPPORTED_MAJOR = 1
VERSION_PARTS = 3  # MAJOR.MINOR.PATCH
MAX_ENVELOPE_BYTES = 1 << 20  # 1 MiB: larger frames are refused before parsing


class EnvelopeError(ValueError):
    """An envelope that cannot be accepted, with the reason."""


class MessageType(Enum):
    """How a receiver treats an envelope (``arqonbus.v1.MessageType``)."""

    EVENT = "event"
    COMMAND = "command"
    REPLY = "reply"
    ERROR = "error"


@dataclass(frozen=True)
class Envelope:
    """One message: the fields of ``arqonbus.v1.Envelope``."""

    id: str
    type: MessageType
    version: str
    timestamp_ms: int
    room: str
    channel: str
    payload: bytes
    correlation_id: str
    tenant_id: str


def encode(envelope: Envelope) -> bytes:
    """The JSON wire form of an envelope (keys sorted, so equal envelopes give equal bytes)."""
    document = {
        "id": envelope.id,
        "type": envelope.type.value,
        "version": envelope.version,
        "timestamp_ms": envelope.timestamp_ms,
        "room": envelope.room,
        "channel": envelope.channel,
        "payload": base64.b64encode(envelope.payload).decode("ascii"),
        "correlation_id": envelope.correlation_id,
        "tenant_id": envelope.tenant_id,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")


def decode(frame: bytes) -> Envelope:
    """Parse and validate a JSON frame; ``EnvelopeError`` says why one is refused."""
    if len(frame) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError(f"frame of {len(frame)} bytes exceeds {MAX_ENVELOPE_BYTES}")
    try:
        document = json.loads(frame)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError(f"not a JSON envelope: {exc}") from exc
    if not isinstance(document, dict):
        raise EnvelopeError("an envelope is a JSON object")
    return _from_document(document)


def _from_document(document: dict[str, Any]) -> Envelope:
    """Build an envelope from a decoded JSON object, checking every field."""
    version = _text(document, "version")
    _check_version(version)
    return Envelope(
        id=_text(document, "id"),
        type=_message_type(document),
        version=version,
        timestamp_ms=_timestamp(document),
        room=_text(document, "room"),
        channel=_text(document, "channel", required=False),
        payload=_payload(document),
        correlation_id=_text(document, "correlation_id", required=False),
        tenant_id=_text(document, "tenant_id"),
    )


def _text(document: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = document.get(key, "")
    if not isinstance(value, str):
        raise EnvelopeError(f"{key} must be a string")
    if required and not value:
        raise EnvelopeError(f"{key} is required")
    return value


def _check_version(version: str) -> None:
    parts = version.split(".")
    if len(parts) != VERSION_PARTS or not all(p.isdigit() for p in parts):
        raise EnvelopeError(f"version {version!r} is not MAJOR.MINOR.PATCH")
    if int(parts[0]) != SUPPORTED_MAJOR:
        raise EnvelopeError(f"unsupported major version {parts[0]} (speaks {SUPPORTED_MAJOR})")


def _message_type(document: dict[str, Any]) -> MessageType:
    try:
        return MessageType(document.get("type"))
    except ValueError as exc:
        raise EnvelopeError(f"unknown message type {document.get('type')!r}") from exc


def _timestamp(document: dict[str, Any]) -> int:
    value = document.get("timestamp_ms")
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EnvelopeError("timestamp_ms must be a non-negative integer")
    return value


def _payload(document: dict[str, Any]) -> bytes:
    value = document.get("payload", "")
    if not isinstance(value, str):
        raise EnvelopeError("payload must be base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise EnvelopeError("payload is not valid base64") from exc
