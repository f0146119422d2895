"""Stage 6: Integration & Topology Tests, on a live topology.

One Environment per run (NATS cluster, Valkey, Postgres, 2-3 replicas of the
service; ``aces.runtime.provider_local``) is started by the first check that
needs it and shared through ``ctx.memo``; the runner closes it when the stage
ends (``ctx.resources``). Checks run in parallel threads, so each workload
holds the environment's lock while it drives traffic: one workload at a time.
Each workload's history is written to ``<check>.jsonl`` in the run's ``histories``
directory (``aces.workspace.rundirs``: ``.aces/histories`` in CI) and judged by
the history checkers (``aces.engines.history``); findings name the offending
message ids and point at the history line that first mentions one.
"""

from __future__ import annotations

import re
import tarfile
import threading
from abc import abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from aces.engines.history import (
    BackpressurePolicy,
    History,
    Op,
    Semantics,
    Violation,
    build_index,
    check_backpressure,
    check_divergence,
    check_isolation,
    check_multi_node,
    check_ordering,
    uncovered_replica_pairs,
    write_history,
)
from aces.errors import AcesError, ToolError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.runtime import workloads
from aces.runtime.checks_spec import ChecksSpec
from aces.runtime.driver import Driver, load_driver
from aces.runtime.provider_local import Environment
from aces.runtime.topology import MAX_REPLICAS, MIN_REPLICAS, ServiceSpec, Topology, expand
from aces.workspace.rundirs import HISTORIES, run_dir
from aces.workspace.scratch import make_scratch

POLICY_FILE = "aces.toml"
_ENV_KEY = "stage6.environment"


@dataclass
class Shared:
    """The run's environment, the lock workloads take, and the driver; or why it is missing."""

    env: Environment | None
    error: AcesError | None
    lock: threading.Lock
    driver: Driver | None = None
    spec: ServiceSpec | None = None


def _topology(ctx: RunContext) -> Topology:
    return ctx.policy.topology


def _not_declared(ctx: RunContext) -> NotApplicable | None:
    if not _topology(ctx).declared or not _topology(ctx).services:
        return NotApplicable(
            "the policy declares no [topology] with [[topology.services]]",
            enable=("topology.services",),
        )
    return None


def shared(ctx: RunContext) -> Shared:
    """The environment of this run, started once; a failure to start is kept and re-raised."""
    return ctx.memo.get(_ENV_KEY, lambda: _start(ctx))


def _start(ctx: RunContext) -> Shared:
    topology = _topology(ctx)
    env = Environment(
        topology,
        root=ctx.workspace.root,
        runner=ctx.processes,
        handle_signals=False,
        pins=ctx.policy.toolchain,
    )
    lock = threading.Lock()
    try:
        env.up()
    except AcesError as exc:
        return Shared(None, exc, lock)
    ctx.resources.add(env.down)
    spec = _service(topology)
    try:
        port = env.replica(0, service=spec.name).port
        driver = load_driver(
            topology.driver, env.replica_env(spec, 0, port), root=ctx.workspace.root
        )
    except AcesError as exc:
        return Shared(env, exc, lock)
    return Shared(env, None, lock, driver, spec)


def _service(topology: Topology) -> ServiceSpec:
    name = topology.checks.service
    return topology.service(name) if name else topology.services[0]


def _ready(ctx: RunContext) -> tuple[Environment, Driver, ServiceSpec, threading.Lock]:
    found = shared(ctx)
    if found.error is not None:
        raise found.error
    assert found.env is not None and found.driver is not None and found.spec is not None
    return found.env, found.driver, found.spec, found.lock


def _history_file(ctx: RunContext, check_id: str) -> str:
    """Where a workload's history goes: relative to the root when inside it, else absolute."""
    ws = ctx.workspace
    path = run_dir(ws.root, HISTORIES, is_git=ws.is_git) / f"{check_id}.jsonl"
    return path.relative_to(ws.root).as_posix() if path.is_relative_to(ws.root) else str(path)


def _settings(ctx: RunContext, name: str) -> workloads.Settings:
    checks = _topology(ctx).checks
    digest = ctx.inputs_digest()[:6]
    return workloads.Settings(
        tenants=checks.tenants,
        messages=checks.messages,
        settle_seconds=checks.settle_seconds,
        flood_messages=checks.flood_messages,
        flood_payload_bytes=checks.flood_payload_bytes,
        run_id=f"{name[:4]}{digest}",
    )


def _semantics(checks: ChecksSpec) -> Semantics:
    return Semantics(
        at_least_once=checks.delivery == "at-least-once",
        settle_ns=int(checks.settle_seconds * 1e9),
    )


class TopoCheck(Check):
    """Shared machinery of the workload checks: run, record, check the replicas, judge."""

    stage = 6
    tools = ("nats-server", "valkey", "postgres")

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Only with a declared topology."""
        return _not_declared(ctx)

    def run(self, ctx: RunContext) -> Iterable[Finding]:
        """Drive the workload under the environment's lock, save its history, judge it."""
        env, driver, spec, lock = _ready(ctx)
        endpoints = tuple(workloads.Endpoint(r.replica_id, r.url) for r in env.replicas(spec.name))
        with lock:
            env.check_alive()
            try:
                ops = workloads.run(self.workload(ctx, env, driver, endpoints))
            except workloads.WorkloadError as exc:
                env.check_alive()  # a crashed replica explains it better, with its log
                raise ToolError(f"{self.id}: the workload could not run: {exc}") from exc
            env.check_alive()
        rel = _history_file(ctx, self.id)
        write_history(ctx.workspace.root / rel, ops)
        history = History(tuple(op._replace(line=i) for i, op in enumerate(ops, 1)), rel)
        return [self._finding(history, v) for v in self.judge(ctx, history, endpoints)]

    @abstractmethod
    def workload(
        self,
        ctx: RunContext,
        env: Environment,
        driver: Driver,
        endpoints: tuple[workloads.Endpoint, ...],
    ) -> Awaitable[list[Op]]:
        """The coroutine that drives the bus and returns its operations."""

    @abstractmethod
    def judge(
        self, ctx: RunContext, history: History, endpoints: tuple[workloads.Endpoint, ...]
    ) -> list[Violation]:
        """The violations in the recorded history."""

    def _finding(self, history: History, violation: Violation) -> Finding:
        line = _first_line(history, set(violation.ids))
        if PurePosixPath(history.source).is_absolute():
            # the history lives outside the repository (a run outside CI): no report can
            # point at it as a repository file, so the message names where it is
            where = f"{history.source}:{line}" if line is not None else history.source
            return self.finding(
                f"{violation.message} (history: {where})",
                None,
                rule_id=violation.rule,
                key=violation.key,
            )
        return self.finding(
            violation.message,
            Location(history.source, line),
            rule_id=violation.rule,
            key=violation.key,
        )


def _first_line(history: History, ids: set[str]) -> int | None:
    if not ids:
        return None
    for op in history.ops:
        if op.value.get("id") in ids or ids.intersection(op.value.get("markers", ())):
            return op.line
    return None


class MultiNode(TopoCheck):
    """Messages published through each replica reach subscribers on every other replica.

    A consumer and a producer on every replica share one topic; every acknowledged
    message must reach the consumers on the other replicas. Findings:
    ``topo.multi-node.undelivered`` with the message ids that never crossed.
    """

    id = "topo.multi-node"
    clauses = ("topo.multi-node",)
    title = "Multi-node communication"
    remedy = "fan messages out between replicas (NATS subjects every replica subscribes to)"

    def workload(self, ctx, env, driver, endpoints):  # type: ignore[no-untyped-def]
        """All-to-all traffic."""
        return workloads.multi_node(driver, endpoints, _settings(ctx, self.id))

    def judge(self, ctx, history, endpoints):  # type: ignore[no-untyped-def]
        """Undelivered cross-replica messages; an untested pair makes the check ERROR."""
        index = build_index(history)
        missing = uncovered_replica_pairs(index, tuple(e.replica_id for e in endpoints))
        violations = check_multi_node(index, _semantics(_topology(ctx).checks))
        if missing and not violations:
            pairs = ", ".join(f"{a}->{b}" for a, b in missing)
            raise ToolError(f"the workload never tested the replica pairs {pairs}")
        return violations


class Ordering(TopoCheck):
    """Per producer and topic, every consumer gets messages in publish order, none lost.

    Rules: ``topo.ordering.reorder``, ``.lost`` (an acknowledged message a listening
    consumer never got), ``.duplicate`` (unless ``delivery = "at-least-once"``),
    ``.phantom`` and ``.failed-delivered``.
    """

    id = "topo.ordering"
    clauses = ("topo.ordering",)
    title = "Ordering, loss and duplicates"
    remedy = "deliver each producer's messages on one ordered path; ack only what is stored"

    def workload(self, ctx, env, driver, endpoints):  # type: ignore[no-untyped-def]
        """Producers on every replica publish in sequence."""
        return workloads.ordering(driver, endpoints, _settings(ctx, self.id))

    def judge(self, ctx, history, endpoints):  # type: ignore[no-untyped-def]
        """Order, loss and duplicates."""
        return check_ordering(build_index(history), _semantics(_topology(ctx).checks))


class Divergence(TopoCheck):
    """Consumers on different replicas see the same messages; state queries agree.

    Rules: ``topo.divergence.deliveries`` (messages some replicas delivered and one
    did not) and ``topo.divergence.state`` (history / channel queries that differ).
    """

    id = "topo.divergence"
    clauses = ("topo.divergence",)
    title = "Replicas do not diverge"
    remedy = "serve every replica from the same stream and the same store"

    def workload(self, ctx, env, driver, endpoints):  # type: ignore[no-untyped-def]
        """All-to-all traffic, then history and channel queries on every replica."""
        return workloads.divergence(driver, endpoints, _settings(ctx, self.id))

    def judge(self, ctx, history, endpoints):  # type: ignore[no-untyped-def]
        """Compare deliveries and answers across replicas."""
        return check_divergence(build_index(history), _semantics(_topology(ctx).checks))


class TenantIsolation(TopoCheck):
    """K tenants on the same room and channel names never see each other's messages.

    Also taps the infrastructure: a NATS subscription to every subject, a Valkey
    key scan and the Postgres rows must show each tenant's markers (message and
    client ids) only inside that tenant's namespace (the policy's patterns).
    Rules: ``topo.tenant-isolation.leak``, ``.subscribe``, ``.infrastructure``.
    """

    id = "topo.tenant-isolation"
    clauses = ("topo.tenant-isolation",)
    title = "Multi-tenant isolation"
    remedy = "namespace every subject, key and row by tenant and check it on every path"

    def workload(self, ctx, env, driver, endpoints):  # type: ignore[no-untyped-def]
        """K tenants, taps on."""
        from aces.runtime.taps import InfrastructureTaps

        taps = InfrastructureTaps(env, _topology(ctx).checks)
        return workloads.isolation(driver, endpoints, _settings(ctx, self.id), taps)

    def judge(self, ctx, history, endpoints):  # type: ignore[no-untyped-def]
        """Leaks in deliveries, subscriptions and the taps."""
        checks = _topology(ctx).checks
        patterns = {
            "nats": checks.nats_subject_pattern,
            "valkey": checks.valkey_key_pattern,
            "postgres": "*." + checks.postgres_tenant_column + "={tenant}",
        }
        return check_isolation(build_index(history), patterns)


class Backpressure(TopoCheck):
    """A flood at a consumer that stopped reading keeps memory bounded and is answered.

    Resident memory of every replica stays under ``memory_bound_mb``; the publisher
    gets a backpressure signal or the slow consumer is cut (``overload``); normal
    traffic works right after. Rules: ``topo.backpressure.memory``,
    ``.unanswered``, ``.recovery``.
    """

    id = "topo.backpressure"
    clauses = ("topo.backpressure",)
    title = "Backpressure"
    remedy = "bound every per-session queue; signal the publisher or cut the slow consumer"

    def workload(self, ctx, env, driver, endpoints):  # type: ignore[no-untyped-def]
        """Flood a paused consumer while sampling memory."""
        spec = _service(_topology(ctx))
        return workloads.backpressure(
            driver,
            endpoints,
            _settings(ctx, self.id),
            lambda i: env.rss_bytes(i, service=spec.name),
        )

    def judge(self, ctx, history, endpoints):  # type: ignore[no-untyped-def]
        """Memory, answer and recovery."""
        checks = _topology(ctx).checks
        policy = BackpressurePolicy(checks.memory_bound_mb * 1024 * 1024, checks.overload)
        return check_backpressure(build_index(history), policy)


class UpgradeDowngrade(TopoCheck):
    """The base version and the head version roll replica by replica under traffic.

    The base ref's tree (``git archive``) runs in a temporary directory; each replica
    is stopped and started as the base version (downgrade), then as the head version
    again (upgrade), while producers and consumers on every replica keep going.
    The ordering checker judges the whole roll (``topo.ordering.*`` rules under
    ``topo.upgrade-downgrade``); a replica that does not come back is ERROR.
    """

    id = "topo.upgrade-downgrade"
    clauses = ("topo.upgrade-downgrade",)
    title = "Upgrade and downgrade under traffic"
    remedy = "keep the wire format and the schema compatible across one version"

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Needs a topology and a base ref to roll from."""
        if ctx.change.base is None:
            return NotApplicable("no base ref (pass --base): there is no older version to roll")
        return _not_declared(ctx)

    def workload(self, ctx, env, driver, endpoints):  # type: ignore[no-untyped-def]
        """Roll head -> base -> head under traffic."""
        spec = _service(_topology(ctx))
        base_root = _base_tree(ctx)
        steps = [
            workloads.RollStep(i, "base", _restart(env, spec, i, base_root))
            for i in range(len(endpoints))
        ] + [
            workloads.RollStep(i, "head", _restart(env, spec, i, None))
            for i in range(len(endpoints))
        ]
        return workloads.roll(driver, endpoints, _settings(ctx, self.id), steps)

    def judge(self, ctx, history, endpoints):  # type: ignore[no-untyped-def]
        """Ordering, loss and duplicates across the roll."""
        found = check_ordering(build_index(history), _semantics(_topology(ctx).checks))
        return [
            Violation(v.rule.replace("topo.ordering", self.id), v.message, v.ids, v.key)
            for v in found
        ]


def _restart(
    env: Environment, spec: ServiceSpec, index: int, base_root: Path | None
) -> Callable[[], None]:
    """Stop replica ``index`` and start it as the base (``base_root``) or head version."""

    def restart() -> None:
        env.stop_replica(index, service=spec.name)
        if base_root is None:
            env.start_replica(index, service=spec.name)
            return
        values = {"root": str(base_root)}
        env.start_replica(
            index,
            service=spec.name,
            command=[expand(arg, values) for arg in spec.command],
            env={k: expand(v, values) for k, v in spec.env.items() if "{root}" in v},
            cwd=base_root / spec.cwd,
        )

    return restart


def _base_tree(ctx: RunContext) -> Path:
    """The base ref's tree of the repository root, extracted once per run (``git archive``)."""

    def extract() -> Path:
        base = ctx.change.base
        assert base is not None
        prefix = ctx.workspace.git_prefix
        target = make_scratch("aces-base-")
        ctx.resources.add(lambda: _remove(target))
        tar = target / "base.tar"
        result = ctx.processes.run(
            ["git", "archive", "--format=tar", "-o", str(tar), base, "--", prefix or "."],
            cwd=ctx.workspace.root,
            timeout=120,
        )
        if result.returncode != 0:
            raise ToolError(f"git archive {base} failed: {result.stderr.strip()[:300]}")
        with tarfile.open(tar) as archive:
            archive.extractall(target, filter="data")
        return target / prefix if prefix else target

    return ctx.memo.get("stage6.base_tree", extract)


def _remove(path: Path) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


class EnvironmentUp(Check):
    """The live topology comes up: NATS cluster (full mesh), Valkey, Postgres, 2-3 replicas.

    Started on ephemeral loopback ports in a throwaway directory and torn down
    after the stage (``infra.ephemeral-env``). A dependency the policy turns off, or
    a service with fewer than 2 replicas, is ``topo.environment.incomplete``; a
    server that never becomes ready is ERROR with its last log lines.
    """

    id = "topo.environment"
    stage = 6
    clauses = ("topo.environment", "infra.ephemeral-env")
    title = "The live topology comes up"
    remedy = "declare NATS, Valkey, Postgres and 2-3 replicas per service in [topology]"
    tools = ("nats-server", "valkey", "postgres")

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Only with a declared topology."""
        return _not_declared(ctx)

    def run(self, ctx: RunContext) -> Iterable[Finding]:
        """Start (or reuse) the environment; every process must be alive."""
        env, _, _, lock = _ready(ctx)
        with lock:
            env.check_alive()
            running = [r.replica_id for r in env.replicas() if not r.running]
        if running:
            raise ToolError(f"replicas not running: {', '.join(running)}")
        return list(_incomplete(self, _topology(ctx)))


def _incomplete(check: Check, topology: Topology) -> Iterable[Finding]:
    where = Location(POLICY_FILE, _line_of(POLICY_FILE, "[topology"))
    if not topology.valkey.enabled:
        yield check.finding(
            "[topology.valkey] is disabled", where, rule_id=f"{check.id}.incomplete"
        )
    if not topology.postgres.enabled:
        yield check.finding(
            "[topology.postgres] is disabled", where, rule_id=f"{check.id}.incomplete"
        )
    for spec in topology.services:
        if not MIN_REPLICAS <= spec.replicas <= MAX_REPLICAS:
            yield check.finding(
                f"service {spec.name} runs {spec.replicas} replicas, not 2-3",
                where,
                rule_id=f"{check.id}.incomplete",
            )


def _line_of(path: str, needle: str) -> int | None:
    del path, needle
    return None


class Render(Check):
    """The same topology renders for Kubernetes and Nomad and mirrors the local one.

    Kubernetes: a NATS StatefulSet with ``nodes`` replicas and a Deployment per
    service with its ``replicas``; Nomad: a group per NATS node and one per service
    with ``count = replicas``. Every image must be pinned by digest
    (``[topology.images]``); a missing one is ``topo.render.images``. A service's
    own image may be a ``repo:tag`` the release records in the supply ledger; the
    render pins it with the ledger's digest once recorded.
    """

    id = "topo.render"
    stage = 6
    clauses = ("infra.orchestration",)
    title = "The topology renders to Kubernetes and Nomad"
    remedy = "pin every image by digest in [topology.images]"

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Only with a declared topology."""
        return _not_declared(ctx)

    def run(self, ctx: RunContext) -> Iterable[Finding]:
        """Render both and compare their shape with the policy's topology."""
        from aces.errors import PolicyError
        from aces.runtime import render_common, render_kubernetes, render_nomad

        root = ctx.workspace.root
        topology = render_common.with_released(_topology(ctx), root, ctx.policy.supply.tag_ledger)
        try:
            docs = render_kubernetes.manifests(topology, root=ctx.workspace.root)
            hcl = render_nomad.render(topology, root=ctx.workspace.root)
        except PolicyError as exc:
            return [
                self.finding(
                    exc.message, Location(POLICY_FILE), rule_id="topo.render.images", key="images"
                )
            ]
        return list(self._mirror(topology, docs, hcl))

    def _mirror(
        self, topology: Topology, docs: list[dict[str, object]], hcl: str
    ) -> Iterable[Finding]:
        counts = {
            (str(d.get("kind")), str(_get(d, "metadata", "name"))): _get(d, "spec", "replicas")
            for d in docs
        }
        wanted = {("StatefulSet", "nats"): topology.nats.nodes}
        wanted.update({("Deployment", s.name): s.replicas for s in topology.services})
        for (kind, name), replicas in sorted(wanted.items()):
            if counts.get((kind, name)) != replicas:
                yield self.finding(
                    f"the Kubernetes {kind} {name} has {counts.get((kind, name))} replicas, "
                    f"the topology {replicas}",
                    Location(POLICY_FILE),
                    rule_id="topo.render.mismatch",
                )
        for spec in topology.services:
            if not re.search(rf"count\s*=\s*{spec.replicas}\b", hcl):
                yield self.finding(
                    f"the Nomad group of {spec.name} does not run count = {spec.replicas}",
                    Location(POLICY_FILE),
                    rule_id="topo.render.mismatch",
                )


def _get(doc: object, *keys: str) -> object:
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


STAGE = StageDef(
    number=6,
    name="integration",
    title="Integration & Topology Tests",
    checks=(
        EnvironmentUp(),
        Render(),
        MultiNode(),
        TenantIsolation(),
        Ordering(),
        Divergence(),
        UpgradeDowngrade(),
        Backpressure(),
    ),
)
