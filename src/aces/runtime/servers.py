"""The dependency servers: where their binaries are and the command line of each.

The binaries are found by the one tool resolver (``aces.tools.resolve``: the
repository's ``.tools/bin`` first, then PATH, then Debian's
``/usr/lib/postgresql/<major>/bin``) and checked against ``[toolchain]``. The
command lines are pure functions of ports and directories (no process is
started here), so the exact flags are tested without a server. Facts the flags rely on:

- NATS: ``-a``/``-p`` client address, ``-m`` monitoring port (``/healthz``,
  ``/routez``), ``-n`` server name, ``--cluster_name`` and ``--cluster`` the
  route listener, ``--routes`` every other node (a full mesh), ``-js --store_dir``.
- Redis / Valkey: ``--save '' --appendonly no`` so nothing is persisted, ``--dir``
  a temp dir for anything it writes anyway.
- Postgres: ``initdb`` refuses to run as root, so as root it runs as the
  ``postgres`` user; the server runs in the foreground (``postgres -D``), in the
  environment's process group, so stopping the group stops it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from aces.errors import InputError, ToolError
from aces.runtime.ports import LOOPBACK
from aces.runtime.topology import DATABASE_USER, Topology
from aces.tools.resolve import ToolResolver

POSTGRES_SYSTEM_USER = "postgres"
NATS_CLUSTER_NAME = "aces"


@dataclass(frozen=True)
class Binaries:
    """Absolute paths of the server programs a topology needs ("" when not needed)."""

    nats: str = ""
    valkey: str = ""
    initdb: str = ""
    postgres: str = ""
    psql: str = ""


@dataclass(frozen=True)
class NatsPorts:
    """The three ports of one NATS node."""

    client: int
    monitor: int
    cluster: int


def find_binaries(topology: Topology, tools: ToolResolver, cwd: Path) -> Binaries:
    """Every server ``topology`` needs, found by the one resolver and checked against its pin.

    ``ToolError`` names the tool that is missing, crashes, hangs, prints no
    version or reports another version than ``[toolchain]`` pins. The postgres
    pin is checked on both programs stage 6 runs: the server and ``initdb``
    beside it; ``psql`` (migrations only) is the one of the same installation.
    """
    nats = str(tools.require("nats-server", cwd).path)
    valkey = str(tools.require("valkey", cwd).path) if topology.valkey.enabled else ""
    if not topology.postgres.enabled:
        return Binaries(nats=nats, valkey=valkey)
    server = tools.require("postgres", cwd).path
    initdb = tools.require("postgres", cwd, server.parent / "initdb").path
    return Binaries(
        nats=nats,
        valkey=valkey,
        initdb=str(initdb),
        postgres=str(server),
        psql=_beside_or_found(server, "psql", tools),
    )


def _beside_or_found(server: Path, program: str, tools: ToolResolver) -> str:
    """``program`` of the installation of ``server`` (a link followed), else as resolved."""
    for directory in (server.resolve().parent, server.parent):
        beside = directory / program
        if beside.is_file() and os.access(beside, os.X_OK):
            return str(beside)
    found = tools.which(program)
    if found is None:
        raise ToolError(
            f"`{program}` not found beside {server} nor in the tool directories",
            hint="apt-get install -y postgresql-client",
        )
    return str(found)


def nats_argv(
    binary: str, index: int, nodes: tuple[NatsPorts, ...], *, jetstream: bool, store_dir: Path
) -> tuple[str, ...]:
    """The command of NATS node ``index`` of a cluster whose every node routes to every other."""
    own = nodes[index]
    argv = [
        binary,
        "-a", LOOPBACK,
        "-p", str(own.client),
        "-m", str(own.monitor),
        "-n", f"nats-{index}",
    ]  # fmt: skip
    if len(nodes) > 1:
        routes = ",".join(
            f"nats://{LOOPBACK}:{node.cluster}" for i, node in enumerate(nodes) if i != index
        )
        argv += [
            "--cluster_name", NATS_CLUSTER_NAME,
            "--cluster", f"nats://{LOOPBACK}:{own.cluster}",
            "--routes", routes,
        ]  # fmt: skip
    if jetstream:
        argv += ["-js", "--store_dir", str(store_dir)]
    return tuple(argv)


def valkey_argv(binary: str, port: int, data_dir: Path) -> tuple[str, ...]:
    """A Valkey / Redis server on loopback that persists nothing."""
    return (
        binary,
        "--port", str(port),
        "--bind", LOOPBACK,
        "--save", "",
        "--appendonly", "no",
        "--dir", str(data_dir),
    )  # fmt: skip


def running_as_root() -> bool:
    """Whether this process is root (then Postgres runs as the ``postgres`` user)."""
    return os.geteuid() == 0


def initdb_argv(binary: str, data_dir: Path, *, as_root: bool) -> tuple[str, ...]:
    """``initdb`` of a throwaway cluster: trust auth, no fsync; as root via ``runuser``."""
    argv = (
        binary,
        "-D", str(data_dir),
        "-U", DATABASE_USER,
        "--auth=trust",
        "--no-sync",
        "-E", "UTF8",
        "--locale=C",
    )  # fmt: skip
    return ("runuser", "-u", POSTGRES_SYSTEM_USER, "--", *argv) if as_root else argv


def postgres_argv(binary: str, data_dir: Path, port: int, socket_dir: Path) -> tuple[str, ...]:
    """The Postgres server in the foreground, on loopback, durability off (throwaway data)."""
    return (
        binary,
        "-D", str(data_dir),
        "-p", str(port),
        "-k", str(socket_dir),
        "-c", f"listen_addresses={LOOPBACK}",
        "-c", "fsync=off",
        "-c", "synchronous_commit=off",
        "-c", "full_page_writes=off",
    )  # fmt: skip


def psql_argv(binary: str, port: int, database: str) -> tuple[str, ...]:
    """``psql`` to the throwaway server over TCP, stopping at the first error."""
    return (
        binary,
        "-X",
        "-q",
        "-h", LOOPBACK,
        "-p", str(port),
        "-U", DATABASE_USER,
        "-d", database,
        "-v", "ON_ERROR_STOP=1",
    )  # fmt: skip


def migration_files(root: Path, folder: str) -> tuple[Path, ...]:
    """The ``*.sql`` files of the migrations folder, in name order."""
    if not folder:
        return ()
    directory = root / folder
    if not directory.is_dir():
        raise InputError(
            f"migrations folder {folder} does not exist",
            path="aces.toml",
            hint="fix topology.postgres.migrations",
        )
    return tuple(sorted(directory.glob("*.sql"), key=lambda p: p.name))
