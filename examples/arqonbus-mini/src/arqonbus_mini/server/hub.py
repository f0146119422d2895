"""The bus's logic: sessions, subscriptions, publish with ack, fan-out and backpressure.

A publish is checked (tenant, rate limit), stored in the history, published on
``arqonbus.<tenant>.<room>.<channel>`` and then acknowledged. Every replica, the
publishing one included, delivers what arrives on those subjects to its own local
subscribers of that tenant, so one path orders every delivery. A subscriber whose send
queue is full is cut (``disconnect``) or skipped (``drop``), and the publisher is told on
``arqonbus-ctl.<tenant>.backpressure`` whichever replica it is connected to.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from arqonbus_mini.envelope import Envelope, EnvelopeError, decode, encode
from arqonbus_mini.server import faults, frames
from arqonbus_mini.server.auth import Identity
from arqonbus_mini.server.config import Config
from arqonbus_mini.server.faults import Fault
from arqonbus_mini.server.metrics import Metrics
from arqonbus_mini.server.outbox import Outbox
from arqonbus_mini.server.ports import Fabric, History, Store, StoredMessage
from arqonbus_mini.session import Session, SessionError, SessionState

SUBJECT_ROOT = "arqonbus"
CONTROL_ROOT = "arqonbus-ctl"
RATE_WINDOW_SECONDS = 1
HISTORY_LIMIT = 1000
SIGNAL_EVERY = 100  # under "drop": signal the first skipped frame, then every 100th
SUBJECT_TOKENS = 4  # arqonbus.<tenant>.<room>.<channel>
CONTROL_TOKENS = 3  # arqonbus-ctl.<tenant>.backpressure
Topic = tuple[str, str, str]  # tenant, room, channel


class RequestError(Exception):
    """A request refused with a stable error ``code``."""

    def __init__(self, code: str, message: str) -> None:
        """``code`` is what clients branch on; ``message`` is for people."""
        super().__init__(message)
        self.code = code


@dataclass(eq=False)
class Client:
    """One connected session on this replica."""

    identity: Identity
    outbox: Outbox
    cut: Callable[[str], None]  # close the connection, with a reason
    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    lifecycle: Session = field(default_factory=Session)
    topics: set[Topic] = field(default_factory=set)
    skipped: int = 0
    detached: bool = False  # its presence and subscriptions are gone


class Hub:
    """Everything one replica knows about its local sessions, wired to the shared backends."""

    def __init__(
        self,
        config: Config,
        fabric: Fabric,
        store: Store,
        history: History,
        metrics: Metrics,
        log: logging.Logger,
    ) -> None:
        """A hub for ``config.replica_id``; call ``start`` before attaching clients."""
        self.config = config
        self._fabric = fabric
        self._store = store
        self._history = history
        self._metrics = metrics
        self._log = log
        self._clients: set[Client] = set()
        self._topics: dict[Topic, set[Client]] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # signals in flight (kept referenced)

    # -- naming: where the tenant prefix lives (and where the tenant-prefix fault loses it)

    def subject(self, tenant: str, room: str, channel: str) -> str:
        """The NATS subject of a topic."""
        if self.config.fault is Fault.TENANT_PREFIX:
            return f"{SUBJECT_ROOT}.{room}.{channel}"
        return f"{SUBJECT_ROOT}.{tenant}.{room}.{channel}"

    def key(self, tenant: str, *parts: str) -> str:
        """A Valkey key of the tenant: ``arqonbus:<tenant>:<parts...>``."""
        if self.config.fault is Fault.TENANT_PREFIX:
            return ":".join((SUBJECT_ROOT, *parts))
        return ":".join((SUBJECT_ROOT, tenant, *parts))

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Subscribe to every tenant's subjects and to the control subjects."""
        await self._fabric.subscribe(f"{SUBJECT_ROOT}.>", self._on_message)
        await self._fabric.subscribe(f"{CONTROL_ROOT}.>", self._on_control)

    def attach(self, identity: Identity, cut: Callable[[str], None]) -> Client:
        """A new authenticated session."""
        limit = None if self.config.fault is Fault.UNBOUNDED_QUEUE else self.config.queue_limit
        client = Client(identity=identity, outbox=Outbox(limit), cut=cut)
        client.lifecycle.handle("authenticate")
        self._clients.add(client)
        self._metrics.connections.set(len(self._clients))
        return client

    async def detach(self, client: Client) -> None:
        """Forget a session: its subscriptions and presence (a cut session's too)."""
        if client.detached:
            return
        client.detached = True
        self._unroute(client)
        for topic in sorted(client.topics):
            await self._store.remove(self._presence_key(topic), client.identity.client)
        client.topics.clear()
        client.outbox.close()
        if client.lifecycle.state is not SessionState.CLOSED:
            client.lifecycle.handle("close")

    def _unroute(self, client: Client) -> None:
        """Stop delivering to ``client`` (synchronous: the fan-out calls it).

        Its topics are kept, so ``detach`` still removes its presence later.
        """
        self._clients.discard(client)
        for topic in client.topics:
            self._topics.get(topic, set()).discard(client)
        self._metrics.connections.set(len(self._clients))

    def local_sessions(self) -> int:
        """How many sessions this replica holds."""
        return len(self._clients)

    # -- requests -------------------------------------------------------------------------

    async def handle(self, client: Client, request: frames.Request) -> None:
        """Answer one request on the client's control lane (reply, ack or error)."""
        envelope = request.envelope
        try:
            if envelope.tenant_id != client.identity.tenant:
                raise RequestError("forbidden", "the envelope names another tenant")
            result = await self._dispatch(client, request)
        except RequestError as exc:
            self._refuse(client, envelope, exc.code, str(exc))
            return
        client.outbox.control(
            frames.reply(envelope.id, request.command, result, room=envelope.room)
        )

    def refuse_frame(self, client: Client, exc: EnvelopeError) -> None:
        """Answer a frame that could not be parsed."""
        self._metrics.refused.labels(code="invalid").inc()
        client.outbox.control(frames.error("", "invalid", str(exc)))

    def _refuse(self, client: Client, envelope: Envelope, code: str, message: str) -> None:
        self._metrics.refused.labels(code=code).inc()
        self._log.info(
            "request refused",
            extra={
                "replica": self.config.replica_id,
                "tenant": client.identity.tenant,
                "client": client.identity.client,
                "correlation_id": envelope.correlation_id or envelope.id,
                "message_id": envelope.id,
                "code": code,
            },
        )
        client.outbox.control(frames.error(envelope.id, code, message))

    async def _dispatch(self, client: Client, request: frames.Request) -> dict[str, object]:
        envelope = request.envelope
        if request.command == "publish":
            return await self._publish(client, envelope)
        if request.command == "ping":
            return {"replica": self.config.replica_id}
        if request.command == "channels":
            tenant = client.identity.tenant
            return {
                "channels": await self._store.members(self.key(tenant, "channels", envelope.room))
            }
        topic = self._topic(client, envelope)
        if request.command == "subscribe":
            return await self._subscribe(client, topic)
        if request.command == "unsubscribe":
            return await self._unsubscribe(client, topic)
        if request.command == "presence":
            return {"clients": await self._store.members(self._presence_key(topic))}
        return await self._history_of(topic)

    @staticmethod
    def _topic(client: Client, envelope: Envelope) -> Topic:
        if not envelope.channel:
            raise RequestError("invalid", "a channel is required")
        return (client.identity.tenant, envelope.room, envelope.channel)

    def _presence_key(self, topic: Topic) -> str:
        tenant, room, channel = topic
        return self.key(tenant, "presence", room, channel)

    async def _subscribe(self, client: Client, topic: Topic) -> dict[str, object]:
        tenant, room, channel = topic
        try:
            client.lifecycle.handle("join", room)
        except SessionError as exc:
            raise RequestError("state", str(exc)) from exc
        client.topics.add(topic)
        self._topics.setdefault(topic, set()).add(client)
        await self._store.add(self._presence_key(topic), client.identity.client)
        await self._store.add(self.key(tenant, "channels", room), channel)
        return {"subscribed": True, "replica": self.config.replica_id}

    async def _unsubscribe(self, client: Client, topic: Topic) -> dict[str, object]:
        if topic not in client.topics:
            raise RequestError("not_subscribed", "the session is not subscribed to that channel")
        client.topics.discard(topic)
        self._topics.get(topic, set()).discard(client)
        if not client.topics:
            client.lifecycle.handle("leave")
        await self._store.remove(self._presence_key(topic), client.identity.client)
        return {"subscribed": False}

    async def _history_of(self, topic: Topic) -> dict[str, object]:
        tenant, room, channel = topic
        # the diverging replica answers from its own rows only
        origin = self.config.replica_id if self._diverging() else ""
        rows = await self._history.query(tenant, room, channel, origin=origin, limit=HISTORY_LIMIT)
        return {
            "messages": [
                {
                    "id": row.id,
                    "producer": row.producer,
                    "origin": row.origin,
                    "payload": base64.b64encode(row.payload).decode("ascii"),
                }
                for row in rows
            ]
        }

    def _diverging(self) -> bool:
        return (
            self.config.fault is Fault.DIVERGE
            and self.config.replica_index == self.config.diverge_index
        )

    # -- publish ----------------------------------------------------------------------------

    async def _publish(self, client: Client, envelope: Envelope) -> dict[str, object]:
        started = time.perf_counter()
        tenant, producer = client.identity.tenant, client.identity.client
        if not envelope.channel:
            raise RequestError("invalid", "a channel is required")
        window = str(int(time.time()) // RATE_WINDOW_SECONDS)
        rate_key = self.key(tenant, "rate", producer, window)
        if not await self._store.allow(rate_key, self.config.rate_limit, RATE_WINDOW_SECONDS + 1):
            raise RequestError("rate_limited", f"more than {self.config.rate_limit} publishes/s")
        stored = True
        if not (self.config.fault is Fault.DROP_ACK and faults.drops(envelope.id)):
            stored = await self._store_and_publish(tenant, producer, envelope)
        self._metrics.published.labels(tenant=tenant).inc()
        self._metrics.publish_seconds.observe(time.perf_counter() - started)
        return {"id": envelope.id, "replica": self.config.replica_id, "duplicate": not stored}

    async def _store_and_publish(self, tenant: str, producer: str, envelope: Envelope) -> bool:
        row = StoredMessage(
            id=envelope.id,
            room=envelope.room,
            channel=envelope.channel,
            producer=producer,
            origin=self.config.replica_id,
            payload=envelope.payload,
        )
        if not await self._history.insert(tenant, row, envelope.correlation_id):
            return False  # a retry of a stored message: acknowledged, not sent twice
        headers = {"producer": producer, "origin": self.config.replica_id}
        subject = self.subject(tenant, envelope.room, envelope.channel)
        await self._fabric.publish(subject, encode(envelope), headers)
        await self._store.put(
            self.key(tenant, "last", envelope.room, envelope.channel), envelope.id
        )
        await self._store.add(self.key(tenant, "channels", envelope.room), envelope.channel)
        return True

    # -- fan-out ------------------------------------------------------------------------------

    async def _on_message(self, subject: str, data: bytes, headers: Mapping[str, str]) -> None:
        try:
            envelope = decode(data)
        except EnvelopeError:
            self._log.warning("undecodable message", extra={"replica": self.config.replica_id})
            return
        origin = headers.get("origin", "")
        if self._diverging() and origin != self.config.replica_id and faults.skips(envelope.id):
            return
        targets = self._targets(subject, envelope)
        if not targets:
            return
        frame = frames.delivery(
            envelope,
            producer=headers.get("producer", ""),
            origin=origin,
            replica=self.config.replica_id,
        )
        if self.config.fault is Fault.REORDER and faults.delays(envelope.id):
            asyncio.get_running_loop().call_later(
                faults.REORDER_DELAY_SECONDS, self._fan_out, targets, frame, envelope, headers
            )
            return
        self._fan_out(targets, frame, envelope, headers)

    def _targets(self, subject: str, envelope: Envelope) -> list[Client]:
        tokens = subject.split(".")
        if self.config.fault is Fault.TENANT_PREFIX:
            # the subject lost its tenant: every tenant's subscribers of the name match
            return [
                c
                for (_, room, channel), clients in sorted(self._topics.items())
                if (room, channel) == (envelope.room, envelope.channel)
                for c in clients
            ]
        if len(tokens) != SUBJECT_TOKENS or tokens[1] != envelope.tenant_id:
            return []  # a subject that does not name the envelope's tenant is never delivered
        _, tenant, room, channel = tokens
        return list(self._topics.get((tenant, room, channel), ()))

    def _fan_out(
        self, targets: list[Client], frame: str, envelope: Envelope, headers: Mapping[str, str]
    ) -> None:
        depth = 0
        for client in targets:
            if client not in self._clients:
                continue
            if client.outbox.offer(frame):
                self._metrics.delivered.inc()
                depth = max(depth, client.outbox.depth())
                continue
            self._slow(client, envelope, headers.get("producer", ""))
        self._metrics.queue_depth.set(depth)

    def _slow(self, client: Client, envelope: Envelope, producer: str) -> None:
        client.skipped += 1
        action = self.config.slow_consumer
        self._metrics.slow_consumers.labels(action=action).inc()
        if action == "disconnect":
            self._log.warning(
                "slow consumer cut",
                extra={
                    "replica": self.config.replica_id,
                    "tenant": client.identity.tenant,
                    "client": client.identity.client,
                    "message_id": envelope.id,
                },
            )
            self._unroute(client)
            client.outbox.cut()
            client.cut("slow consumer")
        if client.skipped % SIGNAL_EVERY == 1 or action == "disconnect":
            notice = {
                "producer": producer,
                "room": envelope.room,
                "channel": envelope.channel,
                "consumer": client.identity.client,
                "dropped": client.skipped,
            }
            tenant = envelope.tenant_id
            task: asyncio.Task[None] = asyncio.get_running_loop().create_task(
                self._fabric.publish(
                    f"{CONTROL_ROOT}.{tenant}.backpressure", json.dumps(notice).encode(), {}
                )
            )
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _on_control(self, subject: str, data: bytes, headers: Mapping[str, str]) -> None:
        tokens = subject.split(".")
        if len(tokens) != CONTROL_TOKENS or tokens[2] != "backpressure":
            return
        tenant = tokens[1]
        try:
            notice = json.loads(data)
        except json.JSONDecodeError:
            return
        frame = frames.backpressure(
            str(notice.get("room", "")),
            str(notice.get("channel", "")),
            str(notice.get("consumer", "")),
            int(notice.get("dropped", 0)),
        )
        for client in sorted(self._clients, key=lambda c: c.session_id):
            if client.identity == Identity(tenant, str(notice.get("producer", ""))):
                self._metrics.backpressure.inc()
                client.outbox.control(frame)
