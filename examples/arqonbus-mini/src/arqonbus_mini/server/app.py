"""The WebSocket server of one replica: handshake, ``/health``, ``/metrics`` and sessions.

Plain HTTP requests to ``/health`` and ``/metrics`` are answered on the same port
(``process_request``), so one port per replica serves both clients and probes. Any
other path is a WebSocket upgrade that needs ``Authorization: Bearer <token>``; a
missing or bad token is refused with 401 before the upgrade.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from arqonbus_mini.envelope import EnvelopeError
from arqonbus_mini.server import frames
from arqonbus_mini.server.auth import Identity, bearer, verify
from arqonbus_mini.server.hub import Client, Hub
from arqonbus_mini.server.metrics import CONTENT_TYPE, Metrics
from arqonbus_mini.server.protobuf import BinaryCodec
from arqonbus_mini.tenancy import TenancyError

CLOSE_SLOW_CONSUMER = 4008  # application close code: cut for not keeping up
CLOSE_TIMEOUT_SECONDS = 1.0
MAX_FRAME_BYTES = 1 << 20
CLIENT_FRAMES_BUFFERED = 64  # incoming frames held before the server stops reading
HTTP_OK = 200
HTTP_UNAUTHORIZED = 401
HTTP_UNAVAILABLE = 503


def _response(status: int, reason: str, body: bytes, content_type: str) -> Response:
    headers = Headers([("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return Response(status, reason, headers, body)


class App:
    """One replica: the hub plus the network face."""

    def __init__(
        self, hub: Hub, metrics: Metrics, log: logging.Logger, codec: BinaryCodec | None
    ) -> None:
        """Serve ``hub``; ``codec`` decodes binary frames (None: they are refused)."""
        self.hub = hub
        self.metrics = metrics
        self.log = log
        self.codec = codec
        self.healthy = True
        self._tasks: set[asyncio.Task[None]] = set()  # closes in flight (kept referenced)

    async def serve(self, host: str, port: int) -> Server:
        """Start listening; the returned server is already accepting connections."""
        return await serve(
            self._session,
            host,
            port,
            process_request=self._process_request,
            max_size=MAX_FRAME_BYTES,
            close_timeout=CLOSE_TIMEOUT_SECONDS,
            max_queue=CLIENT_FRAMES_BUFFERED,
        )

    # -- HTTP ----------------------------------------------------------------------------

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?", 1)[0]
        if path == "/health":
            document = {
                "status": "ok" if self.healthy else "draining",
                "replica": self.hub.config.replica_id,
                "sessions": self.hub.local_sessions(),
            }
            body = json.dumps(document, sort_keys=True).encode()
            return _response(
                HTTP_OK if self.healthy else HTTP_UNAVAILABLE, "OK", body, "application/json"
            )
        if path == "/metrics":
            return _response(HTTP_OK, "OK", self.metrics.render(), CONTENT_TYPE)
        try:
            verify(self.hub.config.secret, bearer(request.headers.get("Authorization")))
        except TenancyError as exc:
            self.metrics.refused.labels(code="unauthorized").inc()
            return _response(HTTP_UNAUTHORIZED, "Unauthorized", f"{exc}\n".encode(), "text/plain")
        return None

    # -- sessions ------------------------------------------------------------------------

    async def _session(self, connection: ServerConnection) -> None:
        headers = connection.request.headers if connection.request else Headers()
        identity = verify(self.hub.config.secret, bearer(headers.get("Authorization")))
        client = self.hub.attach(identity, lambda reason: self._cut(connection, reason))
        self._log_session("session opened", identity, client)
        writer = asyncio.create_task(self._write(connection, client))
        try:
            await self._read(connection, client)
        except ConnectionClosed:
            pass
        finally:
            await self.hub.detach(client)
            writer.cancel()
            self._log_session("session closed", identity, client)

    async def _read(self, connection: ServerConnection, client: Client) -> None:
        async for message in connection:
            try:
                request = frames.parse_text(
                    message, binary_decoder=self.codec, binary=isinstance(message, bytes)
                )
            except (EnvelopeError, ValueError) as exc:
                self.hub.refuse_frame(client, EnvelopeError(str(exc)))
                continue
            await self.hub.handle(client, request)

    @staticmethod
    async def _write(connection: ServerConnection, client: Client) -> None:
        while (frame := await client.outbox.next()) is not None:
            try:
                await connection.send(frame)
            except ConnectionClosed:
                return

    def _cut(self, connection: ServerConnection, reason: str) -> None:
        """Close a session from outside its tasks (its writer may be blocked on a full socket).

        The close frame queues behind the deliveries already in the socket buffers; the
        library's close waits (drain) until the client reads its way to it, so a consumer
        that paused for longer than the close timeout still gets the 4008.
        """
        task: asyncio.Task[None] = asyncio.get_running_loop().create_task(
            connection.close(CLOSE_SLOW_CONSUMER, reason)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _log_session(self, event: str, identity: Identity, client: Client) -> None:
        extra: dict[str, Any] = {
            "replica": self.hub.config.replica_id,
            "tenant": identity.tenant,
            "client": identity.client,
            "correlation_id": client.session_id,
        }
        self.log.info(event, extra=extra)
