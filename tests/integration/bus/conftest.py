"""The reference bus brought up for real: NATS x3, Valkey, Postgres, 3 replicas."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aces.policy.loader import load_policy
from aces.runtime.driver import Driver, load_driver
from aces.runtime.provider_local import Environment
from aces.runtime.topology import Topology

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"


def _postgres_present() -> bool:
    return shutil.which("initdb") is not None or any(Path("/usr/lib/postgresql").glob("*/bin"))


needs_servers = pytest.mark.skipif(
    shutil.which("nats-server") is None
    or (shutil.which("redis-server") or shutil.which("valkey-server")) is None
    or not _postgres_present(),
    reason="nats-server / redis-server / postgres not installed (make system)",
)


def example_topology(**env: str) -> Topology:
    """The example's own ``[topology]``, its service given extra environment variables."""
    topology = load_policy(EXAMPLE).policy.topology
    service = topology.services[0]
    changed = dataclasses.replace(service, env={**service.env, **env})
    return dataclasses.replace(topology, services=(changed,))


@contextmanager
def bus(**env: str) -> Iterator[tuple[Environment, Driver]]:
    """The environment up with the real service, and the policy's driver for it."""
    topology = example_topology(**env)
    with Environment(topology, root=EXAMPLE, handle_signals=False) as environment:
        first = environment.replica(0)
        service_env = environment.replica_env(topology.services[0], 0, first.port)
        yield environment, load_driver(topology.driver, service_env, root=EXAMPLE)
