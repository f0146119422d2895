"""The binary frame: ``arqonbus.v1.Envelope`` built at run time from the ``.proto`` file.

No generated code is kept: ``grpc_tools.protoc`` compiles ``proto/arqonbus/v1/envelope.proto``
to a descriptor set once, and the message class comes from that descriptor, so the
``.proto`` stays the only definition.
"""

from __future__ import annotations

import base64
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from arqonbus_mini.envelope import Envelope, EnvelopeError, MessageType, decode

PROTO_ROOT = Path(__file__).resolve().parents[3] / "proto"
PROTO_FILE = "arqonbus/v1/envelope.proto"
MESSAGE = "arqonbus.v1.Envelope"

_TO_WIRE = {
    MessageType.EVENT: 1,
    MessageType.COMMAND: 2,
    MessageType.REPLY: 3,
    MessageType.ERROR: 4,
}
_FROM_WIRE = {number: kind for kind, number in _TO_WIRE.items()}


class ProtoUnavailableError(RuntimeError):
    """The protobuf runtime or compiler is not installed."""


def load_message_class(proto_root: Path = PROTO_ROOT) -> Callable[..., Any]:
    """Compile the envelope's ``.proto`` and return its message class."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
        from grpc_tools import protoc
    except ImportError as exc:
        raise ProtoUnavailableError(
            "grpcio-tools and protobuf are needed for binary frames"
        ) from exc
    with tempfile.TemporaryDirectory(prefix="arqonbus-proto-") as tmp:
        out = Path(tmp) / "envelope.binpb"
        code = protoc.main(["protoc", f"-I{proto_root}", f"--descriptor_set_out={out}", PROTO_FILE])
        if code != 0:
            raise ProtoUnavailableError(f"protoc could not compile {proto_root / PROTO_FILE}")
        files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for proto in files.file:
        pool.Add(proto)
    result: Callable[..., Any] = message_factory.GetMessageClass(
        pool.FindMessageTypeByName(MESSAGE)
    )
    return result


class BinaryCodec:
    """Encodes and decodes ``Envelope`` as protobuf bytes with one compiled class."""

    def __init__(self, message_class: Callable[..., Any]) -> None:
        """Use ``message_class`` (from ``load_message_class``)."""
        self._cls = message_class

    def encode(self, envelope: Envelope) -> bytes:
        """The protobuf bytes of ``envelope``."""
        message = self._cls(
            id=envelope.id,
            type=_TO_WIRE[envelope.type],
            version=envelope.version,
            timestamp_ms=envelope.timestamp_ms,
            room=envelope.room,
            channel=envelope.channel,
            payload=envelope.payload,
            correlation_id=envelope.correlation_id,
            tenant_id=envelope.tenant_id,
        )
        data: bytes = message.SerializeToString(deterministic=True)
        return data

    def _parse(self, frame: bytes) -> Any:
        message = self._cls()
        message.ParseFromString(frame)
        return message

    def decode(self, frame: bytes) -> Envelope:
        """Parse and validate a binary frame; ``EnvelopeError`` says why one is refused."""
        try:
            message = self._parse(frame)
        except Exception as exc:  # the runtime raises its own DecodeError
            raise EnvelopeError(f"not a protobuf envelope: {exc}") from exc
        if message.type not in _FROM_WIRE:
            raise EnvelopeError(f"unknown message type {message.type}")
        # one validation for both wire forms: the JSON codec's
        document = {
            "id": message.id,
            "type": _FROM_WIRE[message.type].value,
            "version": message.version,
            "timestamp_ms": message.timestamp_ms,
            "room": message.room,
            "channel": message.channel,
            "payload": base64.b64encode(bytes(message.payload)).decode("ascii"),
            "correlation_id": message.correlation_id,
            "tenant_id": message.tenant_id,
        }
        return decode(json.dumps(document).encode("utf-8"))
