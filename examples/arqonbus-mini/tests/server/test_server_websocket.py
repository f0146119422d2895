"""The WebSocket face of a replica with in-process backends: handshake, probes, frames."""

from __future__ import annotations

import asyncio
import json
import logging
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

pytest.importorskip("websockets")
pytest.importorskip("prometheus_client")

from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from arqonbus_mini.envelope import Envelope, MessageType
from arqonbus_mini.server.app import App
from arqonbus_mini.server.auth import issue
from arqonbus_mini.server.config import Config, default_secret
from arqonbus_mini.server.hub import Hub
from arqonbus_mini.server.memory import MemoryFabric, MemoryHistory, MemoryStore
from arqonbus_mini.server.metrics import Metrics


@asynccontextmanager
async def replica(codec: Any = None) -> AsyncIterator[str]:
    """One replica on an ephemeral port; yields its ``host:port``."""
    config = Config(replica_id="bus-0", secret=default_secret())
    metrics = Metrics()
    hub = Hub(config, MemoryFabric(), MemoryStore(), MemoryHistory(), metrics, logging.getLogger())
    await hub.start()
    server = await App(hub, metrics, logging.getLogger(), codec).serve("127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


def _headers(tenant: str, client: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue(default_secret(), tenant, client)}"}


def _frame(kind: str, msg_id: str, tenant: str, **extra: Any) -> str:
    document = {
        "id": msg_id,
        "type": kind,
        "version": "1.0.0",
        "timestamp_ms": 1,
        "room": "lobby",
        "channel": "chat",
        "payload": "aGk=",
        "correlation_id": msg_id,
        "tenant_id": tenant,
        **extra,
    }
    return json.dumps(document)


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def test_publish_subscribe_over_websocket_with_probes() -> None:
    async def scenario() -> None:
        async with replica() as address:
            url = f"ws://{address}/"
            async with (
                connect(url, additional_headers=_headers("acme", "sub")) as sub,
                connect(url, additional_headers=_headers("acme", "pub")) as pub,
            ):
                await sub.send(_frame("command", "s1", "acme", command="subscribe"))
                assert json.loads(await sub.recv())["result"]["subscribed"] is True
                await pub.send(_frame("event", "m1", "acme"))
                ack = json.loads(await pub.recv())
                assert (ack["type"], ack["correlation_id"]) == ("reply", "m1")
                event = json.loads(await sub.recv())
                assert (event["id"], event["producer"], event["payload"]) == ("m1", "pub", "aGk=")
                await pub.send("not json")
                refused = json.loads(await pub.recv())
                assert refused["error"]["code"] == "invalid"
                status, body = await asyncio.to_thread(_get, f"http://{address}/health")
                assert status == 200
                assert json.loads(body) == {"replica": "bus-0", "sessions": 2, "status": "ok"}
            status, body = await asyncio.to_thread(_get, f"http://{address}/metrics")
            assert status == 200
            assert 'arqonbus_messages_published_total{tenant="acme"} 1.0' in body

    asyncio.run(scenario())


def test_a_bad_token_is_refused_before_the_upgrade() -> None:
    async def scenario() -> None:
        async with replica() as address:
            bad = {"Authorization": "Bearer v1.acme.eve.0000"}
            with pytest.raises(InvalidStatus) as caught:
                async with connect(f"ws://{address}/", additional_headers=bad):
                    pass
            assert caught.value.response.status_code == 401

    asyncio.run(scenario())


def test_binary_protobuf_frames_publish() -> None:
    pytest.importorskip("grpc_tools")
    from arqonbus_mini.server.protobuf import BinaryCodec, load_message_class

    codec = BinaryCodec(load_message_class())
    envelope = Envelope(
        id="b1",
        type=MessageType.EVENT,
        version="1.0.0",
        timestamp_ms=1,
        room="lobby",
        channel="chat",
        payload=b"\x00\x01",
        correlation_id="b1",
        tenant_id="acme",
    )
    assert codec.decode(codec.encode(envelope)) == envelope

    async def scenario() -> None:
        # without a codec a binary frame cannot even be read: refused without a correlation id
        for replica_codec, expected in ((codec, ("reply", "b1")), (None, ("error", ""))):
            async with replica(replica_codec) as address:
                url = f"ws://{address}/"
                async with connect(url, additional_headers=_headers("acme", "p")) as ws:
                    await ws.send(codec.encode(envelope))
                    answer = json.loads(await ws.recv())
                    assert (answer["type"], answer["correlation_id"]) == expected

    asyncio.run(scenario())
