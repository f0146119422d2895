"""Stage 6 on the live reference bus: green as shipped, and each faulty variant caught.

The example is copied, its policy's service gets ``ARQONBUS_FAULT=<variant>``, and
only the check meant to catch that variant runs (with the environment check), so
one environment comes up per case. Needs nats-server, redis-server and Postgres.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aces.doctrine.catalog import load_doctrine
from aces.model import Status
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.policy.loader import load_policy
from aces.stages import s06_integration as s6
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini"
SERVERS = ("nats-server", "redis-server", "psql")

pytestmark = pytest.mark.skipif(
    any(shutil.which(s) is None for s in SERVERS), reason="needs nats-server, redis-server, psql"
)


def _copy(tmp_path: Path, fault: str) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".aces", "target"))
    if fault:
        policy = root / "aces.toml"
        text = policy.read_text(encoding="utf-8")
        marker = "[topology.services.env]\n"
        assert marker in text
        policy.write_text(
            text.replace(marker, marker + f'ARQONBUS_FAULT = "{fault}"\n'), encoding="utf-8"
        )
    return root


def _run(root: Path, check: s6.Check) -> tuple[Status, list[tuple[str, str]]]:
    loaded = load_policy(root, None)
    workspace = Workspace.open(root)
    ctx = RunContext(
        workspace=workspace,
        change=compute_change(workspace, loaded.policy, base=None, pr=None),
        loaded_policy=loaded,
        doctrine=load_doctrine(loaded.policy.doctrine),
    )
    stage = StageDef(6, "integration", "t", (s6.EnvironmentUp(), check))
    report = run_pipeline((stage,), ctx)
    (result,) = [r for r in report.stages[0].checks if r.check_id == check.id]
    return result.status, [(f.rule_id, f.message) for f in result.findings]


@pytest.mark.parametrize(
    ("fault", "check", "rule"),
    [
        ("reorder", s6.Ordering(), "topo.ordering.reorder"),
        ("drop-ack", s6.Ordering(), "topo.ordering.lost"),
        ("tenant-prefix", s6.TenantIsolation(), "topo.tenant-isolation.leak"),
        ("diverge", s6.Divergence(), "topo.divergence.deliveries"),
        ("unbounded-queue", s6.Backpressure(), "topo.backpressure.memory"),
    ],
)
def test_each_faulty_variant_fails_its_clause(
    tmp_path: Path, fault: str, check: s6.Check, rule: str
) -> None:
    status, findings = _run(_copy(tmp_path, fault), check)
    assert status is Status.FAIL, findings
    assert rule in {r for r, _ in findings}
    # the exact offending message ids are named
    assert any(fault in m or "-0" in m for r, m in findings if r == rule)


@pytest.mark.parametrize(
    "check", [s6.MultiNode(), s6.Ordering(), s6.TenantIsolation(), s6.Backpressure()]
)
def test_the_shipped_bus_passes(tmp_path: Path, check: s6.Check) -> None:
    status, findings = _run(_copy(tmp_path, ""), check)
    assert (status, findings) == (Status.PASS, [])
