"""``aces env up|down|status|logs|render``: the live topology of the policy, for humans.

- ``up`` starts the ``[topology]`` locally (NATS cluster, Valkey, Postgres,
  service replicas), prints the addresses and keeps it running until Ctrl-C,
  SIGTERM or ``aces env down``; a process that crashes meanwhile stops it all
  with its last log lines (exit 2). State: ``.aces/env/state.json``.
- ``down`` stops the environment started by ``up`` from another shell, and
  reaps every stale environment of the repository (its ``aces`` was killed),
  saying what it stopped and removed.
- ``status`` lists its processes (exit 0 all running, 1 otherwise, also when
  the ``up`` process is gone and the environment is stale).
- ``logs NAME`` prints the last lines of one process's log.
- ``render --target kubernetes|nomad|compose [--pr N]`` prints the same
  topology as manifests, images pinned by digest.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from aces.errors import InputError, PolicyError
from aces.policy.loader import load_policy
from aces.runtime.logs import last_lines
from aces.runtime.topology import Topology

TARGETS: tuple[str, ...] = ("kubernetes", "nomad", "compose")
_WATCH_SECONDS = 0.5


def add_parser(sub: Any) -> None:
    """Register ``env`` and its actions."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "env", help="the live topology: up, down, status, logs, render"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser("up", help="start the topology here and keep it running")
    _common(up)
    up.add_argument("--timeout", type=float, default=120.0, help="seconds to become ready")
    up.set_defaults(func=handle_up)
    down = actions.add_parser("down", help="stop the environment started by `aces env up`")
    _common(down)
    down.set_defaults(func=handle_down)
    status = actions.add_parser("status", help="list the environment's processes")
    _common(status)
    status.set_defaults(func=handle_status)
    logs = actions.add_parser("logs", help="the last lines of one process's log")
    logs.add_argument("name", help="process name: nats-0, valkey, postgres, <service>-<i>")
    _common(logs)
    logs.add_argument("-n", "--lines", type=int, default=50, help="how many lines (default 50)")
    logs.set_defaults(func=handle_logs)
    render = actions.add_parser("render", help="print the topology as manifests")
    _common(render)
    render.add_argument("--target", choices=TARGETS, required=True)
    render.add_argument("--pr", type=int, help="pull request number (namespace aces-pr-N)")
    render.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    render.set_defaults(func=handle_render)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument("--policy", type=Path, help="policy file (default: <path>/aces.toml)")


def _root(args: argparse.Namespace) -> Path:
    root = Path(args.path).resolve()
    if not root.is_dir():
        raise InputError("not a directory", path=str(args.path))
    return root


def _topology(root: Path, policy: Path | None) -> Topology:
    loaded = load_policy(root, policy)
    topology = loaded.policy.topology
    if not topology.declared:
        raise PolicyError(
            "the policy has no [topology] section",
            path=loaded.source,
            hint="declare the NATS cluster, Valkey, Postgres and services (docs/environment.md)",
        )
    return topology


def handle_up(args: argparse.Namespace) -> int:
    """Start, report, watch; stop everything on Ctrl-C / SIGTERM / a crash."""
    from aces.runtime.provider_local import Environment
    from aces.runtime.state import state_path
    from aces.tools.signals import InterruptError

    root = _root(args)
    topology = _topology(root, args.policy)
    pins = load_policy(root, args.policy).policy.toolchain
    env = Environment(
        topology, root=root, up_timeout=args.timeout, state_file=state_path(root), pins=pins
    )
    try:
        with env:
            for reaped in env.reaped:
                print(f"aces env: reaped {reaped.describe()}")
            _print_summary(env)
            while True:
                env.check_alive()
                time.sleep(_WATCH_SECONDS)
    except InterruptError:
        print("aces env: stopped; every process ended and the run directory was removed")
        return 0


def _print_summary(env: Any) -> None:
    print(f"NATS_URLS={','.join(env.nats_urls())}")
    for key, value in sorted(env.dependency_env().items()):
        if key != "NATS_URLS":
            print(f"{key}={value}")
    for replica in env.replicas():
        print(f"{replica.replica_id} pid {replica.pid} {replica.url}")
    print(f"logs: {env.log_dir}")
    print("running; stop with Ctrl-C or `aces env down`", flush=True)


def handle_down(args: argparse.Namespace) -> int:
    """Stop the ``aces env up`` environment; reap every stale one of the repository."""
    from aces.runtime.state import read_state, reap_stale, state_path, still_ours, stop_recorded

    root = _root(args)
    path = state_path(root)
    said = []
    if path.exists() and still_ours(read_state(path).get("owner")):
        left = stop_recorded(path)
        suffix = f" ({len(left.stopped)} left-over process groups stopped)" if left.stopped else ""
        said.append(f"aces env: environment stopped{suffix}")
    said.extend(f"aces env: reaped {reaped.describe()}" for reaped in reap_stale(root))
    if not said:
        raise InputError(
            "no environment is running here",
            path=str(path),
            hint="an `aces run` still running stops its own environment when it ends",
        )
    print("\n".join(said))
    return 0


def handle_status(args: argparse.Namespace) -> int:
    """One line per process: name, state, pid, URL."""
    from aces.runtime.state import is_stale, read_state, state_path, still_ours

    state = read_state(state_path(_root(args)))
    all_running = True
    for entry in state["processes"]:
        running = still_ours(entry)
        all_running = all_running and running
        word = "running" if running else "stopped"
        print(f"{entry['name']:<20} {word:<8} pid {entry['pid']:<8} {entry['url']}".rstrip())
    if is_stale(state):
        owner = state.get("owner") or {}
        print(f"stale: its aces (pid {owner.get('pid')}) is gone; `aces env down` reaps it")
        return 1
    return 0 if all_running else 1


def handle_logs(args: argparse.Namespace) -> int:
    """Print the last lines of one process's log."""
    from aces.runtime.state import read_state, state_path

    state = read_state(state_path(_root(args)))
    logs = {entry["name"]: Path(entry["log"]) for entry in state["processes"]}
    if args.name not in logs:
        known = ", ".join(sorted(logs))
        raise InputError(f"no process called {args.name!r}; expected one of: {known}")
    for line in last_lines(logs[args.name], max(args.lines, 0)):
        print(line)
    return 0


def handle_render(args: argparse.Namespace) -> int:
    """Print (or write) the manifests of the target."""
    from aces.runtime import render_common, render_compose, render_kubernetes, render_nomad

    root = _root(args)
    topology = _topology(root, args.policy)
    ledger = load_policy(root, args.policy).policy.supply.tag_ledger
    topology = render_common.with_released(topology, root, ledger)
    renderers = {
        "kubernetes": render_kubernetes.render,
        "nomad": render_nomad.render,
        "compose": render_compose.render,
    }
    text = renderers[args.target](topology, root=root, pr=args.pr)
    if args.output is not None:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
