"""The topology as a Nomad job (HCL), in a namespace per pull request.

One group per NATS node (``nats-<i>``, registered in Consul under that name,
each on its own static ports so nodes may share a host; routes to every other
node by Consul DNS), one group each for Valkey and Postgres, and one group per
service with ``count`` = its replicas, an HTTP check on the health path, and
``REPLICA_ID`` from the allocation name. Images come pinned by digest. The
text is written by a small deterministic HCL emitter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from aces.runtime.render_common import (
    NATS_CLIENT_PORT,
    NATS_CLUSTER_PORT,
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

Value = str | int | bool | list[str] | dict[str, str]
_CONSUL = "service.consul"


@dataclass
class Block:
    """An HCL block: ``type "label" { attributes, nested blocks }``."""

    type: str
    labels: tuple[str, ...] = ()
    attrs: list[tuple[str, Value]] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def text(self, indent: int = 0) -> str:
        """The block as HCL, two spaces per level."""
        pad = "  " * indent
        head = " ".join([self.type, *(json.dumps(label) for label in self.labels)])
        lines = [f"{pad}{head} {{"]
        lines += [f"{pad}  {key} = {_value(value, indent + 1)}" for key, value in self.attrs]
        lines += [block.text(indent + 1) for block in self.blocks]
        lines.append(f"{pad}}}")
        return "\n".join(lines)


def _value(value: Value, indent: int) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    pad = "  " * indent
    body = [f"{pad}  {json.dumps(k)} = {json.dumps(v)}" for k, v in value.items()]
    return "{\n" + "\n".join(body) + f"\n{pad}}}"


def render(topology: Topology, *, root: Path, pr: int | None = None) -> str:
    """The Nomad job as HCL text."""
    require_services(topology)
    return job(topology, root=root, pr=pr).text() + "\n"


def job(topology: Topology, *, root: Path, pr: int | None = None) -> Block:
    """The job block."""
    ns = namespace(pr)
    groups = [_nats_group(topology, i) for i in range(topology.nats.nodes)]
    if topology.valkey.enabled:
        groups.append(_valkey_group(topology))
    if topology.postgres.enabled:
        groups.append(_postgres_group(topology, root))
    deps = dependency_env(
        topology,
        [f"nats-{i}.{_CONSUL}" for i in range(topology.nats.nodes)],
        f"valkey.{_CONSUL}",
        f"postgres.{_CONSUL}",
    )
    groups += [_service_group(topology, spec, deps) for spec in topology.services]
    attrs: list[tuple[str, Value]] = [
        ("namespace", ns),
        ("type", "service"),
        ("datacenters", ["dc1"]),
    ]
    return Block("job", (ns,), attrs, groups)


def _ports(named: dict[str, int], static: bool) -> Block:
    kind = "static" if static else "to"
    return Block("network", (), [], [Block("port", (n,), [(kind, p)]) for n, p in named.items()])


def _task(
    name: str,
    ref: str,
    args: list[str],
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> Block:
    config: list[tuple[str, Value]] = [("image", ref)]
    if command:
        config.append(("command", command[0]))
    if args:
        config.append(("args", args))
    blocks = [Block("config", (), config)]
    if env:
        blocks.append(Block("env", (), [(k, v) for k, v in env.items()]))
    return Block("task", (name,), [("driver", "docker")], blocks)


def _nats_group(topology: Topology, node: int) -> Block:
    nodes = topology.nats.nodes
    # static ports, distinct per node, so several nodes fit on one client host
    ports = {
        "client": NATS_CLIENT_PORT + node,
        "cluster": NATS_CLUSTER_PORT + node,
        "monitor": NATS_MONITOR_PORT + node,
    }
    args = nats_args(
        node,
        nodes,
        jetstream=topology.nats.jetstream,
        route_host=lambda i: f"nats-{i}.{_CONSUL}",
        cluster_port=lambda i: NATS_CLUSTER_PORT + i,
    )
    args[args.index("-p") + 1] = str(ports["client"])
    args[args.index("-m") + 1] = str(ports["monitor"])
    check = Block(
        "check", (), [("type", "http"), ("path", "/healthz"), ("interval", "2s"), ("timeout", "1s")]
    )
    service = Block("service", (), [("name", f"nats-{node}"), ("port", "client")], [])
    monitor = Block("service", (), [("name", f"nats-{node}-monitor"), ("port", "monitor")], [check])
    return Block(
        "group",
        (f"nats-{node}",),
        [("count", 1)],
        [_ports(ports, True), service, monitor, _task("nats", image(topology, "nats"), args)],
    )


def _valkey_group(topology: Topology) -> Block:
    check = Block("check", (), [("type", "tcp"), ("interval", "2s"), ("timeout", "1s")])
    service = Block("service", (), [("name", "valkey"), ("port", "valkey")], [check])
    task = _task("valkey", image(topology, "valkey"), ["--save", "", "--appendonly", "no"])
    return Block(
        "group",
        ("valkey",),
        [("count", 1)],
        [_ports({"valkey": VALKEY_PORT}, True), service, task],
    )


def _postgres_group(topology: Topology, root: Path) -> Block:
    database = topology.postgres.database
    env = {
        "POSTGRES_DB": database,
        "POSTGRES_HOST_AUTH_METHOD": "trust",
        "POSTGRES_USER": DATABASE_USER,
    }
    task = _task("postgres", image(topology, "postgres"), [], env)
    for migration in migrations(topology, root):
        # the postgres image runs /docker-entrypoint-initdb.d/*.sql in name order
        task.blocks.append(
            Block(
                "template",
                (),
                [
                    ("destination", f"local/initdb/{migration.name}"),
                    ("data", migration.sql),
                ],
            )
        )
    check = Block("check", (), [("type", "tcp"), ("interval", "2s"), ("timeout", "1s")])
    service = Block("service", (), [("name", "postgres"), ("port", "postgres")], [check])
    return Block(
        "group",
        ("postgres",),
        [("count", 1)],
        [_ports({"postgres": POSTGRES_PORT}, True), service, task],
    )


def _service_group(topology: Topology, spec: ServiceSpec, deps: dict[str, str]) -> Block:
    env = service_env(spec, deps, "${NOMAD_ALLOC_NAME}")
    check = Block(
        "check",
        (),
        [("type", "http"), ("path", spec.health_path), ("interval", "2s"), ("timeout", "1s")],
    )
    service_attrs: list[tuple[str, Value]] = [("name", spec.name), ("port", "http")]
    if spec.metrics_path:
        service_attrs.append(("meta", {"metrics_path": spec.metrics_path}))
    service = Block("service", (), service_attrs, [check])
    argv = container_command(spec, "${NOMAD_ALLOC_NAME}")
    task = _task(spec.name, image(topology, spec.name), argv[1:], env, command=argv[:1])
    return Block(
        "group",
        (spec.name,),
        [("count", spec.replicas)],
        [_ports({"http": spec.container_port}, False), service, task],
    )
