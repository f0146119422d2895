"""The stage 6 servers are found by the one resolver and their pins checked on what runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.errors import ToolError
from aces.runtime.servers import find_binaries
from aces.runtime.topology import PostgresSpec, Topology
from aces.tools.process import ProcessRunner
from aces.tools.resolve import ToolResolver, tool_dirs


def fake(directory: Path, name: str, line: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\necho '{line}'\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def resolver(tmp_path: Path, pins: dict[str, str]) -> ToolResolver:
    """PATH holds NATS and Redis; PostgreSQL only in a Debian-style layout off PATH."""
    fake(tmp_path / "path", "nats-server", "nats-server: v2.9.10")
    fake(tmp_path / "path", "redis-server", "Redis server v=7.0.15 sha=0")
    dirs = tool_dirs(
        tmp_path / "repo",
        str(tmp_path / "path"),
        own=tmp_path / "aces",
        interpreter_bin=tmp_path / "venv",
        distro=(f"{tmp_path}/usr/lib/postgresql/*/bin",),
    )
    return ToolResolver(dirs, ProcessRunner(base_env={"PATH": "/bin"}), pins, timeout=5.0)


def debian_postgres(tmp_path: Path, major: str, version: str) -> Path:
    layout = tmp_path / f"usr/lib/postgresql/{major}/bin"
    fake(layout, "initdb", f"initdb (PostgreSQL) {version}")
    fake(layout, "psql", f"psql (PostgreSQL) {version}")
    return fake(layout, "postgres", f"postgres (PostgreSQL) {version} (Debian)")


def test_postgres_in_the_debian_layout_is_found_without_pg_ctl(tmp_path: Path) -> None:
    server = debian_postgres(tmp_path, "15", "15.18")
    tools = resolver(tmp_path, {"postgres": "15", "nats-server": "2.9", "valkey": "7.0"})
    found = find_binaries(Topology(declared=True), tools, tmp_path)
    assert (found.postgres, found.initdb, found.psql) == (
        str(server),
        str(server.parent / "initdb"),
        str(server.parent / "psql"),
    )
    assert found.nats == str(tmp_path / "path/nats-server")


def test_the_postgres_pin_is_checked_on_initdb_too(tmp_path: Path) -> None:
    server = debian_postgres(tmp_path, "15", "15.18")
    fake(server.parent, "initdb", "initdb (PostgreSQL) 14.10")
    with pytest.raises(ToolError) as caught:
        find_binaries(Topology(declared=True), resolver(tmp_path, {"postgres": "15"}), tmp_path)
    assert caught.value.message == (
        f"postgres 14.10 found at {server.parent / 'initdb'}, but [toolchain] pins postgres = '15'"
    )


def test_servers_a_topology_does_not_use_are_not_required(tmp_path: Path) -> None:
    topology = Topology(declared=True, postgres=PostgresSpec(enabled=False))
    found = find_binaries(topology, resolver(tmp_path, {}), tmp_path)
    assert (found.postgres, found.initdb) == ("", "")
