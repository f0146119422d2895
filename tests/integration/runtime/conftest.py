"""Shared pieces of the environment tests: the stand-in service and leak checks."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from aces.runtime.proc import group_members
from aces.runtime.topology import NatsSpec, PostgresSpec, ServiceSpec, Topology, ValkeySpec

FIXTURES = Path(__file__).parent / "fixtures"
STANDIN = FIXTURES / "standin_service.py"

needs_servers = pytest.mark.skipif(
    shutil.which("nats-server") is None
    or (shutil.which("redis-server") or shutil.which("valkey-server")) is None,
    reason="nats-server / redis-server not installed (make system)",
)


def standin(name: str = "standin", replicas: int = 2, **env: str) -> ServiceSpec:
    """A service of stand-in replicas run with this interpreter."""
    return ServiceSpec(
        name=name,
        command=(sys.executable, str(STANDIN)),
        replicas=replicas,
        env=dict(env),
        readiness_timeout_seconds=10.0,
    )


def small(*services: ServiceSpec, nodes: int = 1) -> Topology:
    """NATS only (no Valkey, no Postgres): quick to start."""
    return Topology(
        declared=True,
        nats=NatsSpec(nodes=nodes, jetstream=False),
        valkey=ValkeySpec(enabled=False),
        postgres=PostgresSpec(enabled=False),
        services=services,
    )


def assert_nothing_left(pgids: list[int], run_dir: Path, seconds: float = 5.0) -> None:
    """No process of any group is alive (checked in /proc) and the run directory is gone."""
    deadline = time.monotonic() + seconds
    while any(group_members(g) for g in pgids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert {g: group_members(g) for g in pgids if group_members(g)} == {}
    assert not run_dir.exists()
