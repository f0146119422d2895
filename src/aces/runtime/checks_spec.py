"""What stage 6's checks ask of the live bus: ``[topology.checks]`` of the policy.

Plain data (no I/O): how much traffic each workload makes, what the bus promises
(delivery semantics, the memory bound, how it answers an overload) and where each
tenant's data must live in the infrastructure (NATS subject, Valkey key and
Postgres row patterns, ``{tenant}`` marking the tenant's part).
"""

from __future__ import annotations

from dataclasses import dataclass

DELIVERY_SEMANTICS: tuple[str, ...] = ("at-most-once", "at-least-once")
OVERLOAD_RESPONSES: tuple[str, ...] = ("signal", "cut", "either")


@dataclass(frozen=True)
class ChecksSpec:
    """The settings of the ``topo.*`` checks (docs/stage6-topology.md)."""

    tenants: int = 3  # K tenants of the isolation workload
    messages: int = 30  # per producer and workload
    delivery: str = "at-most-once"  # at-least-once allows duplicates
    settle_seconds: float = 2.0  # quiet time that ends a drain; delivery grace
    memory_bound_mb: int = 256  # resident memory a replica may reach under a flood
    overload: str = "either"  # signal | cut | either: what a flood must get
    flood_messages: int = 3000
    flood_payload_bytes: int = 16384
    nats_subject_pattern: str = "arqonbus.{tenant}.>"
    valkey_key_pattern: str = "arqonbus:{tenant}:*"
    postgres_tables: tuple[str, ...] = ("messages",)
    postgres_tenant_column: str = "tenant"
    service: str = ""  # the service under test ("" is the first of [[topology.services]])
