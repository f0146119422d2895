"""The topology model: what the ``[topology]`` section of the policy declares.

Plain frozen dataclasses, no I/O: the local provider and the manifest renderers
read the same values, so the environment on a laptop and the one in a cluster
cannot drift. Every address reaches services and test commands through the
environment variables named here (docs/environment.md lists them).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from aces.runtime.checks_spec import ChecksSpec

# -- environment variables aces sets -------------------------------------------

NATS_URLS = "NATS_URLS"  # comma-separated nats:// URLs of every node
VALKEY_URL = "VALKEY_URL"  # redis:// URL of the Valkey (or Redis) server
REDIS_URL = "REDIS_URL"  # the same URL, for clients that read this name
DATABASE_URL = "DATABASE_URL"  # postgresql:// URL of the migrated database
HOST = "HOST"  # the address a replica binds: 127.0.0.1 locally, 0.0.0.0 in a container
REPLICA_ID = "REPLICA_ID"  # "<service>-<index>" locally; the pod / allocation name elsewhere
DEFAULT_PORT_ENV = "PORT"  # the port a replica listens on (name set per service)

# Only in the local provider (a cluster has no stable index or run directory).
REPLICA_INDEX = "REPLICA_INDEX"  # 0, 1, 2
SERVICE_NAME = "SERVICE_NAME"  # the service's name in the policy
ENV_DIR = "ACES_ENV_DIR"  # the run directory (logs, data) of the environment

# Test commands also get, per service, "<NAME>_REPLICAS" (its replicas' URLs, comma
# separated, in the service's scheme) and "<NAME>_HTTP_URLS" (their http:// base
# URLs, for health and metrics), NAME being the service name upper-cased with
# every non-alphanumeric character replaced by "_"; and ACES_SERVICES, the names.
SERVICES = "ACES_SERVICES"
REPLICAS_SUFFIX = "_REPLICAS"
HTTP_URLS_SUFFIX = "_HTTP_URLS"

# Placeholders allowed in service and test commands and env values.
PLACEHOLDERS: tuple[str, ...] = ("python", "root", "run_dir", "port", "replica_id", "index")
TEST_PLACEHOLDERS: tuple[str, ...] = ("python", "root", "run_dir")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

MIN_REPLICAS = 2  # the doctrine's 2-3 replicas of each service
MAX_REPLICAS = 3
MAX_NATS_NODES = 5
DEFAULT_READINESS_SECONDS = 30.0
DEFAULT_CONTAINER_PORT = 8080
DATABASE_USER = "aces"


@dataclass(frozen=True)
class NatsSpec:
    """The NATS cluster: how many nodes (a full route mesh) and whether JetStream is on."""

    nodes: int = 3
    jetstream: bool = True


@dataclass(frozen=True)
class ValkeySpec:
    """The Valkey (or Redis) server: throwaway, no persistence."""

    enabled: bool = True


@dataclass(frozen=True)
class PostgresSpec:
    """The throwaway Postgres: its database and the folder of SQL migrations."""

    enabled: bool = True
    database: str = "aces"
    migrations: str = ""  # folder relative to the root; *.sql applied in name order


@dataclass(frozen=True)
class ServiceSpec:
    """A service run as 2-3 replicas, each on its own port, ready when its health path is."""

    name: str
    command: tuple[str, ...]  # argv with placeholders ({python}, {port}, ...)
    replicas: int = MIN_REPLICAS
    env: dict[str, str] = field(default_factory=dict)
    health_path: str = "/health"
    metrics_path: str = ""
    readiness_timeout_seconds: float = DEFAULT_READINESS_SECONDS
    port_env: str = DEFAULT_PORT_ENV
    scheme: str = "http"  # scheme of the replica URLs given to tests (ws for WebSocket)
    cwd: str = ""  # relative to the root
    container_port: int = DEFAULT_CONTAINER_PORT  # the port inside an image (renderers)
    image_command: tuple[str, ...] = ()  # argv inside the image; empty: its entrypoint


@dataclass(frozen=True)
class TestCommand:
    """An integration-test command run against the live environment."""

    __test__ = False  # not a pytest test class, whatever its name
    name: str
    command: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    cwd: str = ""
    timeout_seconds: float = 600.0


@dataclass(frozen=True)
class Topology:
    """The whole live topology; ``declared`` is False when the policy has no ``[topology]``."""

    declared: bool = False
    nats: NatsSpec = field(default_factory=NatsSpec)
    valkey: ValkeySpec = field(default_factory=ValkeySpec)
    postgres: PostgresSpec = field(default_factory=PostgresSpec)
    services: tuple[ServiceSpec, ...] = ()
    tests: tuple[TestCommand, ...] = ()
    # name -> image@sha256:digest; a service's own image may be repo:tag (built here)
    images: dict[str, str] = field(default_factory=dict)
    # repo:tag -> sha256 digest of the released images (the supply ledger), for the renderers
    released: dict[str, str] = field(default_factory=dict)
    # how aces talks to the bus under test: a built-in driver name, or "module:factory"
    # ("" is the built-in WebSocket envelope driver; aces.runtime.driver)
    driver: str = ""
    checks: ChecksSpec = field(default_factory=ChecksSpec)  # [topology.checks]: stage 6

    def service(self, name: str) -> ServiceSpec:
        """The service called ``name`` (``KeyError`` when there is none)."""
        for spec in self.services:
            if spec.name == name:
                return spec
        raise KeyError(name)


def env_key(service: str) -> str:
    """``arqonbus-mini`` -> ``ARQONBUS_MINI``: the prefix of a service's test variables."""
    return re.sub(r"[^A-Za-z0-9]", "_", service).upper()


def dependency_env_names(topology: Topology) -> tuple[str, ...]:
    """The address variables every replica and test command receives, sorted."""
    names: list[str] = [NATS_URLS]
    if topology.valkey.enabled:
        names += [VALKEY_URL, REDIS_URL]
    if topology.postgres.enabled:
        names.append(DATABASE_URL)
    return tuple(sorted(names))


def service_env_names(topology: Topology, service: ServiceSpec) -> tuple[str, ...]:
    """Every variable a replica of ``service`` receives in every provider, sorted."""
    names = {*dependency_env_names(topology), HOST, REPLICA_ID, service.port_env, *service.env}
    return tuple(sorted(names))


def placeholders_in(text: str) -> tuple[str, ...]:
    """The placeholder names ``{name}`` used in ``text``, in order."""
    return tuple(match.group(1) for match in _PLACEHOLDER.finditer(text))


def expand(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by ``values[name]`` (unknown names are kept).

    The policy loader has already refused unknown names, so nothing is left over.
    """
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def image_pinned(reference: str) -> bool:
    """Whether ``reference`` names an image by digest (``repo@sha256:<64 hex>``)."""
    return re.fullmatch(r"[^\s@]+@sha256:[0-9a-f]{64}", reference) is not None


def image_tagged(reference: str) -> bool:
    """Whether ``reference`` is ``repo:tag`` with a fixed tag (not ``latest``) and no digest.

    The form of a service's own image, built from the repository: its digest exists only
    once the release builds it, and the supply ledger records it then.
    """
    match = _TAGGED.fullmatch(reference)
    return match is not None and match.group("tag") != "latest"


# registry host (with a port), path, then a tag: ghcr.io/org/bus:1.2, localhost:5000/bus:1
_TAGGED = re.compile(r"[a-z0-9][a-z0-9._/-]*(?::\d+)?(?:/[a-z0-9._-]+)*:(?P<tag>\w[\w.-]{0,127})")
