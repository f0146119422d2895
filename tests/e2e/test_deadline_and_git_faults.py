"""``aces run`` against hung tools and broken gits: exit 2 within the budget, nothing left.

A fake ``cargo`` that sleeps forever under every check of stage 5, and a ``git`` shim
that crashes, prints garbage or hangs, each on PATH in front of the real tools. A
breaking enum rename on a feature branch fails stage 2 with the real git; with a broken
git the run must say which git command failed (exit 2), never check the whole tree and
pass.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.helpers import EXAMPLE, git, run_aces

BUDGET = 3.0
SLACK = 5.0
# Starting Python and importing aces on a loaded machine; the stage itself is timed apart.
STARTUP = 10.0
MARKER = "86396.25"  # a sleep length only the shims use
REAL_GIT = shutil.which("git") or "/usr/bin/git"
ENVELOPE = "proto/arqonbus/v1/envelope.proto"

STAGE5_POLICY = f"""policy_version = "1.0.0"
check_timeout_seconds = {BUDGET}

[paths]
core_libraries = ["src"]
hot_paths = ["src"]
state_machines = ["state_machines"]

[tests]
coverage_baseline = "coverage-baseline.json"

[[tests.runners]]
name = "rust"
argv = ["cargo", "test", "--offline", "--color", "never"]
report_format = "libtest"
coverage = "lcov.info"
coverage_format = "lcov"
"""

MACHINE = """name: lamp
states: [dark, lit]
initial: dark
final: [dark]
events: [flip]
transitions:
  - {from: dark, on: flip, to: lit}
  - {from: lit, on: flip, to: dark}
"""

FAULTS = {
    "crash": "kill -SEGV $$",
    "garbage": "echo '<<not git output>>'; exit 0",
    "hang": f"sleep {MARKER}",
}


def leftovers() -> list[int]:
    """Live processes whose command line carries the shims' marker."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z" and MARKER.encode() in cmdline:
            found.append(int(entry.name))
    return found


def shim_path(bin_dir: Path, name: str, body: str) -> dict[str, str]:
    """PATH with an executable ``name`` running ``body`` in front of everything else."""
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / name
    shim.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    shim.chmod(0o755)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}


def git_shim(bin_dir: Path, fault: str, when: str) -> dict[str, str]:
    """A git that has ``fault`` when its arguments match ``when`` and is git otherwise.

    Its version probe always answers (a git that cannot tell its version is the tool
    resolver's cell of the fail-closed matrix): the fault is met in the git commands.
    """
    body = (
        f'case " $* " in\n  " --version ") exec "{REAL_GIT}" "$@" ;;\n'
        f'  {when}) {FAULTS[fault]} ;;\nesac\nexec "{REAL_GIT}" "$@"'
    )
    return shim_path(bin_dir, "git", body)


def breaking_branch(tmp_path: Path, policy_prefix: str = "") -> Path:
    """The example on main, and a checked-out branch renaming an enum value (breaking).

    ``policy_prefix`` goes at the top of the base's aces.toml (a change of the policy on the
    branch would be judged by the ratchet, and the base's policy would stay in force).
    """
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aces", "__pycache__"))
    policy = root / "aces.toml"
    policy.write_text(policy_prefix + policy.read_text(encoding="utf-8"), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "feature")
    proto = root / ENVELOPE
    text = proto.read_text(encoding="utf-8")
    proto.write_text(text.replace("MESSAGE_TYPE_REPLY = 3", "MESSAGE_TYPE_ANSWER = 3"))
    git(root, "commit", "-q", "-am", "rename an enum value")
    return root


def test_every_check_hung_on_one_tool_ends_within_the_budget(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    files = {
        "aces.toml": STAGE5_POLICY,
        "Cargo.toml": '[package]\nname = "lamp"\nversion = "0.1.0"\n',
        "src/lib.rs": "pub fn on() -> bool {\n    true\n}\n",
        "state_machines/lamp.sm.yaml": MACHINE,
        "coverage-baseline.json": '{"aces_coverage_baseline": 1, "files": {"src/lib.rs": 100}}',
    }
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    env = shim_path(tmp_path / "bin", "cargo", f"sleep {MARKER}")
    assert not leftovers(), "stale marker processes from an earlier run"
    started = time.monotonic()
    done = run_aces(
        "run", str(repo), "--stage", "5", "--no-cache", "--quiet", "--format", "json", env=env
    )
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    assert report["timing"]["stages"]["s05-unit"] < BUDGET + SLACK
    assert elapsed < BUDGET + SLACK + STARTUP
    time.sleep(0.2)
    assert not leftovers()
    checks = report["stages"][4]["checks"]
    assert len(checks) >= 6
    assert {c["status"] for c in checks} == {"ERROR"}
    odd = [(c["id"], c["reason"]) for c in checks if "time budget of 3s ran out" not in c["reason"]]
    assert not odd


def test_the_breaking_change_fails_with_a_working_git(tmp_path: Path) -> None:
    root = breaking_branch(tmp_path)
    done = run_aces("run", str(root), "--stage", "2", "--no-cache", "--quiet")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "schema.no-field-rename" in done.stdout


@pytest.mark.parametrize(
    ("fault", "when", "command"),
    [
        ("crash", "*", "`git rev-parse --is-inside-work-tree`"),
        ("garbage", "*", "`git rev-parse --is-inside-work-tree`"),
        ("crash", "*' rev-parse --verify '*", "`git rev-parse --verify --quiet"),
        ("garbage", "*' rev-parse --verify '*", "`git rev-parse --verify --quiet"),
        ("crash", "*' symbolic-ref '*", "`git symbolic-ref -q"),
        ("garbage", "*' merge-base '*", "`git merge-base "),
        ("crash", "*' diff '*", "`git diff -U0"),
    ],
)
def test_a_broken_git_is_exit_2_naming_the_command(
    tmp_path: Path, fault: str, when: str, command: str
) -> None:
    root = breaking_branch(tmp_path)
    env = git_shim(tmp_path / "bin", fault, when)
    done = run_aces("run", str(root), "--stage", "2", "--no-cache", "--quiet", env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"aces: error: {root}: {command}")


def test_a_git_hung_inside_a_check_ends_at_the_check_deadline(tmp_path: Path) -> None:
    root = breaking_branch(tmp_path, f"check_timeout_seconds = {BUDGET}\n")
    # `git status` feeds the result cache's key, which every cached check computes first.
    env = git_shim(tmp_path / "bin", "hang", "*' status '*")
    assert not leftovers(), "stale marker processes from an earlier run"
    started = time.monotonic()
    done = run_aces("run", str(root), "--stage", "1", "--quiet", "--format", "json", env=env)
    elapsed = time.monotonic() - started
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    assert report["timing"]["stages"]["s01-spec"] < BUDGET + SLACK
    assert elapsed < BUDGET + SLACK + STARTUP
    time.sleep(0.2)
    assert not leftovers()
    reasons = [c.get("reason", "") for c in report["stages"][0]["checks"]]
    assert any(
        "`git status --porcelain=v2" in r and "timed out: the check's time budget of 3s" in r
        for r in reasons
    ), reasons
