"""[topology] in aces.toml: the model it builds and every problem at its file:line and key."""

from __future__ import annotations

import pytest

from aces.policy.loader import parse_policy
from aces.policy.problems import PolicyFileError
from aces.runtime.topology import (
    NatsSpec,
    PostgresSpec,
    ServiceSpec,
    TestCommand,
    Topology,
    ValkeySpec,
    service_env_names,
)

DIGEST = "sha256:" + "ab" * 32
GOOD = f"""policy_version = "1.0.0"
[topology.nats]
nodes = 3
jetstream = true
[topology.postgres]
database = "bus"
migrations = "migrations"
[[topology.services]]
name = "arqonbus"
command = ["{{python}}", "-m", "arqonbus", "--port", "{{port}}"]
replicas = 3
env = {{ LOG = "json", NODE = "{{replica_id}}" }}
metrics_path = "/metrics"
scheme = "ws"
[[topology.tests]]
name = "e2e"
command = ["{{python}}", "-m", "pytest", "tests/e2e"]
[topology.images]
nats = "nats@{DIGEST}"
arqonbus = "ghcr.io/arqon/bus@{DIGEST}"
"""


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyFileError) as caught:
        parse_policy(text.encode(), "aces.toml")
    return caught.value.lines()


def test_a_full_section_builds_the_model() -> None:
    topology = parse_policy(GOOD.encode(), "aces.toml").topology
    assert topology == Topology(
        declared=True,
        nats=NatsSpec(nodes=3, jetstream=True),
        valkey=ValkeySpec(enabled=True),
        postgres=PostgresSpec(enabled=True, database="bus", migrations="migrations"),
        services=(
            ServiceSpec(
                name="arqonbus",
                command=("{python}", "-m", "arqonbus", "--port", "{port}"),
                replicas=3,
                env={"LOG": "json", "NODE": "{replica_id}"},
                metrics_path="/metrics",
                scheme="ws",
            ),
        ),
        tests=(TestCommand(name="e2e", command=("{python}", "-m", "pytest", "tests/e2e")),),
        images={"arqonbus": f"ghcr.io/arqon/bus@{DIGEST}", "nats": f"nats@{DIGEST}"},
    )
    assert service_env_names(topology, topology.services[0]) == (
        "DATABASE_URL", "HOST", "LOG", "NATS_URLS", "NODE", "PORT", "REDIS_URL",
        "REPLICA_ID", "VALKEY_URL",
    )  # fmt: skip


def test_no_section_means_no_declared_topology() -> None:
    assert parse_policy(b'policy_version = "1.0.0"\n', "aces.toml").topology == Topology()


def test_one_replica_is_looser_than_the_doctrine() -> None:
    text = GOOD.replace("replicas = 3", "replicas = 1")
    assert problems(text) == [
        "aces.toml:11: topology.services[0].replicas: 1 is looser than the doctrine's 2-3 "
        "replicas (a policy may only be stricter)"
    ]


def test_more_than_three_replicas_is_not_the_doctrines_range() -> None:
    assert problems(GOOD.replace("replicas = 3", "replicas = 4")) == [
        "aces.toml:11: topology.services[0].replicas: expected 2 to 3 replicas (the doctrine's), "
        "found 4"
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("nodes = 3", "nodes = 6", "aces.toml:3: topology.nats.nodes: expected an integer from "
         "1 to 5, found 6"),
        ('"--port", "{port}"', '"--port", "{prot}"', "aces.toml:10: "
         "topology.services[0].command[4]: unknown placeholder {prot}; expected one of: "
         "{python}, {root}, {run_dir}, {port}, {replica_id}, {index}"),
        ('"tests/e2e"', '"{port}"', "aces.toml:17: topology.tests[0].command[3]: unknown "
         "placeholder {port}; expected one of: {python}, {root}, {run_dir}"),
        ("arqonbus", "arqon_bus", "aces.toml:9: topology.services[0].name: "
         "expected a lower-case name of letters, digits and '-' (a DNS label), found 'arqon_bus'"),
        ('scheme = "ws"', 'scheme = "tcp"', "aces.toml:14: topology.services[0].scheme: expected "
         "one of http, https, ws, wss, found 'tcp'"),
        (f'nats = "nats@{DIGEST}"', 'nats = "nats:2.10"', "aces.toml:19: topology.images.nats: "
         "image 'nats:2.10' is not pinned by digest; expected repo@sha256:<64 hex>"),
        (f'nats = "nats@{DIGEST}"', f'natz = "nats@{DIGEST}"', "aces.toml:19: "
         "topology.images.natz: unknown key; did you mean 'nats'?"),
        ('migrations = "migrations"', 'migrations = "../up"', "aces.toml:7: topology.postgres."
         "migrations: expected a path relative to the repository root, found '../up'"),
    ],
)  # fmt: skip
def test_bad_values_are_reported_at_their_line(old: str, new: str, expected: str) -> None:
    assert old in GOOD
    assert problems(GOOD.replace(old, new)) == [expected]


def test_an_image_for_no_part_of_the_topology_is_reported() -> None:
    text = GOOD.replace("arqonbus = ", "arqonbuss = ")
    assert problems(text) == [
        "aces.toml:20: topology.images.arqonbuss: unknown key; did you mean 'arqonbus'?"
    ]


def test_a_service_without_command_is_reported() -> None:
    text = GOOD.replace('command = ["{python}", "-m", "arqonbus", "--port", "{port}"]\n', "")
    assert problems(text) == [
        "aces.toml:8: topology.services[0].command: missing; expected the command as an array "
        "of strings"
    ]
