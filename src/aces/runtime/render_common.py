"""What every manifest renderer shares: names, pinned images, in-cluster addresses, env.

A rendered topology mirrors the local one: the same services with the same
replica counts, the same dependency servers, and every replica gets the same
variable names (``topology.service_env_names``); only the values differ
(cluster DNS names and fixed container ports instead of loopback ports).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aces.errors import InputError, PolicyError
from aces.runtime import topology as names
from aces.runtime.servers import migration_files
from aces.runtime.topology import (
    DATABASE_USER,
    ServiceSpec,
    Topology,
    expand,
    image_pinned,
    image_tagged,
)

NATS_CLIENT_PORT = 4222
NATS_CLUSTER_PORT = 6222
NATS_MONITOR_PORT = 8222
VALKEY_PORT = 6379
POSTGRES_PORT = 5432
MIGRATIONS_MOUNT = "/docker-entrypoint-initdb.d"  # the official postgres image runs *.sql here
_CONFIG_KEY = re.compile(r"[-._a-zA-Z0-9]+")


@dataclass(frozen=True)
class Migration:
    """One SQL migration: its file name (applied in name order) and its text."""

    name: str
    sql: str


def namespace(pr: int | None) -> str:
    """``aces-pr-<N>`` for a pull request, ``aces-env`` otherwise."""
    if pr is not None and pr < 0:
        raise InputError(f"--pr must be a pull request number, not {pr}")
    return f"aces-pr-{pr}" if pr is not None else "aces-env"


def require_services(topology: Topology) -> None:
    """A topology without services renders nothing useful: refuse it."""
    if not topology.declared or not topology.services:
        raise PolicyError(
            "the policy declares no services to render",
            path="aces.toml",
            hint="add a [topology] section with [[topology.services]]",
        )


def image(topology: Topology, name: str) -> str:
    """The digest-pinned image of ``name`` from ``[topology.images]``, or ``PolicyError``.

    A service's own image may be named ``repo:tag``: it is built from the repository,
    so its digest exists only once a release builds it, and the supply ledger
    (``supply.tag_ledger``) records it then. A recorded tag renders pinned with the
    ledger's digest; an unreleased one renders as the tag the release will record.
    """
    ref = topology.images.get(name)
    if ref is None:
        raise PolicyError(
            f"topology.images.{name}: missing; a rendered topology pins every image by digest",
            path="aces.toml",
            hint=f'add {name} = "repo@sha256:<digest>" under [topology.images]',
        )
    if image_pinned(ref):
        return ref
    if name in {s.name for s in topology.services} and image_tagged(ref):
        digest = topology.released.get(ref)
        return f"{ref}@{digest}" if digest else ref
    raise PolicyError(f"topology.images.{name}: {ref!r} is not pinned by digest", path="aces.toml")


def with_released(topology: Topology, root: Path, ledger: str) -> Topology:
    """``topology`` with the released images of the ledger at ``ledger`` ("" or absent: none).

    A malformed ledger is an ``InputError`` naming it (the supply checks say the same).
    """
    from aces.engines.supply.ledger import parse_ledger

    path = root / ledger
    if not ledger or not path.is_file():
        return topology
    parsed = parse_ledger(ledger, path.read_text(encoding="utf-8"))
    return dataclasses.replace(topology, released=dict(sorted(parsed.tags.items())))


def migrations(topology: Topology, root: Path) -> tuple[Migration, ...]:
    """The migration files with their text, in name order."""
    found = []
    for path in migration_files(root, topology.postgres.migrations):
        if not _CONFIG_KEY.fullmatch(path.name):
            raise InputError(f"migration file name {path.name!r} cannot be a config key")
        found.append(Migration(path.name, path.read_text(encoding="utf-8")))
    return tuple(found)


def nats_args(
    node: int,
    nodes: int,
    *,
    jetstream: bool,
    route_host: Callable[[int], str],
    cluster_port: Callable[[int], int] = lambda _: NATS_CLUSTER_PORT,
) -> list[str]:
    """The arguments of NATS node ``node`` in a cluster: routes to every other node."""
    args = [
        "-p", str(NATS_CLIENT_PORT),
        "-m", str(NATS_MONITOR_PORT),
        "-n", f"nats-{node}",
    ]  # fmt: skip
    if nodes > 1:
        own = cluster_port(node)
        routes = ",".join(
            f"nats://{route_host(i)}:{cluster_port(i)}" for i in range(nodes) if i != node
        )
        args += [
            "--cluster_name", "aces",
            "--cluster", f"nats://0.0.0.0:{own}",
            "--routes", routes,
        ]  # fmt: skip
    if jetstream:
        args += ["-js", "--store_dir", "/data"]
    return args


def dependency_env(
    topology: Topology, nats_hosts: list[str], valkey_host: str, postgres_host: str
) -> dict[str, str]:
    """The address variables, pointing at the in-cluster names of the servers."""
    env = {names.NATS_URLS: ",".join(f"nats://{h}:{NATS_CLIENT_PORT}" for h in nats_hosts)}
    if topology.valkey.enabled:
        url = f"redis://{valkey_host}:{VALKEY_PORT}/0"
        env[names.VALKEY_URL] = env[names.REDIS_URL] = url
    if topology.postgres.enabled:
        env[names.DATABASE_URL] = (
            f"postgresql://{DATABASE_USER}@{postgres_host}:{POSTGRES_PORT}/"
            f"{topology.postgres.database}"
        )
    return env


def service_env(spec: ServiceSpec, dependencies: dict[str, str], replica_id: str) -> dict[str, str]:
    """Every variable of a replica in a container, sorted by name (REPLICA_ID included)."""
    values = container_placeholders(spec, replica_id)
    env = {
        **dependencies,
        names.HOST: "0.0.0.0",
        spec.port_env: str(spec.container_port),
        names.REPLICA_ID: replica_id,
    }
    env.update({k: expand(v, values) for k, v in spec.env.items()})
    return dict(sorted(env.items()))


def container_placeholders(spec: ServiceSpec, replica_id: str) -> dict[str, str]:
    """Placeholder values inside an image: fixed paths and the container port."""
    return {
        "python": "python3",
        "root": ".",
        "run_dir": "/tmp",
        "port": str(spec.container_port),
        "replica_id": replica_id,
        "index": replica_id,
    }


def container_command(spec: ServiceSpec, replica_id: str) -> list[str]:
    """The service's ``image_command`` with placeholders filled (empty: the image's own)."""
    values = container_placeholders(spec, replica_id)
    return [expand(arg, values) for arg in spec.image_command]
