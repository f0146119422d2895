"""After a run killed from outside, no process of the run remains.

``aces run --stage 6`` on a copy of the example: once its three replicas are up, one
replica is killed with SIGKILL and then aces gets SIGTERM. aces must exit 2, and no
``nats-server``, ``redis-server``, Postgres or replica process of that run may remain
(each is recognised by the run's temporary directory in its command line or
environment), and the run's temporary directory must be gone. The same holds when
aces itself gets SIGKILL (its supervisor tears the environment down).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
SERVERS = ("nats-server", "redis-server", "psql")
REPLICAS = 3

pytestmark = pytest.mark.skipif(
    any(shutil.which(s) is None for s in SERVERS), reason="needs nats-server, redis-server, psql"
)


def _processes() -> dict[int, tuple[bytes, bytes]]:
    """Every live (non-zombie) process: pid -> (command line, environment)."""
    found: dict[int, tuple[bytes, bytes]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if state != "Z":
            found[int(entry.name)] = (cmdline, environ)
    return found


def _replicas(repo: Path) -> dict[int, dict[str, str]]:
    """The replicas started for ``repo``: pid -> their environment."""
    out: dict[int, dict[str, str]] = {}
    for pid, (cmdline, environ) in _processes().items():
        text = environ.decode(errors="replace")
        variables = dict(v.split("=", 1) for v in text.split("\0") if "=" in v)
        if b"arqonbus_mini.server" in cmdline and variables.get("PYTHONPATH") == f"{repo}/src":
            out[pid] = variables
    return out


def _of_run(run_dir: str, repo: Path, valkey_port: str) -> list[str]:
    """Processes of the run: naming its directory or the repository copy, or its Valkey.

    ``redis-server`` rewrites its command line to ``redis-server <host>:<port>``, so it
    is recognised by the port the run gave it.
    """
    needles = (run_dir.encode(), f"{repo}/src".encode())
    valkey = f":{valkey_port}".encode()
    return sorted(
        f"{pid}: {_readable(cmdline)}"
        for pid, (cmdline, environ) in _processes().items()
        if any(n in cmdline or n in environ for n in needles)
        or (b"redis-server" in cmdline and valkey in cmdline)
    )


def _readable(cmdline: bytes) -> str:
    return cmdline.replace(b"\0", b" ").decode(errors="replace")[:120]


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _start_run(tmp_path: Path, *, own_group: bool = False) -> tuple[subprocess.Popen[str], Path]:
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", ".aces", "target"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "aces", "run", str(repo), "--stage", "6", "--no-cache", "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=own_group,  # a foreground job of its own, as a shell runs it
    )
    return proc, repo


def _running(repo: Path) -> tuple[dict[int, dict[str, str]], str, str]:
    """Once the replicas are up: them, the run directory and the Valkey port."""
    assert _wait(lambda: len(_replicas(repo)) == REPLICAS, 90), "the replicas never started"
    replicas = _replicas(repo)
    secrets = {e["ARQONBUS_TOKEN_SECRET"] for e in replicas.values()}
    assert len(secrets) == 1, secrets
    run_dir = secrets.pop().removeprefix("per-run:")
    valkey_port = next(iter(replicas.values()))["REDIS_URL"].rsplit(":", 1)[1].split("/")[0]
    # the servers are recognisable too, so "none remain" below means it
    running = " ".join(_of_run(run_dir, repo, valkey_port))
    for server in ("nats-server", "redis-server", "postgres", "arqonbus_mini.server"):
        assert server in running, running
    return replicas, run_dir, valkey_port


def test_sigkill_to_aces_leaves_nothing_within_seconds(tmp_path: Path) -> None:
    proc, repo = _start_run(tmp_path)
    try:
        _, run_dir, valkey_port = _running(repo)
        time.sleep(1.0)  # let the checks start talking to them
        proc.kill()  # SIGKILL: aces runs no handler, no finally
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    killed = time.monotonic()
    assert _wait(lambda: not _of_run(run_dir, repo, valkey_port), 8), _of_run(
        run_dir, repo, valkey_port
    )
    assert _wait(lambda: not Path(run_dir).exists(), 8 - (time.monotonic() - killed))
    assert list((repo / ".aces" / "env").glob("*.json")) == []
    print(f"nothing of the run left {time.monotonic() - killed:.2f} s after SIGKILL")


def test_ctrl_c_during_the_workloads_prints_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    proc, repo = _start_run(tmp_path, own_group=True)
    try:
        _, run_dir, valkey_port = _running(repo)
        time.sleep(2.0)  # the workloads (and the NATS tap) are talking to the servers
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2
    assert err == (
        "aces: error: interrupted by SIGINT: every child process was stopped; "
        "the run is not verified\n"
    )
    assert _wait(lambda: not _of_run(run_dir, repo, valkey_port), 10)
    assert not Path(run_dir).exists()


def test_sigkill_to_a_replica_then_sigterm_to_aces_leaves_nothing(tmp_path: Path) -> None:
    proc, repo = _start_run(tmp_path)
    run_dir, valkey_port = "", ""
    try:
        replicas, run_dir, valkey_port = _running(repo)
        time.sleep(1.0)  # let the checks start talking to them
        os.kill(min(replicas), signal.SIGKILL)
        time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2, err
    assert "SIGTERM" in err
    assert "Traceback" not in err
    assert _wait(lambda: not _of_run(run_dir, repo, valkey_port), 10), _of_run(
        run_dir, repo, valkey_port
    )
    assert not Path(run_dir).exists()
