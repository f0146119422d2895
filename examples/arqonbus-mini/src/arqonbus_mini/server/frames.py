"""Client frames in, server frames out: the wire protocol of ``docs/reference-bus.md``.

In: a text frame is the JSON envelope of ``arqonbus_mini.envelope`` (``type`` ``event`` is a
publish; ``type`` ``command`` carries the command name in ``command``); a binary frame is
the protobuf ``arqonbus.v1.Envelope`` (a command's name is its UTF-8 payload).

Out (always JSON text): deliveries are the JSON envelope plus ``producer`` (client id),
``origin`` (publishing replica) and ``replica`` (delivering replica); replies carry
``correlation_id`` = the request's id and a ``result`` object; errors an ``error`` object
``{code, message}``; a backpressure signal is an error with ``signal: "backpressure"``.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from arqonbus_mini.envelope import Envelope, EnvelopeError, MessageType, decode, encode

PROTOCOL_VERSION = "1.0.0"
MS_PER_SECOND = 1000
COMMANDS = ("subscribe", "unsubscribe", "history", "channels", "presence", "ping")
# room and channel names become NATS subject tokens and key parts
TOPIC_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True)
class Request:
    """One parsed client frame: a publish (``command`` "publish") or a command."""

    command: str
    envelope: Envelope


def parse_text(frame: str | bytes, *, binary_decoder: Any = None, binary: bool = False) -> Request:
    """A client frame as a ``Request``; ``EnvelopeError`` says why it is refused."""
    raw = frame.encode("utf-8") if isinstance(frame, str) else frame
    if binary:
        if binary_decoder is None:
            raise EnvelopeError("binary frames are not available on this replica")
        envelope = binary_decoder.decode(raw)
        name = envelope.payload.decode("utf-8", "replace") if _is_command(envelope) else ""
    else:
        envelope = decode(raw)
        name = _command_name(raw) if _is_command(envelope) else ""
    _check_topic(envelope)
    if envelope.type is MessageType.EVENT:
        return Request(command="publish", envelope=envelope)
    if envelope.type is not MessageType.COMMAND:
        raise EnvelopeError(f"a client sends events and commands, not {envelope.type.value}")
    if name not in COMMANDS:
        raise EnvelopeError(f"unknown command {name!r}; expected one of {', '.join(COMMANDS)}")
    return Request(command=name, envelope=envelope)


def _is_command(envelope: Envelope) -> bool:
    return envelope.type is MessageType.COMMAND


def _command_name(raw: bytes) -> str:
    document = json.loads(raw)
    name = document.get("command", "")
    return name if isinstance(name, str) else ""


def _check_topic(envelope: Envelope) -> None:
    if not TOPIC_NAME.fullmatch(envelope.room):
        raise EnvelopeError(f"room {envelope.room!r} is not a name of [A-Za-z0-9_-]{{1,64}}")
    if envelope.channel and not TOPIC_NAME.fullmatch(envelope.channel):
        raise EnvelopeError(f"channel {envelope.channel!r} is not a name of [A-Za-z0-9_-]{{1,64}}")


def _now_ms() -> int:
    return int(time.time() * MS_PER_SECOND)


def _frame(document: dict[str, Any]) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def delivery(envelope: Envelope, *, producer: str, origin: str, replica: str) -> str:
    """The frame a subscriber receives for ``envelope``."""
    document = json.loads(encode(envelope))
    document.update(producer=producer, origin=origin, replica=replica)
    return _frame(document)


def reply(request_id: str, command: str, result: dict[str, Any], *, room: str = "") -> str:
    """A successful answer to request ``request_id``."""
    return _frame(
        {
            "type": MessageType.REPLY.value,
            "id": uuid.uuid4().hex,
            "version": PROTOCOL_VERSION,
            "timestamp_ms": _now_ms(),
            "correlation_id": request_id,
            "command": command,
            "room": room,
            "result": result,
        }
    )


def error(request_id: str, code: str, message: str, **extra: str) -> str:
    """A refusal of request ``request_id`` ("" when unsolicited), with a stable ``code``."""
    document: dict[str, Any] = {
        "type": MessageType.ERROR.value,
        "id": uuid.uuid4().hex,
        "version": PROTOCOL_VERSION,
        "timestamp_ms": _now_ms(),
        "correlation_id": request_id,
        "error": {"code": code, "message": message},
    }
    document.update(extra)
    return _frame(document)


def backpressure(room: str, channel: str, consumer: str, dropped: int) -> str:
    """The signal a publisher gets when a subscriber of its topic cannot keep up."""
    return error(
        "",
        "backpressure",
        f"a subscriber of {room}/{channel} is not keeping up ({dropped} dropped)",
        signal="backpressure",
        room=room,
        channel=channel,
        consumer=consumer,
    )
