"""The ``[topology]`` section of ``aces.toml``: the live environment of stages 6 and 9-12.

- ``[topology.nats]``: ``nodes`` (1-5, a full route mesh), ``jetstream`` (bool);
- ``[topology.valkey]``: ``enabled``;
- ``[topology.postgres]``: ``enabled``, ``database``, ``migrations`` (a folder
  whose ``*.sql`` files are applied in name order);
- ``[[topology.services]]``: ``name``, ``command`` (argv with placeholders),
  ``replicas`` (the doctrine's 2-3; fewer is looser), ``env``, ``health_path``,
  ``metrics_path``, ``readiness_timeout_seconds``, ``port_env``, ``scheme``,
  ``cwd``, ``container_port``, ``image_command``;
- ``[[topology.tests]]``: ``name``, ``command``, ``env``, ``cwd``, ``timeout_seconds``;
- ``[topology.images]``: ``nats`` / ``valkey`` / ``postgres`` / a service name ->
  an image pinned by digest (``repo@sha256:...``), for the rendered manifests; a
  service's own image may be ``repo:tag`` (not ``latest``), pinned at render time by
  the digest the supply ledger records for that tag at release.

Placeholders: ``{python}``, ``{root}``, ``{run_dir}`` everywhere; ``{port}``,
``{replica_id}``, ``{index}`` in services only (docs/environment.md).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.topology_checks import build_checks
from aces.policy.values import (
    Reporter,
    as_positive,
    as_string,
    as_strings,
    as_table,
    check_keys,
    describe,
)
from aces.runtime.topology import (
    MAX_NATS_NODES,
    MAX_REPLICAS,
    MIN_REPLICAS,
    PLACEHOLDERS,
    TEST_PLACEHOLDERS,
    NatsSpec,
    PostgresSpec,
    ServiceSpec,
    TestCommand,
    Topology,
    ValkeySpec,
    image_pinned,
    image_tagged,
    placeholders_in,
)

TOPOLOGY_KEYS: tuple[str, ...] = (
    "nats",
    "valkey",
    "postgres",
    "services",
    "tests",
    "images",
    "driver",
    "checks",
)
NATS_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(NatsSpec))
VALKEY_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ValkeySpec))
POSTGRES_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PostgresSpec))
SERVICE_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ServiceSpec))
TEST_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(TestCommand))
DEPENDENCY_IMAGES: tuple[str, ...] = ("nats", "valkey", "postgres")
SCHEMES: tuple[str, ...] = ("http", "https", "ws", "wss")

# DNS-label-like names: they become process names, Kubernetes objects and env prefixes.
_NAME = re.compile(r"[a-z][a-z0-9-]{0,40}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATABASE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_URL_PATH = re.compile(r"/[A-Za-z0-9._~/-]*")


def build_topology(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: Topology
) -> Topology:
    """The ``[topology]`` settings; a present section makes the topology ``declared``."""
    check_keys(r, table, path, TOPOLOGY_KEYS)
    services = _services(r, table, path)
    topology = Topology(
        declared=True,
        nats=_nats(r, table.get("nats"), (*path, "nats"), default.nats),
        valkey=_valkey(r, table.get("valkey"), (*path, "valkey"), default.valkey),
        postgres=_postgres(r, table.get("postgres"), (*path, "postgres"), default.postgres),
        services=services,
        tests=_tests(r, table, path),
        driver=_driver(r, table, path),
        checks=build_checks(r, table.get("checks"), (*path, "checks")),
    )
    return dataclasses.replace(topology, images=_images(r, table, path, topology))


_DRIVER = re.compile(r"[a-z][a-z0-9-]*|[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def _driver(r: Reporter, table: dict[str, Any], path: KeyPath) -> str:
    """A built-in driver name or ``package.module:factory`` (resolved when a stage runs)."""
    if "driver" not in table:
        return ""
    value = as_string(r, table["driver"], (*path, "driver"), "a driver name or 'module:factory'")
    if value is not None and not _DRIVER.fullmatch(value):
        r.add(
            (*path, "driver"),
            f"expected a built-in driver name or 'package.module:factory', found {value!r}",
        )
        return ""
    return value or ""


# -- dependencies ---------------------------------------------------------------


def _nats(r: Reporter, raw: object, path: KeyPath, default: NatsSpec) -> NatsSpec:
    table = _optional_table(r, raw, path)
    if table is None:
        return default
    check_keys(r, table, path, NATS_KEYS)
    nodes = _integer(r, table, path, "nodes", default.nodes, 1, MAX_NATS_NODES)
    return NatsSpec(nodes=nodes, jetstream=_flag(r, table, path, "jetstream", default.jetstream))


def _valkey(r: Reporter, raw: object, path: KeyPath, default: ValkeySpec) -> ValkeySpec:
    table = _optional_table(r, raw, path)
    if table is None:
        return default
    check_keys(r, table, path, VALKEY_KEYS)
    return ValkeySpec(enabled=_flag(r, table, path, "enabled", default.enabled))


def _postgres(r: Reporter, raw: object, path: KeyPath, default: PostgresSpec) -> PostgresSpec:
    table = _optional_table(r, raw, path)
    if table is None:
        return default
    check_keys(r, table, path, POSTGRES_KEYS)
    database = default.database
    if "database" in table:
        value = as_string(r, table["database"], (*path, "database"), "a database name")
        if value is not None and not _DATABASE.fullmatch(value):
            r.add(
                (*path, "database"),
                f"expected a lower-case database name of letters, digits and '_', found {value!r}",
            )
        elif value is not None:
            database = value
    return PostgresSpec(
        enabled=_flag(r, table, path, "enabled", default.enabled),
        database=database,
        migrations=_relative(r, table, path, "migrations"),
    )


# -- services and tests ------------------------------------------------------------


def _services(r: Reporter, table: dict[str, Any], path: KeyPath) -> tuple[ServiceSpec, ...]:
    found: list[ServiceSpec] = []
    for i, item in _array_of_tables(r, table, path, "services"):
        spec = _service(r, item, (*path, "services", i))
        if spec is None:
            continue
        if spec.name in {s.name for s in found}:
            r.add((*path, "services", i, "name"), f"service {spec.name!r} is declared twice")
            continue
        found.append(spec)
    return tuple(found)


def _service(r: Reporter, table: dict[str, Any], path: KeyPath) -> ServiceSpec | None:
    check_keys(r, table, path, SERVICE_KEYS)
    before = len(r.problems)
    name = _name(r, table, path)
    command = _command(r, table, path, "command", PLACEHOLDERS, required=True)
    replicas = _replicas(r, table, path)
    spec = ServiceSpec(
        name=name or "",
        command=command or (),
        replicas=replicas,
        env=_env(r, table, path, PLACEHOLDERS),
        health_path=_url_path(r, table, path, "health_path", "/health", required=True),
        metrics_path=_url_path(r, table, path, "metrics_path", "", required=False),
        readiness_timeout_seconds=_seconds(r, table, path, "readiness_timeout_seconds", 30.0),
        port_env=_env_name(r, table, path, "port_env", "PORT"),
        scheme=_scheme(r, table, path),
        cwd=_relative(r, table, path, "cwd"),
        container_port=_integer(r, table, path, "container_port", 8080, 1, 65535),
        image_command=_command(r, table, path, "image_command", (), required=False) or (),
    )
    return spec if len(r.problems) == before else None


def _tests(r: Reporter, table: dict[str, Any], path: KeyPath) -> tuple[TestCommand, ...]:
    found: list[TestCommand] = []
    for i, item in _array_of_tables(r, table, path, "tests"):
        key: KeyPath = (*path, "tests", i)
        check_keys(r, item, key, TEST_KEYS)
        before = len(r.problems)
        name = _name(r, item, key)
        command = _command(r, item, key, "command", TEST_PLACEHOLDERS, required=True)
        test = TestCommand(
            name=name or "",
            command=command or (),
            env=_env(r, item, key, TEST_PLACEHOLDERS),
            cwd=_relative(r, item, key, "cwd"),
            timeout_seconds=_seconds(r, item, key, "timeout_seconds", 600.0),
        )
        if len(r.problems) != before:
            continue
        if test.name in {t.name for t in found}:
            r.add((*key, "name"), f"test command {test.name!r} is declared twice")
            continue
        found.append(test)
    return tuple(found)


def _replicas(r: Reporter, table: dict[str, Any], path: KeyPath) -> int:
    """The doctrine runs 2-3 replicas of each service: fewer is looser, more is not 2-3."""
    if "replicas" not in table:
        return MIN_REPLICAS
    key = (*path, "replicas")
    value = table["replicas"]
    if isinstance(value, bool) or not isinstance(value, int):
        r.add(
            key,
            f"expected an integer from {MIN_REPLICAS} to {MAX_REPLICAS}, found {describe(value)}",
        )
        return MIN_REPLICAS
    if value < MIN_REPLICAS:
        r.add(
            key,
            f"{value} is looser than the doctrine's {MIN_REPLICAS}-{MAX_REPLICAS} replicas "
            "(a policy may only be stricter)",
        )
        return MIN_REPLICAS
    if value > MAX_REPLICAS:
        r.add(
            key,
            f"expected {MIN_REPLICAS} to {MAX_REPLICAS} replicas (the doctrine's), found {value}",
        )
        return MAX_REPLICAS
    return value


# -- images -------------------------------------------------------------------------


def _images(
    r: Reporter, table: dict[str, Any], path: KeyPath, topology: Topology
) -> dict[str, str]:
    """Image references by name; each must be pinned by digest and name a known part."""
    raw = _optional_table(r, table.get("images"), (*path, "images"))
    if raw is None:
        return {}
    # every declared service name counts, even one whose entry has problems of its own
    declared = [s.get("name") for s in table.get("services", []) if isinstance(s, dict)]
    known = (*DEPENDENCY_IMAGES, *(n for n in declared if isinstance(n, str)))
    check_keys(r, raw, (*path, "images"), known)
    images: dict[str, str] = {}
    for name, value in raw.items():
        key = (*path, "images", name)
        ref = as_string(r, value, key, "an image pinned by digest (repo@sha256:...)")
        if ref is None or name not in known:
            continue
        own = name in declared and image_tagged(ref)  # a service's image, built here
        if not image_pinned(ref) and not own:
            r.add(key, f"image {ref!r} is not pinned by digest; expected repo@sha256:<64 hex>")
            continue
        images[name] = ref
    return dict(sorted(images.items()))


# -- typed values ---------------------------------------------------------------------


def _optional_table(r: Reporter, raw: object, path: KeyPath) -> dict[str, Any] | None:
    return None if raw is None else as_table(r, raw, path)


def _array_of_tables(
    r: Reporter, table: dict[str, Any], path: KeyPath, name: str
) -> list[tuple[int, dict[str, Any]]]:
    if name not in table:
        return []
    value = table[name]
    if not isinstance(value, list):
        found = describe(value)
        r.add((*path, name), f"expected an array of tables ([[topology.{name}]]), found {found}")
        return []
    items = [(i, as_table(r, item, (*path, name, i))) for i, item in enumerate(value)]
    return [(i, item) for i, item in items if item is not None]


def _name(r: Reporter, table: dict[str, Any], path: KeyPath) -> str | None:
    if "name" not in table:
        r.add((*path, "name"), "missing; expected a name such as 'arqonbus'")
        return None
    name = as_string(r, table["name"], (*path, "name"), "a name such as 'arqonbus'")
    if name is not None and not _NAME.fullmatch(name):
        r.add(
            (*path, "name"),
            f"expected a lower-case name of letters, digits and '-' (a DNS label), found {name!r}",
        )
        return None
    return name


def _command(
    r: Reporter,
    table: dict[str, Any],
    path: KeyPath,
    key: str,
    allowed: tuple[str, ...],
    *,
    required: bool,
) -> tuple[str, ...] | None:
    if key not in table:
        if required:
            r.add((*path, key), "missing; expected the command as an array of strings")
        return None
    items = as_strings(r, table[key], (*path, key))
    if items is not None and not items:
        r.add((*path, key), "expected a non-empty array of strings (the command)")
        return None
    for i, item in enumerate(items or ()):
        _placeholders(r, item, (*path, key, i), allowed)
    return items


def _placeholders(r: Reporter, text: str, key: KeyPath, allowed: tuple[str, ...]) -> None:
    for name in placeholders_in(text):
        if name not in allowed:
            known = ", ".join("{" + a + "}" for a in allowed) or "none"
            r.add(key, f"unknown placeholder {{{name}}}; expected one of: {known}")


def _env(
    r: Reporter, table: dict[str, Any], path: KeyPath, allowed: tuple[str, ...]
) -> dict[str, str]:
    if "env" not in table:
        return {}
    raw = as_table(r, table["env"], (*path, "env"))
    env: dict[str, str] = {}
    for name, value in (raw or {}).items():
        key = (*path, "env", name)
        if not _ENV_NAME.fullmatch(name):
            r.add(key, f"expected an environment variable name, found {name!r}")
        elif not isinstance(value, str):
            r.add(key, f"expected a string, found {describe(value)}")
        else:
            _placeholders(r, value, key, allowed)
            env[name] = value
    return dict(sorted(env.items()))


def _env_name(r: Reporter, table: dict[str, Any], path: KeyPath, key: str, default: str) -> str:
    if key not in table:
        return default
    value = as_string(r, table[key], (*path, key), "an environment variable name")
    if value is not None and not _ENV_NAME.fullmatch(value):
        r.add((*path, key), f"expected an environment variable name, found {value!r}")
        return default
    return value or default


def _url_path(
    r: Reporter, table: dict[str, Any], path: KeyPath, key: str, default: str, *, required: bool
) -> str:
    if key not in table:
        return default
    value = table[key]
    if value == "" and not required:
        return ""
    text = as_string(r, value, (*path, key), "an HTTP path such as '/health'")
    if text is not None and not _URL_PATH.fullmatch(text):
        r.add((*path, key), f"expected an HTTP path starting with '/', found {text!r}")
        return default
    return text or default


def _scheme(r: Reporter, table: dict[str, Any], path: KeyPath) -> str:
    if "scheme" not in table:
        return "http"
    value = table["scheme"]
    if value not in SCHEMES:
        r.add((*path, "scheme"), f"expected one of {', '.join(SCHEMES)}, found {value!r}")
        return "http"
    return str(value)


def _relative(r: Reporter, table: dict[str, Any], path: KeyPath, key: str) -> str:
    if key not in table:
        return ""
    value = as_string(r, table[key], (*path, key), "a path relative to the repository root")
    if value is None:
        return ""
    if value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        r.add((*path, key), f"expected a path relative to the repository root, found {value!r}")
        return ""
    return value


def _flag(r: Reporter, table: dict[str, Any], path: KeyPath, key: str, default: bool) -> bool:
    if key not in table:
        return default
    value = table[key]
    if not isinstance(value, bool):
        r.add((*path, key), f"expected true or false, found {describe(value)}")
        return default
    return value


def _integer(
    r: Reporter, table: dict[str, Any], path: KeyPath, key: str, default: int, low: int, high: int
) -> int:
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        found = value if isinstance(value, int) and not isinstance(value, bool) else describe(value)
        r.add((*path, key), f"expected an integer from {low} to {high}, found {found}")
        return default
    return value


def _seconds(r: Reporter, table: dict[str, Any], path: KeyPath, key: str, default: float) -> float:
    if key not in table:
        return default
    value = as_positive(r, table[key], (*path, key))
    return default if value is None else value
