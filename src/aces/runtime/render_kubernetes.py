"""The topology as Kubernetes manifests: one namespace per pull request.

Objects, in order: the Namespace; NATS as a StatefulSet behind a headless
Service (stable names ``nats-<i>.nats`` for the routes of the full mesh,
readiness on ``/healthz``); Valkey and Postgres as single-replica Deployments
with Services (migrations in a ConfigMap mounted where the postgres image runs
them in name order); then, per service, a Deployment with the policy's replica
count and a readiness probe on the health path, and its Service. Images come
pinned by digest from ``[topology.images]``. The YAML is deterministic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from aces.runtime import topology as names
from aces.runtime.render_common import (
    MIGRATIONS_MOUNT,
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

Manifest = dict[str, Any]
_LABEL = "app.kubernetes.io/name"
_PART_OF = {"app.kubernetes.io/part-of": "aces"}


def render(topology: Topology, *, root: Path, pr: int | None = None) -> str:
    """Every manifest of the topology as one multi-document YAML text."""
    require_services(topology)
    docs = manifests(topology, root=root, pr=pr)
    return "".join(
        "---\n" + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False) for doc in docs
    )


def manifests(topology: Topology, *, root: Path, pr: int | None = None) -> list[Manifest]:
    """The manifests as plain data, in apply order."""
    ns = namespace(pr)
    docs: list[Manifest] = [_object("v1", "Namespace", ns, None)]
    docs += _nats(topology, ns)
    if topology.valkey.enabled:
        docs += _valkey(topology, ns)
    if topology.postgres.enabled:
        docs += _postgres(topology, ns, root)
    deps = dependency_env(
        topology,
        [f"nats-{i}.nats.{ns}.svc.cluster.local" for i in range(topology.nats.nodes)],
        f"valkey.{ns}.svc.cluster.local",
        f"postgres.{ns}.svc.cluster.local",
    )
    for spec in topology.services:
        docs += _service(topology, spec, ns, deps)
    return docs


def _object(api: str, kind: str, name: str, ns: str | None) -> Manifest:
    meta: dict[str, Any] = {"name": name}
    if ns is not None:
        meta["namespace"] = ns
    meta["labels"] = {_LABEL: name, **_PART_OF}
    return {"apiVersion": api, "kind": kind, "metadata": meta}


def _selector(name: str) -> dict[str, Any]:
    return {"matchLabels": {_LABEL: name}}


def _template(name: str, containers: list[Manifest], **spec: Any) -> Manifest:
    return {
        "metadata": {"labels": {_LABEL: name, **_PART_OF}},
        "spec": {"containers": containers, **spec},
    }


def _env(values: dict[str, str]) -> list[Manifest]:
    return [{"name": k, "value": v} for k, v in values.items()]


def _nats(topology: Topology, ns: str) -> list[Manifest]:
    nodes = topology.nats.nodes
    ports = [
        {"name": "client", "port": NATS_CLIENT_PORT},
        {"name": "cluster", "port": NATS_CLUSTER_PORT},
        {"name": "monitor", "port": NATS_MONITOR_PORT},
    ]
    service = _object("v1", "Service", "nats", ns)
    service["spec"] = {
        "clusterIP": "None",
        "publishNotReadyAddresses": True,  # routes must resolve before the mesh is ready
        "selector": {_LABEL: "nats"},
        "ports": ports,
    }
    # One pod template serves every node, so each lists routes to all nodes,
    # itself included: nats-server recognises and drops a route to itself.
    args = nats_args(
        0, nodes, jetstream=topology.nats.jetstream, route_host=lambda i: f"nats-{i}.nats"
    )
    args = _all_routes(args, nodes)
    container = {
        "name": "nats",
        "image": image(topology, "nats"),
        "args": args,
        "env": [{"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
        "ports": [{"name": p["name"], "containerPort": p["port"]} for p in ports],
        "readinessProbe": _http_probe("/healthz", NATS_MONITOR_PORT),
    }
    stateful = _object("apps/v1", "StatefulSet", "nats", ns)
    stateful["spec"] = {
        "serviceName": "nats",
        "replicas": nodes,
        "podManagementPolicy": "Parallel",
        "selector": _selector("nats"),
        "template": _template("nats", [container]),
    }
    return [service, stateful]


def _all_routes(args: list[str], nodes: int) -> list[str]:
    """Node 0's arguments made generic: its name from the pod, routes to every node."""
    out = list(args)
    out[out.index("-n") + 1] = "$(POD_NAME)"
    if "--routes" in out:
        out[out.index("--routes") + 1] = ",".join(
            f"nats://nats-{i}.nats:{NATS_CLUSTER_PORT}" for i in range(nodes)
        )
    return out


def _http_probe(path: str, port: int) -> Manifest:
    return {"httpGet": {"path": path, "port": port}, "periodSeconds": 2, "timeoutSeconds": 1}


def _simple(
    topology: Topology, ns: str, name: str, container: Manifest, port: int, **pod: Any
) -> list[Manifest]:
    deployment = _object("apps/v1", "Deployment", name, ns)
    deployment["spec"] = {
        "replicas": 1,
        "selector": _selector(name),
        "template": _template(name, [container], **pod),
    }
    service = _object("v1", "Service", name, ns)
    service["spec"] = {"selector": {_LABEL: name}, "ports": [{"name": name, "port": port}]}
    return [deployment, service]


def _valkey(topology: Topology, ns: str) -> list[Manifest]:
    container = {
        "name": "valkey",
        "image": image(topology, "valkey"),
        "args": ["--save", "", "--appendonly", "no"],
        "ports": [{"containerPort": VALKEY_PORT}],
        "readinessProbe": {"tcpSocket": {"port": VALKEY_PORT}, "periodSeconds": 2},
    }
    return _simple(topology, ns, "valkey", container, VALKEY_PORT)


def _postgres(topology: Topology, ns: str, root: Path) -> list[Manifest]:
    database = topology.postgres.database
    container: Manifest = {
        "name": "postgres",
        "image": image(topology, "postgres"),
        "env": _env(
            {
                "POSTGRES_DB": database,
                "POSTGRES_USER": DATABASE_USER,
                "POSTGRES_HOST_AUTH_METHOD": "trust",
            }
        ),
        "ports": [{"containerPort": POSTGRES_PORT}],
        "readinessProbe": {
            "exec": {"command": ["pg_isready", "-U", DATABASE_USER, "-d", database]},
            "periodSeconds": 2,
        },
    }
    docs: list[Manifest] = []
    pod: dict[str, Any] = {}
    files = migrations(topology, root)
    if files:
        config = _object("v1", "ConfigMap", "postgres-migrations", ns)
        config["data"] = {m.name: m.sql for m in files}
        docs.append(config)
        container["volumeMounts"] = [{"name": "migrations", "mountPath": MIGRATIONS_MOUNT}]
        pod["volumes"] = [{"name": "migrations", "configMap": {"name": "postgres-migrations"}}]
    return docs + _simple(topology, ns, "postgres", container, POSTGRES_PORT, **pod)


def _service(
    topology: Topology, spec: ServiceSpec, ns: str, deps: dict[str, str]
) -> list[Manifest]:
    env = service_env(spec, deps, "$(REPLICA_ID)")
    del env[names.REPLICA_ID]
    container: Manifest = {
        "name": spec.name,
        "image": image(topology, spec.name),
        # REPLICA_ID first: later values may refer to it as $(REPLICA_ID)
        "env": [
            {"name": names.REPLICA_ID, "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            *_env(env),
        ],
        "ports": [{"name": "http", "containerPort": spec.container_port}],
        "readinessProbe": _http_probe(spec.health_path, spec.container_port),
    }
    command = container_command(spec, "$(REPLICA_ID)")
    if command:
        container["command"] = command
    deployment = _object("apps/v1", "Deployment", spec.name, ns)
    deployment["spec"] = {
        "replicas": spec.replicas,
        "selector": _selector(spec.name),
        "template": _template(spec.name, [container]),
    }
    if spec.metrics_path:
        deployment["spec"]["template"]["metadata"]["annotations"] = {
            "prometheus.io/scrape": "true",
            "prometheus.io/path": spec.metrics_path,
            "prometheus.io/port": str(spec.container_port),
        }
    service = _object("v1", "Service", spec.name, ns)
    service["spec"] = {
        "selector": {_LABEL: spec.name},
        "ports": [{"name": "http", "port": spec.container_port}],
    }
    return [deployment, service]
