"""How aces talks to a bus under test: the driver interface and the built-in driver.

A ``Driver`` connects to one replica as one client of one tenant and returns a
``BusSession``: subscribe, publish with acknowledgement, receive, state queries, close.
Everything is ``asyncio``: a workload runs many sessions at once in one event loop.

The built-in driver, ``websocket-envelope``, speaks the protocol of the reference bus
(``docs/reference-bus.md``): JSON envelopes over WebSocket, a bearer token
``v1.<tenant>.<client>.<HMAC-SHA256 hex>`` signed with the secret in the service's
``ARQONBUS_TOKEN_SECRET``. A project whose bus speaks something else names its own factory
in the policy, ``[topology] driver = "package.module:factory"``; ``load_driver`` resolves
it. A factory takes the service's environment (its ``env`` with placeholders filled) and
returns a ``Driver``.

Outcomes are data, not errors of aces: a refused request raises ``RequestRefusedError`` (with
the bus's code), a dropped connection ``SessionClosedError``, an unanswered publish
``AckTimeoutError`` (outcome unknown: the history records it as ``info``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import importlib
import json
import re
import socket
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from aces.errors import PolicyError

BUILTIN_DRIVER = "websocket-envelope"
SECRET_ENV = "ARQONBUS_TOKEN_SECRET"
ENVELOPE_VERSION = "1.0.0"
TOKEN_VERSION = "v1"
DEFAULT_ACK_TIMEOUT = 5.0
DEFAULT_CONNECT_TIMEOUT = 5.0
CLIENT_MAX_QUEUE = 16  # frames buffered by the client library before it stops reading
# A paused session's kernel receive buffer: fixed small, so a slow consumer's backlog stays
# in the bus (where its bound is tested) instead of in a socket buffer autotuned to 32 MiB.
PAUSED_RECEIVE_BUFFER = 65536
_SPEC = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")


# -- what a session hands back ---------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """A message received by a subscriber, with the ids the history checkers need."""

    id: str
    tenant: str
    room: str
    channel: str
    payload: bytes
    producer: str  # the publishing client
    origin: str  # the replica it was published through
    replica: str  # the replica that delivered it
    correlation_id: str = ""


@dataclass(frozen=True)
class Ack:
    """The bus's acknowledgement of a publish."""

    id: str
    replica: str
    duplicate: bool = False  # a retry of an already stored message


@dataclass(frozen=True)
class Signal:
    """An unsolicited notice from the bus, such as ``backpressure``."""

    kind: str
    detail: Mapping[str, str] = field(default_factory=dict)


class DriverError(Exception):
    """Base of the outcomes a workload records (not a failure of aces itself)."""


class ConnectFailedError(DriverError):
    """The replica could not be reached or refused the handshake."""


class RequestRefusedError(DriverError):
    """The bus answered a request with an error ``code``."""

    def __init__(self, code: str, message: str) -> None:
        """``code`` is the bus's stable error code (``forbidden``, ``rate_limited``, ...)."""
        super().__init__(f"{code}: {message}")
        self.code = code


class SessionClosedError(DriverError):
    """The connection is gone; ``code`` and ``reason`` are the close frame's."""

    def __init__(self, code: int | None, reason: str) -> None:
        """A closed session, e.g. ``4008 slow consumer``."""
        super().__init__(f"session closed ({code} {reason})".rstrip())
        self.code = code
        self.reason = reason


class AckTimeoutError(DriverError):
    """No answer in time: the publish may or may not have happened."""


# -- the interface -----------------------------------------------------------------------


@runtime_checkable
class BusSession(Protocol):
    """One client connected to one replica as one tenant."""

    tenant: str
    client_id: str
    replica_url: str

    async def subscribe(self, room: str, channel: str) -> None:
        """Subscribe; ``RequestRefusedError`` when the bus says no."""

    async def unsubscribe(self, room: str, channel: str) -> None:
        """Stop receiving ``room``/``channel``."""

    async def publish(
        self, room: str, channel: str, payload: bytes, msg_id: str, *, timeout: float = 5.0
    ) -> Ack:
        """Publish and wait for the ack (or ``RequestRefusedError``, ``AckTimeoutError``, ...)."""

    async def receive(self, timeout: float) -> Delivery | None:
        """The next delivery, or None after ``timeout`` seconds; ``SessionClosedError`` once cut."""

    async def query(self, command: str, room: str, channel: str = "") -> dict[str, Any]:
        """A state query (``history``, ``channels``, ``presence``): the bus's result object."""

    def signals(self) -> tuple[Signal, ...]:
        """Every unsolicited signal received so far, in arrival order."""

    def pause_reading(self) -> None:
        """Stop reading from the connection (a slow consumer), until ``resume_reading``."""

    def resume_reading(self) -> None:
        """Read again."""

    async def close(self) -> None:
        """Close the connection (idempotent)."""


@runtime_checkable
class Driver(Protocol):
    """Opens sessions on replicas of the bus under test."""

    name: str

    async def connect(self, replica_url: str, tenant: str, client_id: str) -> BusSession:
        """A session of ``client_id`` of ``tenant`` on the replica at ``replica_url``."""


DriverFactory = Callable[[Mapping[str, str]], Driver]


# -- the built-in driver --------------------------------------------------------------------


def token(secret: bytes, tenant: str, client_id: str) -> str:
    """The reference bus's bearer token for ``client_id`` of ``tenant``."""
    for what, value in (("tenant", tenant), ("client id", client_id)):
        if not _NAME.fullmatch(value):
            raise ValueError(f"{what} {value!r} is not a lower-case name of [a-z0-9_-]")
    message = f"{TOKEN_VERSION}.{tenant}.{client_id}".encode()
    signature = hmac.new(secret, message, hashlib.sha256).hexdigest()
    return f"{TOKEN_VERSION}.{tenant}.{client_id}.{signature}"


def _default_secret() -> bytes:
    """The reference bus's test-only secret, used when the service sets none."""
    return hashlib.sha256(b"arqonbus-mini: local test tokens only").digest()


class WebSocketEnvelopeDriver:
    """The built-in driver for the reference bus's WebSocket envelope protocol."""

    name = BUILTIN_DRIVER

    def __init__(self, secret: bytes, *, connect_timeout: float = DEFAULT_CONNECT_TIMEOUT) -> None:
        """Sign tokens with ``secret``."""
        self._secret = secret
        self._connect_timeout = connect_timeout

    async def connect(self, replica_url: str, tenant: str, client_id: str) -> BusSession:
        """Open a session; ``ConnectFailedError`` when the replica refuses or cannot be reached."""
        bearer = token(self._secret, tenant, client_id)
        try:
            connection = await connect(
                replica_url,
                additional_headers={"Authorization": f"Bearer {bearer}"},
                open_timeout=self._connect_timeout,
                max_queue=CLIENT_MAX_QUEUE,
                close_timeout=1,
                # no permessage-deflate: a flood's frames must take their real size in the
                # socket buffers, or a paused session holds thousands of them compressed
                compression=None,
            )
        except InvalidStatus as exc:
            status = exc.response.status_code
            raise ConnectFailedError(f"{replica_url} refused the session (HTTP {status})") from exc
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise ConnectFailedError(f"cannot connect to {replica_url}: {exc}") from exc
        session = EnvelopeSession(connection, replica_url, tenant, client_id)
        session.start()
        return session


def websocket_envelope_driver(env: Mapping[str, str]) -> Driver:
    """The factory of the built-in driver: the secret from the service's environment."""
    secret = env.get(SECRET_ENV, "")
    return WebSocketEnvelopeDriver(secret.encode("utf-8") if secret else _default_secret())


class EnvelopeSession:
    """A session of the built-in driver: one reader task routes every incoming frame."""

    def __init__(
        self, connection: ClientConnection, replica_url: str, tenant: str, client_id: str
    ) -> None:
        """Wrap an open connection; call ``start`` to begin reading."""
        self.tenant = tenant
        self.client_id = client_id
        self.replica_url = replica_url
        self._connection = connection
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._deliveries: asyncio.Queue[Delivery] = asyncio.Queue()
        self._signals: list[Signal] = []
        self._readable = asyncio.Event()
        self._readable.set()
        self._closed: SessionClosedError | None = None
        self._reader: asyncio.Task[None] | None = None
        self._sequence = 0

    def start(self) -> None:
        """Start the reader task."""
        self._reader = asyncio.get_running_loop().create_task(self._read())

    # -- requests ----------------------------------------------------------------------

    async def subscribe(self, room: str, channel: str) -> None:
        """Subscribe to ``room``/``channel``."""
        await self._command("subscribe", room, channel)

    async def unsubscribe(self, room: str, channel: str) -> None:
        """Unsubscribe from ``room``/``channel``."""
        await self._command("unsubscribe", room, channel)

    async def query(self, command: str, room: str, channel: str = "") -> dict[str, Any]:
        """``history``, ``channels``, ``presence`` or ``ping``: the reply's ``result``."""
        return await self._command(command, room, channel)

    async def publish(
        self,
        room: str,
        channel: str,
        payload: bytes,
        msg_id: str,
        *,
        timeout: float = DEFAULT_ACK_TIMEOUT,
    ) -> Ack:
        """Publish ``payload`` as message ``msg_id`` and wait for its ack."""
        frame = self._envelope("event", msg_id, room, channel, payload)
        result = await self._request(msg_id, frame, timeout)
        return Ack(
            id=str(result.get("id", msg_id)),
            replica=str(result.get("replica", "")),
            duplicate=bool(result.get("duplicate", False)),
        )

    async def receive(self, timeout: float) -> Delivery | None:
        """The next delivery; None when none came within ``timeout``."""
        if self._deliveries.empty() and self._closed is not None:
            raise self._closed_again()
        getter = asyncio.ensure_future(self._deliveries.get())
        waiters: set[asyncio.Future[Any]] = {getter}
        if self._reader is not None:
            waiters.add(self._reader)
        done, _ = await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        if self._closed is not None and self._deliveries.empty():
            raise self._closed_again()
        return None

    def signals(self) -> tuple[Signal, ...]:
        """Unsolicited signals so far."""
        return tuple(self._signals)

    def pause_reading(self) -> None:
        """Stop reading: the bus's frames pile up in the bus, as with a slow consumer.

        The reader task stops taking frames, and the transport stops reading the socket
        at once (without it the client library would still take ``CLIENT_MAX_QUEUE``
        frames before its own flow control stops it); the kernel's receive buffer is
        fixed small, so the backlog stays in the bus.
        """
        self._readable.clear()
        transport = self._connection.transport
        sock = transport.get_extra_info("socket")
        if sock is not None:
            # setting the size also stops the kernel from growing it (Linux)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, PAUSED_RECEIVE_BUFFER)
        if transport.is_reading():
            transport.pause_reading()

    def resume_reading(self) -> None:
        """Read again."""
        transport = self._connection.transport
        if not transport.is_closing() and not transport.is_reading():
            transport.resume_reading()
        self._readable.set()

    async def close(self) -> None:
        """Close the connection and stop the reader."""
        self._readable.set()
        await self._connection.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        self._fail_pending(SessionClosedError(1000, "closed by the client"))

    @property
    def closed(self) -> SessionClosedError | None:
        """Why the session ended, or None while it is open."""
        return self._closed

    # -- frames ------------------------------------------------------------------------

    def _next_id(self, prefix: str) -> str:
        self._sequence += 1
        return f"{prefix}-{self.client_id}-{self._sequence}"

    def _envelope(
        self, kind: str, msg_id: str, room: str, channel: str, payload: bytes, command: str = ""
    ) -> str:
        document: dict[str, Any] = {
            "id": msg_id,
            "type": kind,
            "version": ENVELOPE_VERSION,
            "timestamp_ms": int(time.time() * 1000),
            "room": room,
            "channel": channel,
            "payload": base64.b64encode(payload).decode("ascii"),
            "correlation_id": msg_id,
            "tenant_id": self.tenant,
        }
        if command:
            document["command"] = command
        return json.dumps(document, sort_keys=True, separators=(",", ":"))

    async def _command(self, command: str, room: str, channel: str) -> dict[str, Any]:
        request_id = self._next_id(command)
        frame = self._envelope("command", request_id, room, channel, b"", command)
        return await self._request(request_id, frame, DEFAULT_ACK_TIMEOUT)

    async def _request(self, request_id: str, frame: str, timeout: float) -> dict[str, Any]:
        if self._closed is not None:
            raise self._closed_again()
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await self._connection.send(frame)
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except ConnectionClosed as exc:
            raise self._closed_by(exc) from exc
        except TimeoutError as exc:
            raise AckTimeoutError(f"no answer to {request_id} within {timeout:g} s") from exc
        finally:
            self._pending.pop(request_id, None)

    async def _read(self) -> None:
        try:
            while True:
                await self._readable.wait()
                raw = await self._connection.recv()
                self._route(json.loads(raw))
        except ConnectionClosed as exc:
            self._fail_pending(self._closed_by(exc))
        except (ValueError, TypeError) as exc:  # not JSON, or not an object
            self._fail_pending(SessionClosedError(None, f"unreadable frame from the bus: {exc}"))
            await self._connection.close()

    def _closed_by(self, exc: ConnectionClosed) -> SessionClosedError:
        if self._closed is None:
            received = exc.rcvd
            code = received.code if received is not None else None
            reason = received.reason if received is not None else "connection lost"
            self._closed = SessionClosedError(code, reason)
        return self._closed

    def _closed_again(self) -> SessionClosedError:
        """A fresh copy of the error that closed the session.

        Raising one instance again and again would chain every raise onto its
        traceback (and keep every frame alive).
        """
        assert self._closed is not None
        return SessionClosedError(self._closed.code, self._closed.reason)

    def _fail_pending(self, error: SessionClosedError) -> None:
        self._closed = self._closed or error
        for future in self._pending.values():
            if not future.done():
                future.set_exception(self._closed_again())
                # Marked as seen: a request whose caller already gave up must not
                # have its error logged with a traceback when the future is freed.
                future.exception()

    def _route(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "event":
            self._deliveries.put_nowait(_delivery(frame))
            return
        if frame.get("signal"):
            error = frame.get("error") or {}
            detail = {k: str(v) for k, v in frame.items() if k in ("room", "channel", "consumer")}
            detail["message"] = str(error.get("message", ""))
            self._signals.append(Signal(kind=str(frame["signal"]), detail=detail))
            return
        future = self._pending.get(str(frame.get("correlation_id", "")))
        if future is None or future.done():
            return  # an answer nobody waits for any more (timed out)
        if kind == "reply":
            future.set_result(dict(frame.get("result") or {}))
        else:
            error = frame.get("error") or {}
            code, message = str(error.get("code", "error")), str(error.get("message", ""))
            future.set_exception(RequestRefusedError(code, message))


def _delivery(frame: Mapping[str, Any]) -> Delivery:
    return Delivery(
        id=str(frame.get("id", "")),
        tenant=str(frame.get("tenant_id", "")),
        room=str(frame.get("room", "")),
        channel=str(frame.get("channel", "")),
        payload=base64.b64decode(str(frame.get("payload", ""))),
        producer=str(frame.get("producer", "")),
        origin=str(frame.get("origin", "")),
        replica=str(frame.get("replica", "")),
        correlation_id=str(frame.get("correlation_id", "")),
    )


# -- the registry ------------------------------------------------------------------------------

BUILTIN_DRIVERS: Mapping[str, DriverFactory] = MappingProxyType(
    {BUILTIN_DRIVER: websocket_envelope_driver}
)


def resolve_factory(spec: str, *, root: Path | None = None) -> DriverFactory:
    """The factory named by ``spec``: a built-in name, or ``package.module:factory``.

    A module is imported with ``root`` (the repository) searched first, so a project
    can keep its driver next to its code. ``PolicyError`` names what is wrong.
    """
    name = spec or BUILTIN_DRIVER
    if name in BUILTIN_DRIVERS:
        return BUILTIN_DRIVERS[name]
    if not _SPEC.fullmatch(name):
        known = ", ".join(sorted(BUILTIN_DRIVERS))
        raise PolicyError(
            f"topology.driver {name!r} is neither a built-in driver ({known}) nor "
            "'package.module:factory'"
        )
    module_name, _, attribute = name.partition(":")
    module = _import(module_name, root)
    factory = getattr(module, attribute, None)
    if not callable(factory):
        raise PolicyError(f"topology.driver: module {module_name!r} has no callable {attribute!r}")
    checked: DriverFactory = factory
    return checked


def _import(module_name: str, root: Path | None) -> Any:
    added = root is not None and str(root) not in sys.path
    if added:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        raise PolicyError(f"topology.driver: cannot import {module_name!r}: {exc}") from exc
    finally:
        if added:
            sys.path.remove(str(root))


def load_driver(spec: str, env: Mapping[str, str], *, root: Path | None = None) -> Driver:
    """The driver named by ``spec`` ("" is the built-in), built for a service's ``env``."""
    driver = resolve_factory(spec, root=root)(env)
    if not isinstance(driver, Driver):
        raise PolicyError(f"topology.driver {spec!r}: the factory did not return a driver")
    return driver
