"""The local provider: the topology as real processes on this machine (the embedded default).

``Environment`` starts a NATS cluster (a full route mesh), Valkey or Redis, a
throwaway Postgres with its migrations, then 2-3 replicas of each service, all
on ephemeral loopback ports, each process logging to its own file. It is a
context manager: whatever ends the ``with`` block (an exception, SIGINT,
SIGTERM, a failed readiness wait) every process it started is stopped (SIGTERM,
then SIGKILL after the grace period) and its run directory removed.

    with Environment(policy.topology, root=repo) as env:
        for replica in env.replicas():
            ...
        env.check_alive()  # ProcessFailedError with the last log lines if one crashed

Every process goes through the ``ProcessRunner``, so ``terminate_all`` (called
when aces itself is signalled) stops these servers too. Nothing outlives a
SIGKILLed aces either: the state file is written before the first server starts
and a supervisor process reaps what it records (``aces.runtime.guard``).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from aces.errors import InputError, ToolError
from aces.runtime import topology as names
from aces.runtime.failures import PortConflictError, ProcessFailedError
from aces.runtime.guard import Guard
from aces.runtime.logs import DEFAULT_TAIL, last_lines, log_file
from aces.runtime.ports import LOOPBACK, PORT_ATTEMPTS, free_ports, says_port_in_use
from aces.runtime.probes import http_status, nats_healthy, nats_routes, postgres_ready, redis_ping
from aces.runtime.proc import group_rss_bytes
from aces.runtime.servers import (
    POSTGRES_SYSTEM_USER,
    Binaries,
    NatsPorts,
    find_binaries,
    initdb_argv,
    migration_files,
    nats_argv,
    postgres_argv,
    psql_argv,
    running_as_root,
    valkey_argv,
)
from aces.runtime.state import Reaped, snapshot
from aces.runtime.topology import ServiceSpec, TestCommand, Topology, env_key, expand
from aces.tools.process import ProcessResult, ProcessRunner, StartedProcess
from aces.tools.resolve import ToolResolver
from aces.tools.signals import terminate_children_on_signal

DEFAULT_UP_TIMEOUT = 60.0
DEFAULT_GRACE = 2.0
_POLL = 0.03
_INITDB_TIMEOUT = 120.0
_PSQL_TIMEOUT = 120.0


@dataclass(frozen=True)
class Replica:
    """One replica of a service as it is now."""

    service: str
    index: int
    replica_id: str  # "<service>-<index>", also its process name in logs and state
    port: int
    url: str  # in the service's scheme: ws://127.0.0.1:PORT
    http_url: str  # http://127.0.0.1:PORT, for health and metrics
    pid: int
    running: bool
    log_path: Path


@dataclass
class _Managed:
    """A process the environment started, and whether it is meant to be down."""

    name: str
    kind: str  # nats | valkey | postgres | replica
    process: StartedProcess
    expected_down: bool = False

    def crashed(self) -> bool:
        return not self.expected_down and self.process.poll() is not None


@dataclass
class _Ports:
    nats: tuple[NatsPorts, ...] = ()
    valkey: int = 0
    postgres: int = 0
    replicas: dict[tuple[str, int], int] = field(default_factory=dict)


class Environment:
    """The live topology on this machine; see the module docstring."""

    def __init__(
        self,
        topology: Topology,
        *,
        root: Path,
        runner: ProcessRunner | None = None,
        python: str = sys.executable,
        up_timeout: float = DEFAULT_UP_TIMEOUT,
        grace_seconds: float = DEFAULT_GRACE,
        handle_signals: bool = True,
        temp_parent: Path | None = None,
        state_file: Path | None = None,
        supervise: bool = True,
        pins: Mapping[str, str] | None = None,
    ) -> None:
        self.topology = topology
        self.root = root.resolve()
        self.runner = runner if runner is not None else ProcessRunner(grace_seconds=grace_seconds)
        self._python = python
        self._up_timeout = up_timeout
        self._grace = grace_seconds
        self._handle_signals = handle_signals
        self._temp_parent = temp_parent
        self._pins = dict(pins or {})
        self._run_dir: Path | None = None
        self._procs: dict[str, _Managed] = {}
        self._ports = _Ports()
        self._binaries = Binaries()
        self._signals = contextlib.ExitStack()
        self._guard = Guard(
            root=self.root, state_file=state_file, supervise=supervise, grace=grace_seconds
        )

    @property
    def reaped(self) -> tuple[Reaped, ...]:
        """Stale environments of the same repository that ``up`` stopped before starting."""
        return self._guard.reaped

    @property
    def state_file(self) -> Path | None:
        """Where this environment is recorded while it is up (None before and after)."""
        return self._guard.state_file

    # -- lifecycle ------------------------------------------------------------------

    def __enter__(self) -> Environment:
        if self._handle_signals:
            self._signals.enter_context(terminate_children_on_signal(self.runner))
        try:
            return self.up()
        except BaseException:
            self._signals.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.down()
        finally:
            self._signals.close()

    def up(self) -> Environment:
        """Start everything and wait until it is ready; on any failure stop it all and raise."""
        if self._run_dir is not None:
            raise InputError("the environment is already up")
        deadline = time.monotonic() + self._up_timeout
        try:
            tools = ToolResolver.for_repository(self.root, self.runner, self._pins)
            self._binaries = find_binaries(self.topology, tools, self.root)
            self._guard.reap_stale()
            self._make_run_dir()
            self._guard.begin(self.run_dir, self._snapshot)
            self._start_dependencies(deadline)
            self._start_services(deadline)
            self._guard.record(self._snapshot)
        except BaseException:
            self.down()
            raise
        return self

    def down(self) -> None:
        """Stop replicas, then servers (SIGTERM, grace, SIGKILL); remove the run directory."""
        replicas = [m.process for m in self._procs.values() if m.kind == "replica"]
        servers = [m.process for m in self._procs.values() if m.kind != "replica"]
        try:
            self.runner.stop(replicas, self._grace)
            self.runner.stop(servers, self._grace)
        finally:
            self._procs.clear()
            try:
                self._remove_run_dir()
            finally:
                self._guard.end()

    @property
    def run_dir(self) -> Path:
        """The directory of logs and data; removed by ``down``."""
        if self._run_dir is None:
            raise InputError("the environment is not up")
        return self._run_dir

    @property
    def log_dir(self) -> Path:
        """Where each process's ``<name>.log`` is."""
        return self.run_dir / "logs"

    # -- addresses -------------------------------------------------------------------

    def nats_urls(self) -> tuple[str, ...]:
        """``nats://127.0.0.1:PORT`` of every node."""
        return tuple(f"nats://{LOOPBACK}:{p.client}" for p in self._ports.nats)

    def nats_monitor_urls(self) -> tuple[str, ...]:
        """``http://127.0.0.1:PORT`` of every node's monitoring endpoint (/varz, /routez)."""
        return tuple(f"http://{LOOPBACK}:{p.monitor}" for p in self._ports.nats)

    def valkey_url(self) -> str:
        """``redis://127.0.0.1:PORT/0``; "" when Valkey is not enabled."""
        port = self._ports.valkey
        return f"redis://{LOOPBACK}:{port}/0" if port else ""

    def database_url(self) -> str:
        """``postgresql://aces@127.0.0.1:PORT/<database>``; "" when Postgres is not enabled."""
        port = self._ports.postgres
        if not port:
            return ""
        return f"postgresql://{names.DATABASE_USER}@{LOOPBACK}:{port}/{self._database()}"

    def dependency_env(self) -> dict[str, str]:
        """The address variables every replica and test command receives."""
        env = {names.NATS_URLS: ",".join(self.nats_urls())}
        if self.topology.valkey.enabled:
            env[names.VALKEY_URL] = env[names.REDIS_URL] = self.valkey_url()
        if self.topology.postgres.enabled:
            env[names.DATABASE_URL] = self.database_url()
        return env

    def replica_env(self, spec: ServiceSpec, index: int, port: int) -> dict[str, str]:
        """Everything a replica's process gets on top of the base PATH, HOME, LANG and TZ."""
        values = self._placeholders(spec, index, port)
        env = {
            **self.dependency_env(),
            names.HOST: LOOPBACK,
            spec.port_env: str(port),
            names.REPLICA_ID: values["replica_id"],
            names.REPLICA_INDEX: str(index),
            names.SERVICE_NAME: spec.name,
            names.ENV_DIR: str(self.run_dir),
            "PYTHONUNBUFFERED": "1",  # so a crash's last lines are in the log
        }
        env.update({k: expand(v, values) for k, v in spec.env.items()})
        return env

    def test_env(self) -> dict[str, str]:
        """What integration-test commands get: addresses, and every service's replica URLs."""
        env = {**self.dependency_env(), names.ENV_DIR: str(self.run_dir)}
        env[names.SERVICES] = ",".join(s.name for s in self.topology.services)
        for spec in self.topology.services:
            replicas = self.replicas(spec.name)
            key = env_key(spec.name)
            env[key + names.REPLICAS_SUFFIX] = ",".join(r.url for r in replicas)
            env[key + names.HTTP_URLS_SUFFIX] = ",".join(r.http_url for r in replicas)
        return env

    def replica_urls(self) -> dict[str, str]:
        """The URL of every replica given a port so far, by replica id."""
        urls = {}
        for spec in self.topology.services:
            for index in range(spec.replicas):
                port = self._ports.replicas.get((spec.name, index))
                if port:
                    urls[f"{spec.name}-{index}"] = f"{spec.scheme}://{LOOPBACK}:{port}"
        return urls

    # -- replicas --------------------------------------------------------------------

    def replicas(self, service: str | None = None) -> tuple[Replica, ...]:
        """Every replica (of ``service`` only, when given), in policy order then by index."""
        specs = self.topology.services if service is None else (self._spec(service),)
        return tuple(self._replica(spec, i) for spec in specs for i in range(spec.replicas))

    def replica(self, index: int, service: str | None = None) -> Replica:
        """Replica ``index`` of ``service`` (default: the first service of the policy)."""
        spec = self._spec(service)
        self._check_index(spec, index)
        return self._replica(spec, index)

    def stop_replica(self, index: int, service: str | None = None) -> None:
        """Stop a replica (SIGTERM, grace, SIGKILL); it is then expected to be down."""
        managed = self._managed(index, service)
        managed.expected_down = True
        self.runner.stop([managed.process], self._grace)

    def kill_replica(
        self, index: int, signum: int = signal.SIGKILL, service: str | None = None
    ) -> None:
        """Send ``signum`` to a replica's process group; it is then expected to be down."""
        managed = self._managed(index, service)
        managed.expected_down = True
        with contextlib.suppress(ProcessLookupError):
            os.killpg(managed.process.pgid, signum)

    def start_replica(
        self,
        index: int,
        *,
        command: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        service: str | None = None,
        timeout: float | None = None,
    ) -> Replica:
        """Start a stopped replica again on its port, maybe with another command (a roll).

        ``command`` may use the same placeholders as the policy's; ``env`` is
        added to the replica's environment; ``cwd`` (absolute, e.g. a worktree
        of another version) replaces the service's. Waits until it is healthy.
        """
        spec = self._spec(service)
        self._check_index(spec, index)
        name = f"{spec.name}-{index}"
        current = self._procs.get(name)
        if current is not None and current.process.poll() is None:
            raise InputError(f"replica {name} is running; stop it before starting it again")
        if current is not None:
            self.runner.stop([current.process], self._grace)  # reap the old group
        port = self._ports.replicas[(spec.name, index)]
        self._launch_replica(spec, index, port, command=command, env=env, cwd=cwd)
        seconds = spec.readiness_timeout_seconds if timeout is None else timeout
        self._await_replicas([(spec, index)], time.monotonic() + seconds)
        return self._replica(spec, index)

    def rss_bytes(self, index: int, service: str | None = None) -> int:
        """Resident memory of a replica's process group (from /proc), in bytes."""
        return group_rss_bytes(self._managed(index, service).process.pgid)

    # -- health of the whole --------------------------------------------------------

    def crashed(self) -> tuple[str, ...]:
        """Names of processes that exited without being asked to, in start order."""
        return tuple(name for name, m in self._procs.items() if m.crashed())

    def check_alive(self) -> None:
        """Raise ``ProcessFailedError`` (with its last log lines) for the first crashed process."""
        for name in self.crashed():
            managed = self._procs[name]
            code = managed.process.poll()
            raise ProcessFailedError(
                name, f"stopped unexpectedly ({_exit_text(code)})", managed.process.log_path
            )

    def logs(self, name: str, lines: int = DEFAULT_TAIL) -> list[str]:
        """The last ``lines`` lines of the log of process ``name`` (nats-0, arqonbus-1, ...)."""
        path = log_file(self.log_dir, name)
        if not path.is_file():
            known = ", ".join(sorted(self.process_names()))
            raise InputError(f"no process called {name!r}; expected one of: {known}")
        return last_lines(path, lines)

    def process_names(self) -> tuple[str, ...]:
        """Every process the environment started, in start order."""
        return tuple(self._procs)

    def processes(self) -> tuple[tuple[str, str, StartedProcess], ...]:
        """(name, kind, process) of everything started, in start order."""
        return tuple((m.name, m.kind, m.process) for m in self._procs.values())

    def run_tests(self) -> tuple[tuple[TestCommand, ProcessResult], ...]:
        """Run the policy's integration-test commands against the environment, in order."""
        results = []
        for test in self.topology.tests:
            values = {"python": self._python, "root": str(self.root), "run_dir": str(self.run_dir)}
            env = {**self.test_env(), **{k: expand(v, values) for k, v in test.env.items()}}
            result = self.runner.run(
                [expand(arg, values) for arg in test.command],
                cwd=self.root / test.cwd,
                env=env,
                timeout=test.timeout_seconds,
            )
            results.append((test, result))
        return tuple(results)

    # -- dependencies ---------------------------------------------------------------

    def _make_run_dir(self) -> None:
        self._run_dir = Path(tempfile.mkdtemp(prefix="aces-env-", dir=self._temp_parent))
        # traversable (not listable) so the postgres user reaches its own data dir
        self._run_dir.chmod(0o711)
        (self._run_dir / "logs").mkdir()

    def _remove_run_dir(self) -> None:
        run_dir, self._run_dir = self._run_dir, None
        if run_dir is None:
            return
        shutil.rmtree(run_dir, ignore_errors=True)
        if run_dir.exists():
            raise ToolError(f"could not remove the environment's directory {run_dir}")

    def _start_dependencies(self, deadline: float) -> None:
        """Launch every server at once, then wait for each (postgres init runs meanwhile)."""
        self._launch_nats()
        if self.topology.valkey.enabled:
            self._launch_valkey()
        if self.topology.postgres.enabled:
            self._init_postgres()
            self._launch_postgres()
        self._ready_with_retry(self._launch_nats, self._await_nats, deadline, "nats")
        if self.topology.valkey.enabled:
            self._ready_with_retry(self._launch_valkey, self._await_valkey, deadline, "valkey")
        if self.topology.postgres.enabled:
            self._ready_with_retry(
                self._launch_postgres, self._await_postgres, deadline, "postgres"
            )
            self._prepare_database()

    def _ready_with_retry(
        self,
        launch: Callable[[], None],
        await_ready: Callable[[float], None],
        deadline: float,
        what: str,
    ) -> None:
        """Wait for a launched server; when it lost its port, launch it on new ones."""
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                await_ready(deadline)
                return
            except PortConflictError as exc:
                if attempt == PORT_ATTEMPTS:
                    raise ProcessFailedError(
                        exc.name,
                        f"could not bind a free port in {PORT_ATTEMPTS} attempts",
                        self._procs[exc.name].process.log_path,
                        hint="another program keeps taking loopback ports; retry",
                    ) from exc
                self._drop(kind=what)
                launch()

    def _drop(self, kind: str) -> None:
        """Stop and forget every process of ``kind``."""
        gone = [m for m in self._procs.values() if m.kind == kind]
        self.runner.stop([m.process for m in gone], self._grace)
        for managed in gone:
            del self._procs[managed.name]

    def _launch_nats(self) -> None:
        count = self.topology.nats.nodes
        ports = free_ports(3 * count)
        self._ports.nats = tuple(NatsPorts(*ports[3 * i : 3 * i + 3]) for i in range(count))
        for index in range(count):
            store = self.run_dir / f"nats-{index}"
            argv = nats_argv(
                self._binaries.nats,
                index,
                self._ports.nats,
                jetstream=self.topology.nats.jetstream,
                store_dir=store,
            )
            self._start(f"nats-{index}", "nats", argv, install="apt-get install nats-server")

    def _await_nats(self, deadline: float) -> None:
        """Every node healthy, then the full route mesh (each node routes to every other)."""
        monitors = self.nats_monitor_urls()
        expected = len(monitors) - 1

        def meshed() -> bool:
            return all(nats_healthy(url) for url in monitors) and all(
                nats_routes(url) == expected for url in monitors
            )

        nodes = [f"nats-{i}" for i in range(len(monitors))]
        self._await(nodes, meshed, deadline, "did not form the full route mesh")

    def _launch_valkey(self) -> None:
        (self._ports.valkey,) = free_ports(1)
        data = self.run_dir / "valkey"
        data.mkdir(exist_ok=True)
        argv = valkey_argv(self._binaries.valkey, self._ports.valkey, data)
        self._start("valkey", "valkey", argv, install="apt-get install redis-server")

    def _await_valkey(self, deadline: float) -> None:
        port = self._ports.valkey
        self._await(["valkey"], lambda: redis_ping(LOOPBACK, port), deadline, "did not answer PING")

    def _pg_dir(self) -> Path:
        return self.run_dir / "postgres"

    def _init_postgres(self) -> None:
        """``initdb`` into a fresh directory owned by whoever runs the server."""
        base = self._pg_dir()
        base.mkdir(mode=0o700)
        as_root = running_as_root()
        if as_root:
            shutil.chown(base, user=POSTGRES_SYSTEM_USER, group=POSTGRES_SYSTEM_USER)
        argv = initdb_argv(self._binaries.initdb, base / "data", as_root=as_root)
        result = self.runner.run(argv, cwd=base, timeout=_INITDB_TIMEOUT)
        log = log_file(self.log_dir, "postgres-initdb")
        log.write_text(result.stdout + result.stderr, encoding="utf-8")
        if result.returncode != 0:
            raise ProcessFailedError("initdb", "failed to create the Postgres cluster", log)

    def _launch_postgres(self) -> None:
        (self._ports.postgres,) = free_ports(1)
        base = self._pg_dir()
        argv = postgres_argv(self._binaries.postgres, base / "data", self._ports.postgres, base)
        user = POSTGRES_SYSTEM_USER if running_as_root() else None
        self._start("postgres", "postgres", argv, install="apt-get install postgresql", user=user)

    def _await_postgres(self, deadline: float) -> None:
        data = self._pg_dir() / "data"
        self._await(["postgres"], lambda: postgres_ready(data), deadline, "did not become ready")

    def _database(self) -> str:
        return self.topology.postgres.database

    def _prepare_database(self) -> None:
        """Create the database (unless it is ``postgres``), then apply each migration."""
        psql = self._binaries.psql
        port = self._ports.postgres
        log = log_file(self.log_dir, "postgres-migrations")
        if self._database() != "postgres":
            sql = f'CREATE DATABASE "{self._database()}"'
            self._psql([*psql_argv(psql, port, "postgres"), "-c", sql], log, "create the database")
        for path in migration_files(self.root, self.topology.postgres.migrations):
            argv = [*psql_argv(psql, port, self._database()), "-1", "-f", str(path)]
            self._psql(argv, log, f"apply migration {path.relative_to(self.root).as_posix()}")

    def _psql(self, argv: Sequence[str], log: Path, what: str) -> None:
        result = self.runner.run(argv, cwd=self.root, timeout=_PSQL_TIMEOUT)
        with log.open("a", encoding="utf-8") as out:
            out.write(f"$ {' '.join(argv)}\n{result.stdout}{result.stderr}")
        if result.returncode != 0:
            raise ProcessFailedError("postgres", f"could not {what}", log)

    # -- services -------------------------------------------------------------------------

    def _start_services(self, deadline: float) -> None:
        pending: list[tuple[ServiceSpec, int]] = []
        for spec in self.topology.services:
            ports = free_ports(spec.replicas)
            for index, port in enumerate(ports):
                self._ports.replicas[(spec.name, index)] = port
                self._launch_replica(spec, index, port)
                pending.append((spec, index))
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                self._await_replicas(pending, deadline)
                return
            except PortConflictError as exc:
                if attempt == PORT_ATTEMPTS:
                    raise ProcessFailedError(
                        exc.name,
                        f"could not bind a free port in {PORT_ATTEMPTS} attempts",
                        self._procs[exc.name].process.log_path,
                    ) from exc
                self._relaunch_on_new_port(exc.name)

    def _relaunch_on_new_port(self, name: str) -> None:
        spec, index = self._replica_of(name)
        self.runner.stop([self._procs.pop(name).process], self._grace)
        (port,) = free_ports(1)
        self._ports.replicas[(spec.name, index)] = port
        self._launch_replica(spec, index, port)

    def _launch_replica(
        self,
        spec: ServiceSpec,
        index: int,
        port: int,
        *,
        command: Sequence[str] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        values = self._placeholders(spec, index, port)
        argv = [expand(arg, values) for arg in (command or spec.command)]
        child_env = {**self.replica_env(spec, index, port), **(env or {})}
        workdir = cwd if cwd is not None else self.root / spec.cwd
        name = values["replica_id"]
        self._start(name, "replica", argv, env=child_env, cwd=workdir)

    def _await_replicas(self, replicas: Sequence[tuple[ServiceSpec, int]], deadline: float) -> None:
        """Each replica's health path answers 200 before its readiness timeout."""
        started = time.monotonic()
        for spec, index in replicas:
            port = self._ports.replicas[(spec.name, index)]
            url = f"http://{LOOPBACK}:{port}{spec.health_path}"
            own = min(deadline, started + spec.readiness_timeout_seconds)
            self._await(
                [f"{spec.name}-{index}"],
                functools.partial(_answers_ok, url),
                own,
                f"never became healthy ({url} did not answer 200 within "
                f"{spec.readiness_timeout_seconds:g} s)",
            )

    def _placeholders(self, spec: ServiceSpec, index: int, port: int) -> dict[str, str]:
        return {
            "python": self._python,
            "root": str(self.root),
            "run_dir": str(self.run_dir),
            "port": str(port),
            "replica_id": f"{spec.name}-{index}",
            "index": str(index),
        }

    # -- processes ------------------------------------------------------------------------

    def _start(
        self,
        name: str,
        kind: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        install: str | None = None,
        user: str | None = None,
    ) -> None:
        log = log_file(self.log_dir, name)
        if log.exists():
            with log.open("a", encoding="utf-8") as out:
                out.write("--- aces: started again ---\n")
        process = self.runner.start(
            argv,
            cwd=cwd or self.run_dir,
            log_path=log,
            env=env,
            install_hint=install,
            user=user,
        )
        self._procs[name] = _Managed(name=name, kind=kind, process=process)
        self._guard.record(self._snapshot)

    def _snapshot(self, owner: dict[str, Any], supervisor: dict[str, Any] | None) -> dict[str, Any]:
        return snapshot(self, owner, supervisor)

    def _await(
        self, names_: Sequence[str], ready: Callable[[], bool], deadline: float, failure: str
    ) -> None:
        """Poll ``ready`` until it holds; a process of ``names_`` exiting first is an error."""
        while True:
            for name in names_:
                process = self._procs[name].process
                code = process.poll()
                if code is not None:
                    if says_port_in_use("\n".join(last_lines(process.log_path))):
                        raise PortConflictError(name)
                    raise ProcessFailedError(
                        name, f"exited before it was ready ({_exit_text(code)})", process.log_path
                    )
            if ready():
                return
            if time.monotonic() >= deadline:
                raise ProcessFailedError(
                    names_[0], failure, self._procs[names_[0]].process.log_path
                )
            time.sleep(_POLL)

    def _spec(self, service: str | None) -> ServiceSpec:
        if not self.topology.services:
            raise InputError("the topology declares no services ([[topology.services]])")
        if service is None:
            return self.topology.services[0]
        try:
            return self.topology.service(service)
        except KeyError:
            known = ", ".join(s.name for s in self.topology.services)
            raise InputError(f"no service called {service!r}; expected one of: {known}") from None

    @staticmethod
    def _check_index(spec: ServiceSpec, index: int) -> None:
        if not 0 <= index < spec.replicas:
            raise InputError(
                f"service {spec.name} has replicas 0 to {spec.replicas - 1}, not {index}"
            )

    def _managed(self, index: int, service: str | None) -> _Managed:
        spec = self._spec(service)
        self._check_index(spec, index)
        return self._procs[f"{spec.name}-{index}"]

    def _replica_of(self, name: str) -> tuple[ServiceSpec, int]:
        for spec in self.topology.services:
            for index in range(spec.replicas):
                if f"{spec.name}-{index}" == name:
                    return spec, index
        raise KeyError(name)

    def _replica(self, spec: ServiceSpec, index: int) -> Replica:
        name = f"{spec.name}-{index}"
        managed = self._procs[name]
        port = self._ports.replicas[(spec.name, index)]
        return Replica(
            service=spec.name,
            index=index,
            replica_id=name,
            port=port,
            url=f"{spec.scheme}://{LOOPBACK}:{port}",
            http_url=f"http://{LOOPBACK}:{port}",
            pid=managed.process.pid,
            running=managed.process.poll() is None,
            log_path=managed.process.log_path,
        )


def _answers_ok(url: str) -> bool:
    return http_status(url) == 200


def _exit_text(code: int | None) -> str:
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"
