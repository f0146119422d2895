"""Readiness probes: HTTP health endpoints, the NATS route mesh, Redis PING, Postgres status.

Each probe answers once, quickly and without raising: True/False or a value,
so the provider can poll it until a deadline.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

PROBE_TIMEOUT = 1.0


def http_status(url: str, timeout: float = PROBE_TIMEOUT) -> int | None:
    """The HTTP status of ``GET url``, or None when nothing answered in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError):
        return None


def http_json(url: str, timeout: float = PROBE_TIMEOUT) -> object | None:
    """The JSON body of ``GET url``, or None on any failure."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            body: object = json.loads(response.read())
            return body
    except (OSError, ValueError):
        return None


def nats_routes(monitor_url: str, timeout: float = PROBE_TIMEOUT) -> int | None:
    """How many routes a NATS node has (``/routez`` ``num_routes``), None when unknown."""
    body = http_json(f"{monitor_url}/routez", timeout)
    if isinstance(body, dict) and isinstance(body.get("num_routes"), int):
        return int(body["num_routes"])
    return None


def nats_healthy(monitor_url: str, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether ``/healthz`` of a NATS node answers 200 (JetStream ready, when enabled)."""
    return http_status(f"{monitor_url}/healthz", timeout) == 200


def redis_ping(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether a Redis-protocol server answers ``PING`` with ``+PONG``."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def postgres_ready(data_dir: Path) -> bool:
    """Whether the postmaster says ``ready`` (line 8 of ``postmaster.pid``, PostgreSQL 10+)."""
    try:
        lines = (data_dir / "postmaster.pid").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"
