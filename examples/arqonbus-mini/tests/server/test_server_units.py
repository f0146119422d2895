"""Tokens, settings, faults and frames of the service: no network, no servers."""

from __future__ import annotations

import json
import os

import pytest

from arqonbus_mini.envelope import EnvelopeError
from arqonbus_mini.server import auth, faults, frames
from arqonbus_mini.server.config import ConfigError, default_secret, from_env
from arqonbus_mini.server.faults import Fault
from arqonbus_mini.server.memory import subject_matches
from arqonbus_mini.tenancy import TenancyError

# A fresh key per test run: no key material is written into the source.
SECRET = os.urandom(32)


def _frame(**fields: object) -> str:
    document: dict[str, object] = {
        "id": "m1",
        "type": "event",
        "version": "1.0.0",
        "timestamp_ms": 1,
        "room": "lobby",
        "channel": "chat",
        "payload": "aGk=",
        "correlation_id": "c1",
        "tenant_id": "acme",
    }
    document.update(fields)
    return json.dumps(document)


def test_token_round_trip_names_tenant_and_client() -> None:
    token = auth.issue(SECRET, "acme", "alice")
    assert token.startswith("v1.acme.alice.")
    assert auth.verify(SECRET, token) == auth.Identity(tenant="acme", client="alice")


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", "malformed token"),
        ("v2.acme.alice.00", "malformed token"),
        ("v1.ACME.alice.00", "malformed token"),
        ("v1.acme.alice.00", "bad token signature"),
    ],
)
def test_bad_tokens_are_refused(token: str, reason: str) -> None:
    with pytest.raises(TenancyError, match=reason):
        auth.verify(SECRET, token)


def test_a_token_signed_for_one_tenant_does_not_verify_for_another() -> None:
    forged = auth.issue(SECRET, "acme", "alice").replace("v1.acme.", "v1.globex.")
    with pytest.raises(TenancyError, match="bad token signature"):
        auth.verify(SECRET, forged)


def test_bearer_header_parsing() -> None:
    assert auth.bearer("Bearer abc") == "abc"
    assert auth.bearer("Basic abc") == ""
    assert auth.bearer(None) == ""


def test_config_reads_the_environment_variables() -> None:
    config = from_env(
        {
            "PORT": "9001",
            "REPLICA_ID": "arqonbus-2",
            "REPLICA_INDEX": "2",
            "NATS_URLS": "nats://127.0.0.1:1,nats://127.0.0.1:2",
            "REDIS_URL": "redis://127.0.0.1:3/0",
            "ARQONBUS_FAULT": "reorder",
            "ARQONBUS_QUEUE_LIMIT": "8",
        }
    )
    assert (config.port, config.replica_id, config.replica_index) == (9001, "arqonbus-2", 2)
    assert config.nats_urls == ("nats://127.0.0.1:1", "nats://127.0.0.1:2")
    assert config.redis_url == "redis://127.0.0.1:3/0"
    assert config.fault is Fault.REORDER
    assert config.queue_limit == 8
    assert config.secret == default_secret()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "x"}, "PORT='x' is not an integer"),
        ({"ARQONBUS_QUEUE_LIMIT": "0"}, "ARQONBUS_QUEUE_LIMIT=0 is below 1"),
        ({"ARQONBUS_SLOW_CONSUMER": "ignore"}, "ARQONBUS_SLOW_CONSUMER='ignore'"),
    ],
)
def test_bad_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_env(env)


def test_unknown_fault_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="expected one of tenant-prefix, reorder, drop-ack"):
        faults.parse_fault("slow")


def test_fault_selection_is_a_fixed_function_of_the_id() -> None:
    ids = [f"m{i}" for i in range(200)]
    dropped = [i for i in ids if faults.drops(i)]
    assert dropped == [i for i in ids if faults.drops(i)]
    assert 20 < len(dropped) < 60  # about a fifth


def test_publish_and_command_frames_parse() -> None:
    publish = frames.parse_text(_frame())
    assert (publish.command, publish.envelope.payload) == ("publish", b"hi")
    command = frames.parse_text(_frame(type="command", command="subscribe", payload=""))
    assert command.command == "subscribe"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "command", "command": "drop_table"}, "unknown command 'drop_table'"),
        ({"room": "a.b"}, "room 'a.b' is not a name"),
        ({"type": "reply"}, "a client sends events and commands, not reply"),
        ({"version": "2.0.0"}, "unsupported major version 2"),
    ],
)
def test_refused_frames_say_why(fields: dict[str, object], message: str) -> None:
    with pytest.raises(EnvelopeError, match=message):
        frames.parse_text(_frame(**fields))


def test_nats_subject_matching() -> None:
    assert subject_matches("arqonbus.>", "arqonbus.acme.lobby.chat")
    assert not subject_matches("arqonbus.>", "arqonbus")
    assert subject_matches("arqonbus.*.lobby.chat", "arqonbus.acme.lobby.chat")
    assert not subject_matches("arqonbus.acme.*", "arqonbus.acme.lobby.chat")
