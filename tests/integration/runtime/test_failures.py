"""Bad input and crashes: ERROR with the process's last log lines, and nothing left running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from aces.errors import InputError, ToolError
from aces.runtime import provider_local
from aces.runtime.failures import ProcessFailedError
from aces.runtime.probes import http_status
from aces.runtime.provider_local import Environment
from aces.runtime.topology import PostgresSpec, Topology, ValkeySpec
from aces.tools.process import ProcessRunner

from .conftest import FIXTURES, assert_nothing_left, needs_servers, small, standin


class Tracking(ProcessRunner):
    """A runner that remembers every process group it started."""

    def __init__(self) -> None:
        super().__init__(grace_seconds=1.0)
        self.pgids: list[int] = []

    def start(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        started = super().start(*args, **kwargs)
        self.pgids.append(started.pgid)
        return started


def _temp_dirs(parent: Path) -> list[Path]:
    return sorted(parent.glob("aces-env-*"))


@needs_servers
def test_service_that_never_becomes_healthy_is_an_error_with_its_log(tmp_path: Path) -> None:
    runner = Tracking()
    spec = standin(STANDIN_MODE="unhealthy")
    spec = type(spec)(**{**spec.__dict__, "readiness_timeout_seconds": 1.5})
    env = Environment(small(spec), root=tmp_path, runner=runner, temp_parent=tmp_path)
    with pytest.raises(ProcessFailedError) as caught, env:
        pytest.fail("the environment came up")
    error = caught.value
    assert error.message.startswith("standin-0 never became healthy (http://127.0.0.1:")
    assert error.message.endswith("/health did not answer 200 within 1.5 s)")
    assert any('"GET /health HTTP/1.1" 503' in line for line in error.log_tail)
    assert "last lines of" in error.diagnostics()
    assert_nothing_left(runner.pgids, tmp_path / "none")
    assert _temp_dirs(tmp_path) == []


@needs_servers
def test_service_that_exits_at_start_is_an_error_with_its_last_lines(tmp_path: Path) -> None:
    runner = Tracking()
    env = Environment(
        small(standin(STANDIN_MODE="exit")), root=tmp_path, runner=runner, temp_parent=tmp_path
    )
    with pytest.raises(ProcessFailedError) as caught, env:
        pytest.fail("the environment came up")
    assert caught.value.message == "standin-0 exited before it was ready (exit code 3)"
    assert caught.value.log_tail == ("standin: refusing to start (STANDIN_MODE=exit)",)
    assert_nothing_left(runner.pgids, tmp_path / "none")
    assert _temp_dirs(tmp_path) == []


def test_missing_server_binary_names_it_and_its_package(tmp_path: Path) -> None:
    runner = ProcessRunner(base_env={"PATH": str(tmp_path), "LANG": "C.UTF-8"})
    env = Environment(small(standin()), root=tmp_path, runner=runner, temp_parent=tmp_path)
    with pytest.raises(ToolError) as caught, env:
        pytest.fail("the environment came up")
    assert caught.value.message == "nats-server is not installed"
    assert "apt-get install -y nats-server" in (caught.value.hint or "")
    assert _temp_dirs(tmp_path) == []


def test_missing_redis_names_the_debian_package(tmp_path: Path) -> None:
    nats = Path(str(subprocess.run(["which", "nats-server"], capture_output=True,
                                   text=True).stdout).strip())  # fmt: skip
    if not nats.is_file():
        pytest.skip("nats-server not installed")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "nats-server").symlink_to(nats)
    runner = ProcessRunner(base_env={"PATH": str(tmp_path / "bin")})
    topology = Topology(declared=True, postgres=PostgresSpec(enabled=False))
    with pytest.raises(ToolError) as caught, Environment(topology, root=tmp_path, runner=runner):
        pytest.fail("the environment came up")
    assert caught.value.message == "valkey is not installed"
    assert "redis-server" in (caught.value.hint or "")


@needs_servers
def test_a_taken_port_is_retried_on_new_ports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    taken = holder.getsockname()[1]
    real = provider_local.free_ports
    calls: list[int] = []

    def first_valkey_port_taken(count: int) -> tuple[int, ...]:
        calls.append(count)
        return (taken,) if len(calls) == 2 else real(count)  # call 2: valkey's first port

    monkeypatch.setattr(provider_local, "free_ports", first_valkey_port_taken)
    topology = Topology(
        declared=True,
        nats=small().nats,
        valkey=ValkeySpec(enabled=True),
        postgres=PostgresSpec(enabled=False),
    )
    try:
        with Environment(topology, root=tmp_path, temp_parent=tmp_path) as env:
            assert env.valkey_url() != f"redis://127.0.0.1:{taken}/0"
            assert "--- aces: started again ---" in (env.log_dir / "valkey.log").read_text()
    finally:
        holder.close()
    assert calls[:3] == [3, 1, 1]


@needs_servers
def test_replica_killed_mid_run_is_detected_with_its_log(tmp_path: Path) -> None:
    with Environment(small(standin()), root=tmp_path, temp_parent=tmp_path) as env:
        env.check_alive()
        os.kill(env.replicas()[1].pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while not env.crashed() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert env.crashed() == ("standin-1",)
        with pytest.raises(ProcessFailedError) as caught:
            env.check_alive()
        assert caught.value.message == "standin-1 stopped unexpectedly (killed by SIGKILL)"
        assert any("listening on" in line for line in caught.value.log_tail)
        assert env.replicas()[1].running is False
    assert _temp_dirs(tmp_path) == []


@needs_servers
def test_replicas_can_be_stopped_killed_and_rolled_to_another_command(tmp_path: Path) -> None:
    with Environment(small(standin()), root=tmp_path, temp_parent=tmp_path) as env:
        first = env.replica(0)
        env.stop_replica(0)
        assert env.replica(0).running is False
        env.check_alive()  # a stopped replica is not a crash
        rolled = env.start_replica(0, env={"ROLLED": "yes"})
        assert rolled.port == first.port and rolled.pid != first.pid
        assert http_status(f"{rolled.http_url}/health") == 200
        env.kill_replica(1, signal.SIGKILL)
        time.sleep(0.2)
        env.check_alive()  # killed on purpose
        with pytest.raises(InputError, match="replica standin-0 is running"):
            env.start_replica(0)
        assert env.logs("standin-0", 200).count("--- aces: started again ---") == 1


@needs_servers
def test_sigkill_to_a_replica_then_sigterm_to_the_holder_leaves_nothing(tmp_path: Path) -> None:
    script = tmp_path / "hold.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import json, sys, time
            from pathlib import Path
            sys.path.insert(0, {str(FIXTURES.parent)!r})
            from conftest import small, standin
            from aces.runtime.provider_local import Environment
            with Environment(small(standin(), nodes=2), root=Path({str(tmp_path)!r})) as env:
                pgids = [p.pgid for _, _, p in env.processes()]
                replica = env.replicas()[0].pid
                print(json.dumps({{"pgids": pgids, "run_dir": str(env.run_dir),
                                  "replica": replica}}), flush=True)
                time.sleep(60)
            """
        )
    )
    holder = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout is not None
    line = holder.stdout.readline()
    import json

    started = json.loads(line)
    assert len(started["pgids"]) == 4
    os.kill(started["replica"], signal.SIGKILL)  # a replica dies first, then aces is told to stop
    time.sleep(0.2)
    holder.send_signal(signal.SIGTERM)
    _, err = holder.communicate(timeout=20)
    assert holder.returncode == 1
    assert "InterruptError: interrupted by SIGTERM" in err
    assert_nothing_left(started["pgids"], Path(started["run_dir"]))
