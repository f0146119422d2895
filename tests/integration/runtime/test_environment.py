"""The full local topology: NATS x3 meshed, Redis, Postgres with migrations, 3 replicas."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from aces.runtime.probes import http_json, nats_routes
from aces.runtime.proc import is_live
from aces.runtime.provider_local import Environment
from aces.runtime.topology import NatsSpec, PostgresSpec, Topology, ValkeySpec

from .conftest import assert_nothing_left, needs_servers, standin


@needs_servers
def test_full_topology_is_ready_meshed_wired_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "migrations").mkdir()
    (tmp_path / "migrations" / "002_rows.sql").write_text("INSERT INTO marks VALUES (7);\n")
    (tmp_path / "migrations" / "001_table.sql").write_text("CREATE TABLE marks (n int);\n")
    topology = Topology(
        declared=True,
        nats=NatsSpec(nodes=3, jetstream=True),
        valkey=ValkeySpec(enabled=True),
        postgres=PostgresSpec(enabled=True, database="bus", migrations="migrations"),
        services=(standin(replicas=3, GREETING="{replica_id}@{port}"),),
    )
    with Environment(topology, root=tmp_path) as env:
        run_dir = env.run_dir
        pgids = [proc.pgid for _, _, proc in env.processes()]
        assert env.process_names() == (
            "nats-0", "nats-1", "nats-2", "valkey", "postgres",
            "standin-0", "standin-1", "standin-2",
        )  # fmt: skip
        # the full route mesh: every node routes to the two others
        assert [nats_routes(url) for url in env.nats_monitor_urls()] == [2, 2, 2]
        replicas = env.replicas()
        assert [(r.replica_id, r.index, r.running) for r in replicas] == [
            ("standin-0", 0, True), ("standin-1", 1, True), ("standin-2", 2, True),
        ]  # fmt: skip
        seen = http_json(f"{replicas[1].http_url}/env")
        assert isinstance(seen, dict)
        assert seen["NATS_URLS"] == ",".join(env.nats_urls())
        assert seen["NATS_URLS"].count("nats://127.0.0.1:") == 3
        assert seen["VALKEY_URL"] == seen["REDIS_URL"] == env.valkey_url()
        assert seen["DATABASE_URL"] == env.database_url()
        assert env.database_url().endswith("/bus")
        assert seen["PORT"] == str(replicas[1].port)
        assert seen["REPLICA_ID"] == "standin-1"
        assert seen["REPLICA_INDEX"] == "1"
        assert seen["HOST"] == "127.0.0.1"
        assert seen["GREETING"] == f"standin-1@{replicas[1].port}"
        # migrations ran in name order (the INSERT needs the table)
        port = env.database_url().rsplit(":", 1)[1].split("/")[0]
        rows = subprocess.run(
            ["psql", "-X", "-At", "-h", "127.0.0.1", "-p", port, "-U", "aces", "-d", "bus",
             "-c", "SELECT n FROM marks"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert rows.stdout.strip() == "7"
        tests = env.test_env()
        assert tests["STANDIN_REPLICAS"] == ",".join(r.url for r in replicas)
        assert tests["ACES_SERVICES"] == "standin"
        assert env.rss_bytes(0) > 1_000_000
        env.check_alive()
    assert_nothing_left(pgids, run_dir)


@needs_servers
def test_state_file_records_every_process_while_up(tmp_path: Path) -> None:
    from .conftest import small

    with Environment(small(standin()), root=tmp_path) as env:
        path = env.state_file
        assert path is not None and path.parent == tmp_path / ".aces" / "env"
        state = json.loads(path.read_text())
        assert [p["name"] for p in state["processes"]] == ["nats-0", "standin-0", "standin-1"]
        assert all(p["pgid"] == p["pid"] for p in state["processes"])
        assert state["processes"][1]["url"] == env.replicas()[0].url
        assert state["owner"]["pid"] == os.getpid()
        assert state["supervisor"]["pid"] > 0
        supervisor = state["supervisor"]["pid"]
    assert not path.exists()
    assert not is_live(supervisor)
