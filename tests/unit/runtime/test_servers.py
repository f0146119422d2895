"""Server command lines, ports, log tails and probes, without starting a server."""

from __future__ import annotations

import socket
from pathlib import Path

from aces.runtime.logs import last_lines
from aces.runtime.ports import free_ports, port_taken, says_port_in_use
from aces.runtime.probes import postgres_ready, redis_ping
from aces.runtime.servers import NatsPorts, initdb_argv, nats_argv, valkey_argv
from aces.runtime.topology import expand, image_pinned

NODES = (NatsPorts(4001, 4101, 4201), NatsPorts(4002, 4102, 4202), NatsPorts(4003, 4103, 4203))


def test_nats_node_routes_to_every_other_node() -> None:
    assert nats_argv("nats-server", 1, NODES, jetstream=True, store_dir=Path("/s")) == (
        "nats-server", "-a", "127.0.0.1", "-p", "4002", "-m", "4102", "-n", "nats-1",
        "--cluster_name", "aces", "--cluster", "nats://127.0.0.1:4202",
        "--routes", "nats://127.0.0.1:4201,nats://127.0.0.1:4203",
        "-js", "--store_dir", "/s",
    )  # fmt: skip


def test_a_single_nats_node_has_no_cluster() -> None:
    argv = nats_argv("n", 0, NODES[:1], jetstream=False, store_dir=Path("/s"))
    assert argv == ("n", "-a", "127.0.0.1", "-p", "4001", "-m", "4101", "-n", "nats-0")


def test_valkey_persists_nothing_and_initdb_drops_root() -> None:
    assert valkey_argv("redis-server", 7, Path("/d")) == (
        "redis-server", "--port", "7", "--bind", "127.0.0.1", "--save", "",
        "--appendonly", "no", "--dir", "/d",
    )  # fmt: skip
    assert initdb_argv("initdb", Path("/p"), as_root=True)[:4] == (
        "runuser", "-u", "postgres", "--",
    )  # fmt: skip
    assert initdb_argv("initdb", Path("/p"), as_root=False)[0] == "initdb"


def test_ports_are_distinct_and_conflicts_are_recognised() -> None:
    ports = free_ports(6)
    assert len(set(ports)) == 6
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        assert port_taken("127.0.0.1", holder.getsockname()[1])
        assert not redis_ping("127.0.0.1", holder.getsockname()[1], timeout=0.2)
    assert says_port_in_use("[ERR] listen tcp 127.0.0.1:4222: bind: address already in use")
    assert says_port_in_use('LOG:  could not bind IPv4 address "127.0.0.1": Address in use')
    assert says_port_in_use("Warning: Could not create server TCP listening socket") is False


def test_last_lines_and_postgres_status(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    log.write_text("".join(f"line {i}\n" for i in range(100)))
    assert last_lines(log, 2) == ["line 98", "line 99"]
    assert last_lines(tmp_path / "missing.log") == []
    pid = tmp_path / "postmaster.pid"
    pid.write_text("1\n/d\n1\n5432\n/tmp\n127.0.0.1\n0 0\nstarting\n")
    assert not postgres_ready(tmp_path)
    pid.write_text(pid.read_text().replace("starting", "ready   "))
    assert postgres_ready(tmp_path)


def test_placeholders_and_digests() -> None:
    assert expand("{python} --port={port} {other}", {"python": "py", "port": "9"}) == (
        "py --port=9 {other}"
    )
    assert image_pinned("nats@sha256:" + "a" * 64)
    assert not image_pinned("nats:2.10")
    assert not image_pinned("nats@sha256:" + "a" * 63)
