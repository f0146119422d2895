"""Time `Environment` up and down: NATS x3 meshed + Redis/Valkey + Postgres + 3 healthy replicas.

Targets (issue: the live topology): up < 5 s, down < 2 s. The replicas are a
few-line HTTP service serving /health, written to a temp dir and run with this
interpreter. Prints each round and the median against the target.

    .venv/bin/python benchmarks/bench_environment.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aces.runtime.provider_local import Environment
from aces.runtime.topology import NatsSpec, PostgresSpec, ServiceSpec, Topology, ValkeySpec

UP_TARGET = 5.0
DOWN_TARGET = 2.0
SERVICE = """
import http.server, os
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), H).serve_forever()
"""


def topology(service: Path) -> Topology:
    """The benchmark topology: the doctrine's full shape with 3 replicas."""
    return Topology(
        declared=True,
        nats=NatsSpec(nodes=3, jetstream=True),
        valkey=ValkeySpec(enabled=True),
        postgres=PostgresSpec(enabled=True, database="bench"),
        services=(ServiceSpec(name="svc", command=("{python}", str(service)), replicas=3),),
    )


def one_round(root: Path, topo: Topology) -> tuple[float, float]:
    """Seconds to bring the environment up (all ready) and to tear it down."""
    env = Environment(topo, root=root)
    started = time.perf_counter()
    env.__enter__()
    up = time.perf_counter() - started
    started = time.perf_counter()
    env.__exit__(None, None, None)
    return up, time.perf_counter() - started


def main() -> int:
    """Run the rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        service = root / "service.py"
        service.write_text(SERVICE)
        ups, downs = [], []
        for i in range(args.rounds):
            up, down = one_round(root, topology(service))
            ups.append(up)
            downs.append(down)
            print(f"round {i + 1}: up {up:.2f} s, down {down:.2f} s")
    for label, values, target in (("up", ups, UP_TARGET), ("down", downs, DOWN_TARGET)):
        median = statistics.median(values)
        verdict = "meets" if median < target else "MISSES"
        print(
            f"{label:>4}: median {median:.2f} s (min {min(values):.2f}, max {max(values):.2f}); "
            f"target < {target:g} s: {verdict} ({median / target:.0%} of the target)"
        )
    return 0 if statistics.median(ups) < UP_TARGET and statistics.median(downs) < DOWN_TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
