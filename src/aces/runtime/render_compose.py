"""The topology as a Compose file (one project per pull request).

Compose has no per-replica identity, so each replica is its own service
``<name>-<i>`` with its own ``REPLICA_ID``, exactly as the local provider runs
them; NATS nodes are ``nats-<i>`` routing to each other by service name.
Valkey and Postgres carry health checks the replicas wait for; the replicas'
health checks probe their health path. Images come pinned by digest.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from aces.runtime.render_common import (
    MIGRATIONS_MOUNT,
    NATS_MONITOR_PORT,
    POSTGRES_PORT,
    VALKEY_PORT,
    container_command,
    dependency_env,
    image,
    migrations,
    namespace,
    nats_args,
    require_services,
    service_env,
)
from aces.runtime.topology import DATABASE_USER, ServiceSpec, Topology

Service = dict[str, Any]


def render(topology: Topology, *, root: Path, pr: int | None = None) -> str:
    """The Compose file as deterministic YAML."""
    require_services(topology)
    return yaml.safe_dump(document(topology, root=root, pr=pr), sort_keys=False)


def document(topology: Topology, *, root: Path, pr: int | None = None) -> dict[str, Any]:
    """The Compose document as plain data."""
    services: dict[str, Service] = {}
    nodes = topology.nats.nodes
    for node in range(nodes):
        services[f"nats-{node}"] = {
            "image": image(topology, "nats"),
            "command": nats_args(
                node, nodes, jetstream=topology.nats.jetstream, route_host=lambda i: f"nats-{i}"
            ),
            "expose": [str(NATS_MONITOR_PORT)],
        }
    if topology.valkey.enabled:
        services["valkey"] = _valkey(topology)
    if topology.postgres.enabled:
        services["postgres"] = _postgres(topology, root)
    deps = dependency_env(topology, [f"nats-{i}" for i in range(nodes)], "valkey", "postgres")
    for spec in topology.services:
        for index in range(spec.replicas):
            services[f"{spec.name}-{index}"] = _replica(topology, spec, index, deps)
    return {"name": namespace(pr), "services": services}


def _valkey(topology: Topology) -> Service:
    return {
        "image": image(topology, "valkey"),
        "command": ["--save", "", "--appendonly", "no"],
        "expose": [str(VALKEY_PORT)],
        "healthcheck": _check(["CMD", "redis-cli", "ping"]),
    }


def _postgres(topology: Topology, root: Path) -> Service:
    database = topology.postgres.database
    service: Service = {
        "image": image(topology, "postgres"),
        "environment": {
            "POSTGRES_DB": database,
            "POSTGRES_HOST_AUTH_METHOD": "trust",
            "POSTGRES_USER": DATABASE_USER,
        },
        "expose": [str(POSTGRES_PORT)],
        "healthcheck": _check(["CMD", "pg_isready", "-U", DATABASE_USER, "-d", database]),
    }
    if migrations(topology, root):
        service["volumes"] = [f"./{topology.postgres.migrations}:{MIGRATIONS_MOUNT}:ro"]
    return service


def _replica(topology: Topology, spec: ServiceSpec, index: int, deps: dict[str, str]) -> Service:
    replica_id = f"{spec.name}-{index}"
    url = f"http://127.0.0.1:{spec.container_port}{spec.health_path}"
    service: Service = {
        "image": image(topology, spec.name),
        "environment": service_env(spec, deps, replica_id),
        "expose": [str(spec.container_port)],
        "healthcheck": _check(["CMD-SHELL", f"curl -fsS {url} || wget -qO- {url} || exit 1"]),
        "depends_on": _depends(topology),
    }
    command = container_command(spec, replica_id)
    if command:
        service["command"] = command
    return service


def _depends(topology: Topology) -> dict[str, dict[str, str]]:
    depends = {f"nats-{i}": {"condition": "service_started"} for i in range(topology.nats.nodes)}
    if topology.valkey.enabled:
        depends["valkey"] = {"condition": "service_healthy"}
    if topology.postgres.enabled:
        depends["postgres"] = {"condition": "service_healthy"}
    return depends


def _check(test: list[str]) -> dict[str, Any]:
    return {"test": test, "interval": "2s", "timeout": "2s", "retries": 30}
