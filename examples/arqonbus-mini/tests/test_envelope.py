"""Envelope codec: round trip, validation and version negotiation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from arqonbus_mini.envelope import (
    MAX_ENVELOPE_BYTES,
    Envelope,
    EnvelopeError,
    MessageType,
    decode,
    encode,
)


def make_envelope(**changes: object) -> Envelope:
    """A valid envelope, with some fields changed."""
    fields: dict[str, Any] = {
        "id": "01JD7ZQ8M3K4T5V6W7X8Y9Z0AB",
        "type": MessageType.EVENT,
        "version": "1.0.0",
        "timestamp_ms": 1_764_230_400_000,
        "room": "lobby",
        "channel": "chat",
        "payload": b"\x00hello\xff",
        "correlation_id": "c-42",
        "tenant_id": "tenant-a",
    }
    fields.update(changes)
    return Envelope(**fields)


def frame(**changes: object) -> bytes:
    """The JSON frame of a valid envelope, with some JSON fields changed or removed."""
    document = json.loads(encode(make_envelope()))
    for key, value in changes.items():
        if value is None:
            document.pop(key)
        else:
            document[key] = value
    return json.dumps(document).encode()


def test_roundtrip_keeps_every_field() -> None:
    envelope = make_envelope()
    assert decode(encode(envelope)) == envelope


def test_encoding_is_deterministic() -> None:
    assert encode(make_envelope()) == encode(make_envelope())


@pytest.mark.parametrize("version", ["2.0.0", "0.9.0"])
def test_rejects_unsupported_major_version(version: str) -> None:
    with pytest.raises(EnvelopeError, match="unsupported major version"):
        decode(frame(version=version))


def test_accepts_newer_minor_version() -> None:
    assert decode(frame(version="1.7.3")).version == "1.7.3"


@pytest.mark.parametrize("missing", ["id", "version", "room", "tenant_id"])
def test_rejects_missing_required_field(missing: str) -> None:
    with pytest.raises(EnvelopeError, match=missing):
        decode(frame(**{missing: None}))


def test_rejects_malformed_frames() -> None:
    for bad in (b"not json", b"[1, 2]", frame(payload="***"), frame(timestamp_ms=-1)):
        with pytest.raises(EnvelopeError):
            decode(bad)


def test_rejects_oversized_frame() -> None:
    with pytest.raises(EnvelopeError, match="exceeds"):
        decode(b" " * (MAX_ENVELOPE_BYTES + 1))
