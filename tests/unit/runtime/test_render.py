"""Rendered manifests parse, are deterministic, pin images and mirror the local topology."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from aces.errors import PolicyError
from aces.runtime import render_compose, render_kubernetes, render_nomad
from aces.runtime.topology import (
    NatsSpec,
    PostgresSpec,
    ServiceSpec,
    Topology,
    service_env_names,
)

DIGEST = "sha256:" + "0f" * 32
IMAGES = {
    "nats": f"nats@{DIGEST}",
    "valkey": f"valkey/valkey@{DIGEST}",
    "postgres": f"postgres@{DIGEST}",
    "bus": f"ghcr.io/x/bus@{DIGEST}",
    "gate": f"ghcr.io/x/gate@{DIGEST}",
}


def topology() -> Topology:
    return Topology(
        declared=True,
        nats=NatsSpec(nodes=3, jetstream=True),
        postgres=PostgresSpec(database="bus", migrations="migrations"),
        services=(
            ServiceSpec(
                name="bus",
                command=("{python}", "-m", "bus"),
                replicas=3,
                env={"LOG": "json"},
                metrics_path="/metrics",
                image_command=("python3", "-m", "bus", "--id", "{replica_id}"),
            ),
            ServiceSpec(name="gate", command=("gate",), replicas=2, health_path="/ready"),
        ),
        images=IMAGES,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "002_b.sql").write_text("SELECT 2;\n")
    (tmp_path / "migrations" / "001_a.sql").write_text("SELECT 1;\n")
    return tmp_path


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_kubernetes_mirrors_the_topology(root: Path) -> None:
    text = render_kubernetes.render(topology(), root=root, pr=42)
    docs = list(yaml.safe_load_all(text))
    assert [d["kind"] for d in docs] == [
        "Namespace", "Service", "StatefulSet", "Deployment", "Service", "ConfigMap",
        "Deployment", "Service", "Deployment", "Service", "Deployment", "Service",
    ]  # fmt: skip
    assert {d["metadata"].get("namespace", "aces-pr-42") for d in docs} == {"aces-pr-42"}
    assert docs[0]["metadata"]["name"] == "aces-pr-42"
    nats = by_kind(docs, "StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    assert by_kind(docs, "Service")["nats"]["spec"]["clusterIP"] == "None"
    args = nats["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[args.index("--routes") + 1] == (
        "nats://nats-0.nats:6222,nats://nats-1.nats:6222,nats://nats-2.nats:6222"
    )
    assert "-js" in args
    deployments = by_kind(docs, "Deployment")
    for spec in topology().services:
        container = deployments[spec.name]["spec"]["template"]["spec"]["containers"][0]
        assert deployments[spec.name]["spec"]["replicas"] == spec.replicas
        assert tuple(sorted(e["name"] for e in container["env"])) == service_env_names(
            topology(), spec
        )
        assert container["readinessProbe"]["httpGet"] == {"path": spec.health_path, "port": 8080}
        assert container["image"] == IMAGES[spec.name]
    env = {e["name"]: e.get("value") for e in deployments["bus"]["spec"]["template"]["spec"]
           ["containers"][0]["env"]}  # fmt: skip
    assert env["NATS_URLS"] == ",".join(
        f"nats://nats-{i}.nats.aces-pr-42.svc.cluster.local:4222" for i in range(3)
    )
    assert env["DATABASE_URL"] == "postgresql://aces@postgres.aces-pr-42.svc.cluster.local:5432/bus"
    assert by_kind(docs, "ConfigMap")["postgres-migrations"]["data"] == {
        "001_a.sql": "SELECT 1;\n",
        "002_b.sql": "SELECT 2;\n",
    }
    images = re.findall(r"image: (\S+)", text)
    assert images and all("@sha256:" in ref for ref in images)


def test_compose_runs_each_replica_as_its_own_service(root: Path) -> None:
    doc = yaml.safe_load(render_compose.render(topology(), root=root, pr=7))
    assert doc["name"] == "aces-pr-7"
    assert list(doc["services"]) == [
        "nats-0", "nats-1", "nats-2", "valkey", "postgres",
        "bus-0", "bus-1", "bus-2", "gate-0", "gate-1",
    ]  # fmt: skip
    bus1 = doc["services"]["bus-1"]
    assert tuple(bus1["environment"]) == service_env_names(topology(), topology().services[0])
    assert bus1["environment"]["REPLICA_ID"] == "bus-1"
    assert bus1["command"] == ["python3", "-m", "bus", "--id", "bus-1"]
    assert bus1["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert "/health" in bus1["healthcheck"]["test"][1]
    assert doc["services"]["postgres"]["volumes"] == ["./migrations:/docker-entrypoint-initdb.d:ro"]


def _hcl_groups(text: str) -> dict[str, int]:
    """group name -> count, after checking the braces balance (a structural check)."""
    depth = 0
    for char in re.sub(r'"(?:[^"\\]|\\.)*"', '""', text):
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0
    return {m[0]: int(m[1]) for m in re.findall(r'group "([^"]+)" \{\s*count = (\d+)', text)}


def test_nomad_job_has_one_group_per_part_with_the_counts(root: Path) -> None:
    text = render_nomad.render(topology(), root=root, pr=3)
    assert text.startswith('job "aces-pr-3" {\n  namespace = "aces-pr-3"\n')
    assert _hcl_groups(text) == {
        "nats-0": 1, "nats-1": 1, "nats-2": 1, "valkey": 1, "postgres": 1, "bus": 3, "gate": 2,
    }  # fmt: skip
    assert 'REPLICA_ID = "${NOMAD_ALLOC_NAME}"' in text
    assert 'path = "/ready"' in text
    assert "nats://nats-1.service.consul:6223,nats://nats-2.service.consul:6224" in text
    for name in service_env_names(topology(), topology().services[0]):
        assert f"        {name} = " in text
    assert text.count('destination = "local/initdb/') == 2


@pytest.mark.parametrize("module", [render_kubernetes, render_nomad, render_compose])
def test_output_is_deterministic_and_unpinned_images_are_refused(
    module: object, root: Path
) -> None:
    render = module.render  # type: ignore[attr-defined]
    assert render(topology(), root=root, pr=1) == render(topology(), root=root, pr=1)
    images = {k: v for k, v in IMAGES.items() if k != "gate"}
    missing = Topology(**{**topology().__dict__, "images": images})
    with pytest.raises(PolicyError) as caught:
        render(missing, root=root, pr=1)
    assert caught.value.message == (
        "topology.images.gate: missing; a rendered topology pins every image by digest"
    )


def test_a_topology_without_services_is_refused(root: Path) -> None:
    with pytest.raises(PolicyError, match="declares no services"):
        render_kubernetes.render(Topology(), root=root)
