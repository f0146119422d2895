"""``aces proto check [PATH] --against REF``: the protobuf rules of stages 2 and 11.

Runs ``schema.*`` (buf lint, buf breaking, the ArqonBus ruleset, golden vectors)
and the static ``compat.deprecation`` / ``compat.optional-fields`` checks on a
repository, comparing with ``--against`` (a git ref; without it the whole tree is
checked and base-vs-head rules are not applicable). Exit 0 pass, 1 violated,
2 cannot verify.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from aces.doctrine.catalog import load_doctrine
from aces.errors import InputError
from aces.pipeline.context import RunContext, RunOptions
from aces.pipeline.registry import StageDef
from aces.pipeline.runner import run_pipeline
from aces.policy.loader import load_policy
from aces.report.console import render_console_summary
from aces.report.json_report import render_json
from aces.stages import s11_compatibility
from aces.stages.schema_proto import PROTO_CHECKS
from aces.tools.process import ProcessRunner
from aces.tools.signals import terminate_children_on_signal
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest


def add_parser(sub: Any) -> None:
    """Register the ``proto`` sub-command and its ``check`` action."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "proto", help="protobuf contract checks (buf lint / breaking and the ArqonBus rules)"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="check the .proto files of a repository against a base ref",
        description="Exit 0 pass, 1 violated, 2 cannot verify.",
    )
    check.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    check.add_argument("--against", metavar="REF", help="git ref of the base version")
    check.add_argument("--policy", type=Path, help="policy file (default: <path>/aces.toml)")
    check.add_argument("--format", choices=("console", "json"), default="console")
    check.set_defaults(func=handle)


def proto_stages() -> tuple[StageDef, ...]:
    """The stages of the proto checks: stage 2's ``schema.*`` and stage 11's static ones."""
    return (
        StageDef(2, "schema", "Schema & State Machine Validation", PROTO_CHECKS),
        s11_compatibility.STAGE,
    )


def handle(args: argparse.Namespace) -> int:
    """Run the proto checks and print the result; the verdict's exit code."""
    root = Path(args.path)
    if not root.is_dir():
        raise InputError("not a directory", path=str(root))
    workspace = Workspace.open(root)
    loaded = load_policy(workspace.root, args.policy)
    change = compute_change(workspace, loaded.policy, base=args.against, pr=PullRequest())
    runner = ProcessRunner()
    options = RunOptions(keep_going=True)  # stage 11 reports even when stage 2 fails
    ctx = RunContext(workspace, change, loaded, load_doctrine(), options=options, processes=runner)
    with terminate_children_on_signal(runner):
        report = run_pipeline(proto_stages(), ctx)
    text = render_json(report) if args.format == "json" else render_console_summary(report)
    print(text, end="" if text.endswith("\n") else "\n")
    return report.verdict.exit_code
