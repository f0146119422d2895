"""A directory with its own aces.toml is a separate project, left to its own policy.

The outer repository (no ``aces.toml``: the doctrine defaults) holds a project under
``services/bus/`` with its own policy, its specs in a folder the outer defaults do not
know, a state machine and a protocol. The outer run does not judge those files by the
outer policy (no spec.required / spec.location / spec.references-schema finding in
them), says which nested projects it left out, and still scans them for secrets.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tests.integration.example_repo import context, git

from aces.engines.secrets.samples import expand
from aces.model import Finding
from aces.pipeline.runner import run_pipeline
from aces.report.console import render_console_summary
from aces.stages import STAGES
from aces.stages.s01_spec import SpecLocation, SpecReferencesSchema, SpecRequired
from aces.stages.security_secrets import SecretScan

NESTED = "services/bus"
TOKEN = expand("ghp_@@alnum:36@@", "nested-gh")
FILES = {
    "README.md": "# Outer\n",
    "app/main.py": '"""Outer app."""\n\nVALUE = 1\n',
    f"{NESTED}/aces.toml": (
        'policy_version = "1.0.0"\ndoctrine = "aces-1.0.0"\n\n[paths]\nspecs = ["design"]\n'
    ),
    f"{NESTED}/design/session.md": (
        "# Session\n\nCovers: state_machines/session.sm.yaml, proto/bus/v1/bus.proto\n\n"
        "## Acceptance criteria\n\n- AC-1: a session opens. Test: tests/test_session.py\n"
    ),
    f"{NESTED}/specs/notes.md": "# Notes\n\nCovers: state_machines/session.sm.yaml\n",
    f"{NESTED}/state_machines/session.sm.yaml": (
        "name: session\ninitial: idle\nstates: [idle, open]\n"
        "transitions:\n  - {from: idle, to: open, event: connect}\n"
    ),
    f"{NESTED}/proto/bus/v1/bus.proto": (
        'syntax = "proto3";\n\npackage bus.v1;\n\n// A frame.\nmessage Frame {\n'
        "  // The payload.\n  bytes payload = 1;\n}\n"
    ),
    f"{NESTED}/deploy/env.py": f'"""Deploy settings."""\n\nGITHUB_TOKEN = "{TOKEN}"\n',
}


def outer_repo(tmp_path: Path) -> Path:
    root = tmp_path / "outer"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def paths_of(findings: Iterable[Finding]) -> list[str]:
    return [f.location.path for f in findings if f.location]


def test_the_outer_run_does_not_judge_a_nested_project_by_its_own_policy(tmp_path: Path) -> None:
    ctx = context(outer_repo(tmp_path))
    assert ctx.workspace.nested_projects == (NESTED,)
    assert not [p for p in ctx.change.paths if p.startswith(NESTED + "/")]
    for check in (SpecRequired(), SpecLocation(), SpecReferencesSchema()):
        if check.applies(ctx) is None:
            assert not [p for p in paths_of(check.run(ctx)) if p.startswith(NESTED)]


def test_the_report_names_the_nested_projects_it_left_to_their_policy(tmp_path: Path) -> None:
    ctx = context(outer_repo(tmp_path))
    stage = next(s for s in STAGES if s.number == 1)
    report = run_pipeline((stage,), ctx)
    assert report.change is not None
    assert report.change.to_dict()["nested_projects"] == [NESTED]
    assert any(NESTED in note and "own policy" in note for note in report.notes)
    console = render_console_summary(report).splitlines()
    assert f"nested projects left to their own aces.toml: {NESTED}" in console


def test_the_secret_scan_still_reads_a_nested_project(tmp_path: Path) -> None:
    ctx = context(outer_repo(tmp_path))
    found = [(f.rule_id, f.location.path) for f in SecretScan().run(ctx) if f.location]
    assert ("sec.secrets.github-token", f"{NESTED}/deploy/env.py") in found


def test_a_change_only_inside_a_nested_project_is_scanned_for_secrets(tmp_path: Path) -> None:
    root = outer_repo(tmp_path)
    git(root, "checkout", "-q", "-b", "change")
    leak = root / NESTED / "deploy" / "more.py"
    leak.write_text(f'"""More."""\n\nTOKEN = "{TOKEN}"\n', encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "more")
    ctx = context(root, base="main")
    assert ctx.change.paths == ()
    assert [f.path for f in ctx.change.nested] == [f"{NESTED}/deploy/more.py"]
    found = [(f.rule_id, f.location.path) for f in SecretScan().run(ctx) if f.location]
    assert ("sec.secrets.github-token", f"{NESTED}/deploy/more.py") in found
