"""The built-in WebSocket envelope driver against a scripted fake bus, and the registry."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import traceback
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from aces.errors import PolicyError
from aces.runtime.driver import (
    BUILTIN_DRIVER,
    Ack,
    AckTimeoutError,
    BusSession,
    ConnectFailedError,
    Delivery,
    Driver,
    RequestRefusedError,
    SessionClosedError,
    Signal,
    WebSocketEnvelopeDriver,
    load_driver,
    resolve_factory,
    token,
    websocket_envelope_driver,
)

SECRET = b"unit-key"
Script = Callable[[ServerConnection, dict[str, Any]], Any]


def _event(msg_id: str) -> str:
    return json.dumps(
        {
            "type": "event",
            "id": msg_id,
            "tenant_id": "acme",
            "room": "lobby",
            "channel": "chat",
            "payload": "aGk=",
            "producer": "pub",
            "origin": "bus-0",
            "replica": "bus-1",
            "correlation_id": msg_id,
        }
    )


async def _answer(ws: ServerConnection, frame: dict[str, Any]) -> None:
    """The fake bus: acks publishes, refuses the 'forbidden' room, and obeys test commands."""
    request_id = frame["id"]
    if frame["room"] == "forbidden":
        error = {"code": "forbidden", "message": "another tenant"}
        await ws.send(json.dumps({"type": "error", "correlation_id": request_id, "error": error}))
    elif frame["type"] == "event" and frame["room"] == "silent":
        return
    elif frame["type"] == "event":
        result = {"id": request_id, "replica": "bus-0", "duplicate": False}
        await ws.send(json.dumps({"type": "reply", "correlation_id": request_id, "result": result}))
        await ws.send(_event(request_id))
    elif frame.get("command") == "presence":
        signal = {
            "type": "error",
            "signal": "backpressure",
            "room": "lobby",
            "channel": "chat",
            "consumer": "slow",
            "correlation_id": "",
            "error": {"code": "backpressure", "message": "slow"},
        }
        await ws.send(json.dumps(signal))
        reply = {"type": "reply", "correlation_id": request_id, "result": {"clients": ["a"]}}
        await ws.send(json.dumps(reply))
    elif frame.get("command") == "kick":
        await ws.close(4008, "slow consumer")
    else:
        await ws.send(json.dumps({"type": "reply", "correlation_id": request_id, "result": {}}))


@asynccontextmanager
async def fake_bus(seen: list[Mapping[str, Any]]) -> AsyncIterator[str]:
    async def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        seen.append({"authorization": ws.request.headers.get("Authorization")})
        async for raw in ws:
            frame = json.loads(raw)
            seen.append(frame)
            await _answer(ws, frame)

    def gate(ws: ServerConnection, request: Any) -> Any:
        if request.headers.get("Authorization") != f"Bearer {token(SECRET, 'acme', 'alice')}":
            return ws.respond(401, "no\n")
        return None

    async with serve(handler, "127.0.0.1", 0, process_request=gate) as server:
        port = server.sockets[0].getsockname()[1]
        yield f"ws://127.0.0.1:{port}/"


def run(scenario: Callable[[str, list[Mapping[str, Any]]], Any]) -> Any:
    async def main() -> Any:
        seen: list[Mapping[str, Any]] = []
        async with fake_bus(seen) as url:
            return await scenario(url, seen), seen

    return asyncio.run(main())


def test_token_shape_and_signature() -> None:
    signature = hmac.new(SECRET, b"v1.acme.alice", hashlib.sha256).hexdigest()
    assert token(SECRET, "acme", "alice") == f"v1.acme.alice.{signature}"
    with pytest.raises(ValueError, match="tenant 'Acme' is not a lower-case name"):
        token(SECRET, "Acme", "alice")


def test_publish_acks_and_delivers_with_ids() -> None:
    async def scenario(url: str, seen: list[Mapping[str, Any]]) -> tuple[Ack, Delivery | None]:
        session = await WebSocketEnvelopeDriver(SECRET).connect(url, "acme", "alice")
        assert isinstance(session, BusSession)
        await session.subscribe("lobby", "chat")
        ack = await session.publish("lobby", "chat", b"hi", "m1")
        delivery = await session.receive(2)
        await session.close()
        return ack, delivery

    (ack, delivery), seen = run(scenario)
    assert ack == Ack(id="m1", replica="bus-0", duplicate=False)
    assert delivery == Delivery(
        id="m1",
        tenant="acme",
        room="lobby",
        channel="chat",
        payload=b"hi",
        producer="pub",
        origin="bus-0",
        replica="bus-1",
        correlation_id="m1",
    )
    assert seen[0] == {"authorization": f"Bearer {token(SECRET, 'acme', 'alice')}"}
    subscribe, publish = seen[1], seen[2]
    assert (subscribe["type"], subscribe["command"], subscribe["tenant_id"]) == (
        "command",
        "subscribe",
        "acme",
    )
    assert subscribe["id"] == "subscribe-alice-1"
    assert (publish["type"], publish["id"], publish["payload"], publish["version"]) == (
        "event",
        "m1",
        "aGk=",
        "1.0.0",
    )


def test_receive_times_out_with_none() -> None:
    async def scenario(url: str, seen: list[Mapping[str, Any]]) -> Delivery | None:
        session = await WebSocketEnvelopeDriver(SECRET).connect(url, "acme", "alice")
        got = await session.receive(0.05)
        await session.close()
        return got

    got, _ = run(scenario)
    assert got is None


def test_refusals_timeouts_and_signals() -> None:
    async def scenario(url: str, seen: list[Mapping[str, Any]]) -> dict[str, Any]:
        session = await WebSocketEnvelopeDriver(SECRET).connect(url, "acme", "alice")
        with pytest.raises(RequestRefusedError) as refused:
            await session.subscribe("forbidden", "chat")
        with pytest.raises(AckTimeoutError, match=re.escape("no answer to m2 within 0.1 s")):
            await session.publish("silent", "chat", b"", "m2", timeout=0.1)
        presence = await session.query("presence", "lobby", "chat")
        signals = session.signals()
        await session.close()
        return {"code": refused.value.code, "presence": presence, "signals": signals}

    result, _ = run(scenario)
    assert result["code"] == "forbidden"
    assert result["presence"] == {"clients": ["a"]}
    assert result["signals"] == (
        Signal(
            kind="backpressure",
            detail={"room": "lobby", "channel": "chat", "consumer": "slow", "message": "slow"},
        ),
    )


def test_a_session_cut_by_the_bus_raises_with_the_close_code() -> None:
    async def scenario(url: str, seen: list[Mapping[str, Any]]) -> SessionClosedError:
        session = await WebSocketEnvelopeDriver(SECRET).connect(url, "acme", "alice")
        with pytest.raises(SessionClosedError) as during:
            await session.query("kick", "lobby", "chat")
        with pytest.raises(SessionClosedError) as after:
            await session.receive(1)
        depths = []
        for _ in range(5):
            with pytest.raises(SessionClosedError) as again:
                await session.publish("lobby", "chat", b"x", "m-1", timeout=1)
            depths.append(len(traceback.extract_tb(again.value.__traceback__)))
        await session.close()
        # a fresh error each time: raising one instance again would pile up its traceback
        assert after.value is not during.value
        assert (after.value.code, after.value.reason) == (during.value.code, during.value.reason)
        assert len(set(depths)) == 1, depths
        return during.value

    closed, _ = run(scenario)
    assert (closed.code, closed.reason) == (4008, "slow consumer")


def test_a_refused_handshake_and_an_unreachable_replica() -> None:
    async def scenario(url: str, seen: list[Mapping[str, Any]]) -> None:
        with pytest.raises(ConnectFailedError, match=r"refused the session \(HTTP 401\)"):
            await WebSocketEnvelopeDriver(b"other").connect(url, "acme", "alice")
        with pytest.raises(
            ConnectFailedError, match=re.escape("cannot connect to ws://127.0.0.1:1/")
        ):
            await WebSocketEnvelopeDriver(SECRET).connect("ws://127.0.0.1:1/", "acme", "a")

    run(scenario)


def test_pause_reading_stops_deliveries_until_resumed() -> None:
    async def scenario(url: str, seen: list[Mapping[str, Any]]) -> list[str | None]:
        session = await WebSocketEnvelopeDriver(SECRET).connect(url, "acme", "alice")
        await session.publish("lobby", "chat", b"", "m1")
        first = await session.receive(1)
        session.pause_reading()
        publish = asyncio.ensure_future(session.publish("lobby", "chat", b"", "m2", timeout=2))
        while_paused = await session.receive(0.2)
        session.resume_reading()
        await publish
        later = await session.receive(1)
        await session.close()
        return [d.id if d else None for d in (first, while_paused, later)]

    got, _ = run(scenario)
    assert got == ["m1", None, "m2"]


# -- the registry ----------------------------------------------------------------------------


def test_the_builtin_driver_is_the_default() -> None:
    assert resolve_factory("") is websocket_envelope_driver
    assert resolve_factory(BUILTIN_DRIVER) is websocket_envelope_driver
    driver = load_driver("", {"ARQONBUS_TOKEN_SECRET": "per-run"})
    assert isinstance(driver, Driver)
    assert driver.name == BUILTIN_DRIVER


def test_a_project_driver_is_imported_from_the_repository(tmp_path: Path) -> None:
    (tmp_path / "projdriver_for_test.py").write_text(
        "from aces.runtime.driver import WebSocketEnvelopeDriver\n"
        "def make(env):\n"
        "    driver = WebSocketEnvelopeDriver(env['KEY'].encode())\n"
        "    driver.name = 'project'\n"
        "    return driver\n"
        "def broken(env):\n"
        "    return 42\n",
        encoding="utf-8",
    )
    driver = load_driver("projdriver_for_test:make", {"KEY": "k"}, root=tmp_path)
    assert driver.name == "project"
    with pytest.raises(PolicyError, match="the factory did not return a driver"):
        load_driver("projdriver_for_test:broken", {}, root=tmp_path)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nats", "topology.driver 'nats' is neither a built-in driver (websocket-envelope)"),
        ("no_such_module_xyz:make", "cannot import 'no_such_module_xyz'"),
        ("json:no_factory", "module 'json' has no callable 'no_factory'"),
    ],
)
def test_bad_driver_names_are_policy_errors(spec: str, message: str) -> None:
    with pytest.raises(PolicyError, match=re.escape(message)):
        resolve_factory(spec)
