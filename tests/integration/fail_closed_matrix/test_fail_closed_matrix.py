"""The fail-closed matrix: every external tool a stage runs, times every fault, is ERROR.

Each cell is one tool with one fault (``shims.FAULTS``): the tool's check (or,
for git and the stage 6 servers, the code that finds and checks them) runs in
process on a small repository with a short budget, and must be ERROR whose
reason states the fault, within the budget; never PASS, never NOT_APPLICABLE.
One cell per tool also goes through the command line (``aces run --stage N``),
which must exit 2. The table is documented in docs/tools.md.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.integration.example_repo import EXAMPLE, copy_example
from tests.integration.fail_closed_matrix.shims import (
    CARGO,
    CAUSES,
    PINS,
    RUN_FAULTS,
    SERVERS,
    ToolSpec,
    install,
    policy,
)

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import Status
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext, RunOptions
from aces.policy.loader import load_policy
from aces.runtime.servers import find_binaries
from aces.stages import STAGES
from aces.stages.tooling import require_git
from aces.tools import resolve
from aces.tools.process import ProcessRunner
from aces.tools.resolve import ToolResolver
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

BUDGET_SECONDS = 1.0  # the check budget of a cell: a hung tool is stopped after it
CELL_LIMIT_SECONDS = 10.0  # a cell, budget and grace included, ends well within this
PING = 'syntax = "proto3";\npackage acme.v1;\nmessage Ping {\n  string id = 1;\n}\n'
PROTO = {"proto/acme/v1/ping.proto": PING}
PYTHON = {"app.py": "VALUE = 1\n"}
RUST = {
    "Cargo.toml": '[package]\nname = "shim"\nversion = "0.1.0"\nedition = "2021"\n',
    "src/lib.rs": "pub fn one() -> u8 {\n    1\n}\n",
}
ELIXIR = {
    "mix.exs": "defmodule Shim.MixProject do\nend\n",
    "lib/shim.ex": "defmodule Shim do\nend\n",
}
PYTEST_RUNNER = (
    '[[tests.runners]]\nname = "pytest"\nargv = ["pytest", "--junitxml={out}/junit.xml"]\n'
    'report = "{out}/junit.xml"\n'
)
PYTEST_TESTS = {"tests/test_a.py": "def test_a():\n    assert True\n"}
MIX_OK = "Mix 1.14.0 (compiled with Erlang/OTP 25)"
MIX_OLD = "Mix 1.13.4 (compiled with Erlang/OTP 24)"
PG = ("postgres", "initdb", "psql")
MACHINE = {
    "state_machines/door.sm.yaml": (
        "name: door\nstates: [open, shut]\ninitial: open\nfinal: [shut]\nevents: [close]\n"
        "transitions:\n  - {from: open, on: close, to: shut}\nignore:\n  shut: [close]\n"
    )
}
CARGO_BUILD = (
    '[build]\ncommands = [["cargo", "build", "--release"]]\nartifacts = ["out/built.txt"]\n'
)
IMAGE = '[[build.images]]\ndockerfile = "Dockerfile"\nmax_bytes = 1000\n'
DOCKER = "Docker version 28.2.2, build e6534b4"
WORKFLOW = {
    ".github/workflows/test.yml": (
        "name: test\non: push\npermissions: {}\njobs:\n  test:\n    name: test\n"
        "    runs-on: ubuntu-24.04\n    steps:\n      - run: echo test\n"
    )
}

TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "buf",
        2,
        {"buf": {"*": "1.75.0"}},
        ("buf", None),
        "1.74.0",
        "schema.proto-lint",
        files=PROTO,
    ),
    ToolSpec(
        "ruff",
        3,
        {"ruff": {"*": "ruff 0.15.0"}},
        ("ruff", None),
        "ruff 0.14.0",
        "lint.python.ruff",
        files=PYTHON,
    ),
    ToolSpec(
        "ruff-format",
        3,
        {"ruff": {"*": "ruff 0.15.0"}},
        ("ruff", None),
        "ruff 0.14.0",
        "lint.python.format",
        files=PYTHON,
    ),
    ToolSpec(
        "cargo", 3, CARGO, ("cargo", None), "cargo 1.94.0 (shim)", "lint.rust.clippy", files=RUST
    ),
    ToolSpec(
        "cargo-fmt",
        3,
        CARGO,
        ("cargo", "fmt"),
        "rustfmt 1.8.0-stable (shim)",
        "lint.rust.fmt",
        version_sub="fmt",
        missing="rustfmt",
        files=RUST,
    ),
    ToolSpec(
        "cargo-clippy",
        3,
        CARGO,
        ("cargo", "clippy"),
        "clippy 0.1.94 (shim)",
        "lint.rust.clippy",
        version_sub="clippy",
        missing="cargo-clippy",
        files=RUST,
    ),
    ToolSpec(
        "cargo-deny",
        3,
        {**CARGO, "cargo-deny": {"*": "cargo-deny 0.14.2"}},
        ("cargo-deny", None),
        "cargo-deny 0.13.0",
        "lint.rust.deny",
        files=RUST,
    ),
    ToolSpec(
        "cargo-test", 5, CARGO, ("cargo", "test"), "cargo 1.94.0 (shim)", "test.unit", files=RUST
    ),
    ToolSpec(
        "mix", 3, {"mix": {"*": MIX_OK}}, ("mix", None), MIX_OLD, "lint.elixir.format", files=ELIXIR
    ),
    ToolSpec(
        "mix-credo",
        3,
        {"mix": {"*": MIX_OK}},
        ("mix", None),
        MIX_OLD,
        "lint.elixir.credo",
        files=ELIXIR,
    ),
    ToolSpec(
        "mix-sobelow",
        3,
        {"mix": {"*": MIX_OK}},
        ("mix", None),
        MIX_OLD,
        "lint.elixir.sobelow",
        files=ELIXIR,
    ),
    ToolSpec(
        "pytest",
        5,
        {"pytest": {"*": "pytest 8.3.0"}},
        ("pytest", None),
        None,
        "test.unit",
        files=PYTEST_TESTS,
        extra_policy=PYTEST_RUNNER,
    ),
    ToolSpec(
        "cc",
        2,
        {"cc": {"*": "cc (Debian 12.2.0-14) 12.2.0"}},
        ("cc", None),
        "cc (Debian 11.3.0-1) 11.3.0",
        "sm.invariants",
        files=MACHINE,
        pins={"cc": "12.2.0"},
    ),
    ToolSpec(
        "cargo-build",
        4,
        CARGO,
        ("cargo", None),
        "cargo 1.94.0 (shim)",
        "build.reproducible",
        files=RUST,
        extra_policy=CARGO_BUILD,
    ),
    ToolSpec(
        "faketime",
        4,
        {**CARGO, "faketime": {"*": "faketime: Version 0.9.10"}},
        ("faketime", None),
        "faketime: Version 0.9.8",
        "build.reproducible",
        files=RUST,
        extra_policy=CARGO_BUILD,
        pins={"faketime": "0.9.10"},
    ),
    ToolSpec(
        "diffoscope",
        4,
        {**CARGO, "diffoscope": {"*": "diffoscope 254"}},
        ("diffoscope", None),
        "diffoscope 250",
        "build.reproducible",
        files=RUST,
        extra_policy=CARGO_BUILD,
        pins={"diffoscope": "254"},
    ),
    ToolSpec(
        "docker",
        4,
        {"docker": {"*": DOCKER}},
        ("docker", None),
        "Docker version 27.0.1, build 0000000",
        "build.minimal-image",
        files={"Dockerfile": "FROM scratch\n"},
        extra_policy=IMAGE,
        pins={"docker": "28.2.2"},
    ),
    ToolSpec(
        "zizmor",
        7,
        {"zizmor": {"*": "zizmor 1.32.0"}},
        ("zizmor", None),
        "zizmor 1.31.0",
        "ci.workflow-audit",
        files=WORKFLOW,
        pins={"zizmor": "1.32.0"},
    ),
    ToolSpec(
        "actionlint",
        7,
        {"actionlint": {"*": "v1.7.12"}},
        ("actionlint", None),
        "v1.7.11",
        "ci.workflow-lint",
        files=WORKFLOW,
        pins={"actionlint": "1.7.12"},
    ),
    ToolSpec("git", 1, {}, ("git", None), "git version 2.38.1"),
    ToolSpec("nats-server", 6, SERVERS, ("nats-server", None), "nats-server: v2.8.4"),
    ToolSpec("redis-server", 6, SERVERS, ("redis-server", None), "Redis server v=6.2.14 sha=0"),
    ToolSpec(
        "postgres", 6, SERVERS, ("postgres", None), "postgres (PostgreSQL) 14.10", together=PG
    ),
    ToolSpec(
        "initdb",
        6,
        SERVERS,
        ("initdb", None),
        "initdb (PostgreSQL) 14.10",
        missing="initdb",
        together=PG,
    ),
)
# Tools whose real run (not only their version) is faulted too: the stage's own parsers.
RUN_FAULTED = frozenset(
    (
        "buf",
        "ruff",
        "ruff-format",
        "cargo-fmt",
        "cargo-clippy",
        "cargo-deny",
        "cargo-test",
        "cargo-build",
        "docker",
        "cc",
        "mix",
        "mix-credo",
        "mix-sobelow",
        "zizmor",
        "actionlint",
    )
)
# mix format's verdict is its exit code; what it prints at exit 0 (dependency compilation) is
# not read, so garbage there changes nothing.
NOT_READ = frozenset({("mix", "garbage-run")})
CELLS = [
    pytest.param(spec, fault, id=f"{spec.name}-{fault}")
    for spec in TOOLS
    for fault in (*spec.cells(), *(RUN_FAULTS if spec.name in RUN_FAULTED else ()))
    if (spec.name, fault) not in NOT_READ
]
CHECKS: dict[str, Check] = {check.id: check for stage in STAGES for check in stage.checks}


@dataclass(frozen=True)
class Cell:
    """A cell's repository, the directory that is its whole PATH, and how long it took."""

    root: Path
    path_dir: Path


@pytest.fixture(autouse=True)
def hermetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the cell's shims exist: no ACES .tools/, no interpreter bin, no distro layout."""
    monkeypatch.setattr(resolve, "aces_checkout", lambda: tmp_path / "aces")
    monkeypatch.setattr(resolve, "interpreter_dir", lambda: tmp_path / "no-venv")
    monkeypatch.setattr(resolve, "distro_dirs", lambda *_args, **_kw: ())


def make_cell(tmp_path: Path, spec: ToolSpec, fault: str) -> Cell:
    root, path_dir = tmp_path / "repo", tmp_path / "path"
    root.mkdir()
    path_dir.mkdir()
    (root / "aces.toml").write_text(policy(spec), encoding="utf-8")
    for name, text in spec.files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    install(spec, fault, root, path_dir)
    return Cell(root, path_dir)


def runner(cell: Cell) -> ProcessRunner:
    env = {"PATH": str(cell.path_dir), "HOME": str(cell.root.parent), "LANG": "C.UTF-8"}
    return ProcessRunner(base_env=env, grace_seconds=0.2)


def context(cell: Cell) -> RunContext:
    ws = Workspace.open(cell.root)
    loaded = load_policy(cell.root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    options = RunOptions(check_timeout_seconds=BUDGET_SECONDS, use_cache=False)
    return RunContext(ws, change, loaded, load_doctrine(), options, processes=runner(cell))


def run_check(spec: ToolSpec, cell: Cell) -> tuple[Status, str]:
    """The check's status and reason, as the pipeline would record them."""
    ctx = context(cell)
    check = CHECKS[spec.check]
    skip = check.applies(ctx)
    if skip is not None:
        return Status.NOT_APPLICABLE, skip.reason
    try:
        findings = list(check.run(ctx))
    except AcesError as exc:
        return Status.ERROR, exc.diagnostics()
    return (Status.FAIL if findings else Status.PASS), ""


def run_git(spec: ToolSpec, cell: Cell) -> tuple[Status, str]:
    """git is checked before the Change is read with it (``aces run`` does this first)."""
    del spec
    try:
        require_git(cell.root, PINS, runner(cell), timeout=BUDGET_SECONDS)
    except AcesError as exc:
        return Status.ERROR, exc.diagnostics()
    return Status.PASS, ""


def run_servers(spec: ToolSpec, cell: Cell) -> tuple[Status, str]:
    """The stage 6 servers are found and checked before anything starts."""
    del spec
    topology = load_policy(EXAMPLE).policy.topology
    tools = ToolResolver.for_repository(cell.root, runner(cell), PINS, timeout=BUDGET_SECONDS)
    try:
        find_binaries(topology, tools, cell.root)
    except AcesError as exc:
        return Status.ERROR, exc.diagnostics()
    return Status.PASS, ""


def outcome_of(spec: ToolSpec) -> Callable[[ToolSpec, Cell], tuple[Status, str]]:
    if spec.check:
        return run_check
    return run_git if spec.name == "git" else run_servers


@pytest.mark.parametrize(("spec", "fault"), CELLS)
def test_every_fault_of_every_tool_is_an_error(tmp_path: Path, spec: ToolSpec, fault: str) -> None:
    cell = make_cell(tmp_path, spec, fault)
    started = time.monotonic()
    status, reason = outcome_of(spec)(spec, cell)
    elapsed = time.monotonic() - started
    assert status is Status.ERROR, f"{spec.name} {fault}: {status.value} {reason}"
    assert re.search(CAUSES[fault], reason), reason
    assert elapsed < CELL_LIMIT_SECONDS


def test_the_matrix_has_at_least_40_cells() -> None:
    assert len(CELLS) >= 40
    assert {spec.name for spec in TOOLS} >= {
        "buf", "ruff", "cargo-fmt", "cargo-clippy", "cargo-deny", "cargo-test", "mix",
        "git", "nats-server", "redis-server", "postgres", "initdb", "pytest",
        "cargo-build", "faketime", "diffoscope", "docker", "cc", "zizmor", "actionlint",
    }  # fmt: skip


# -- through the command line: one cell per tool exits 2 ---------------------------------------


def aces_run(root: Path, path_dir: Path, stage: int) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": str(path_dir),
        "HOME": str(root.parent),
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    out = str(root / ".aces" / "out")
    argv = [sys.executable, "-m", "aces", "run", str(root), "--stage", str(stage), "--no-cache"]
    argv += ["--out", out]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("spec", [pytest.param(s, id=s.name) for s in TOOLS])
def test_a_crashing_tool_makes_aces_run_exit_2(tmp_path: Path, spec: ToolSpec) -> None:
    if spec.stage == 6:  # the topology of the example, its servers replaced by the shims
        root = copy_example(tmp_path)
        shutil.rmtree(root / ".tools", ignore_errors=True)
        pins = "".join(f'"{n}" = "{v}"\n' for n, v in PINS.items())
        with (root / "aces.toml").open("a", encoding="utf-8") as handle:
            handle.write(f"\n[toolchain]\n{pins}")
        path_dir = tmp_path / "path"
        path_dir.mkdir()
        install(spec, "crash", root, path_dir)
    else:
        cell = make_cell(tmp_path, spec, "crash")
        root, path_dir = cell.root, cell.path_dir
    result = aces_run(root, path_dir, spec.stage)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "SIGSEGV" in (result.stdout + result.stderr + _report(root))


def _report(root: Path) -> str:
    report = root / ".aces/out/report.json"
    return report.read_text(encoding="utf-8") if report.is_file() else ""
