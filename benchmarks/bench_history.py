"""Time the history checkers on a million operations (target: < 10 s).

The history is generated (not stored): 3 replicas, 2 tenants, publishers on every
replica, a consumer per replica and tenant receiving everything in order. The
target covers indexing and every checker (multi-node, ordering, isolation,
divergence), which is what a workload runs on the operations it holds; reading
the JSONL file back is timed and printed apart. Prints each phase and the total against the target.

    .venv/bin/python benchmarks/bench_history.py [--ops 1000000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from aces.engines.history import (
    Op,
    Semantics,
    build_index,
    check_divergence,
    check_isolation,
    check_multi_node,
    check_ordering,
    read_history,
    write_history,
)

TARGET_SECONDS = 10.0
REPLICAS = ("bus-0", "bus-1", "bus-2")
TENANTS = ("t1", "t2")
PATTERNS = {"nats": "bus.{tenant}.>"}


def generate(total: int) -> Iterator[Op]:
    """About ``total`` operations: subscribes, then publish invoke/ok and 3 deliveries each."""
    clock = 0
    for tenant in TENANTS:
        for replica in REPLICAS:
            clock += 1
            yield Op(
                f"c-{tenant}-{replica}", "ok", "subscribe", {"topic": "r/c"}, clock, replica, tenant
            )
    per_message = 2 + len(REPLICAS)
    for n in range(total // per_message):
        tenant = TENANTS[n % len(TENANTS)]
        replica = REPLICAS[n % len(REPLICAS)]
        producer = f"p-{tenant}-{replica}"
        value = {"id": f"m-{n:08d}", "topic": "r/c", "seq": n}
        clock += 1
        yield Op(producer, "invoke", "publish", value, clock, replica, tenant)
        clock += 1
        yield Op(producer, "ok", "publish", value, clock, replica, tenant)
        for consumer_replica in REPLICAS:
            clock += 1
            deliver = {"id": value["id"]}
            yield Op(
                f"c-{tenant}-{consumer_replica}",
                "ok",
                "deliver",
                deliver,
                clock,
                consumer_replica,
                tenant,
            )


def main() -> int:
    """Generate, then time reading, indexing and checking."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aces-bench-history-") as tmp:
        path = write_history(Path(tmp) / "history.jsonl", generate(args.ops))
        phases: list[tuple[str, float]] = []
        started = time.perf_counter()
        history = read_history(path)
        read_seconds = time.perf_counter() - started
        started = mark = time.perf_counter()
        index = build_index(history)
        phases.append(("index", time.perf_counter() - mark))
        semantics = Semantics()
        violations = 0
        for name, run in (
            ("multi-node", lambda: check_multi_node(index, semantics)),
            ("ordering", lambda: check_ordering(index, semantics)),
            ("isolation", lambda: check_isolation(index, PATTERNS)),
            ("divergence", lambda: check_divergence(index, semantics)),
        ):
            mark = time.perf_counter()
            violations += len(run())
            phases.append((name, time.perf_counter() - mark))
        total = time.perf_counter() - started
    print(f"history checkers: {len(history.ops)} operations")
    for name, seconds in phases:
        print(f"  {name:<11} {seconds:7.2f} s")
    verdict = "OK" if total < TARGET_SECONDS and violations == 0 else "OVER TARGET"
    print(f"  {'checkers':<11} {total:7.2f} s  (target < {TARGET_SECONDS:g} s: {verdict})")
    # a workload checks the operations it holds in memory; files are read for recorded runs
    print(f"  {'read JSONL':<11} {read_seconds:7.2f} s  (a recorded file, not in the target)")
    return 0 if violations == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
