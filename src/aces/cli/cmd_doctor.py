"""``aces doctor [PATH] [--format text|json]``: are the external tools of the stages ready?

For every tool of the catalog it prints the stages that use it, where it was
found, its version against the pin in the repository's ``aces.toml``, and how
to install what is missing. Exit 0 unless a tool that an implemented check
needs is missing, mis-versioned or unreadable; then 2 (cannot verify).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aces.errors import DoctrineError, InputError
from aces.pipeline.registry import StageDef
from aces.policy.loader import load_policy
from aces.policy.schema import LoadedPolicy
from aces.stages import STAGES
from aces.tools.adapter import ToolAdapter
from aces.tools.catalog import TOOLS
from aces.tools.doctor import DoctorReport, diagnose, render_json, render_text
from aces.tools.process import ProcessRunner
from aces.tools.resolve import ToolResolver, tool_dirs

FORMATS = ("text", "json")


def add_parser(sub: Any) -> None:
    """Register the ``doctor`` sub-command."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "doctor",
        help="check that the external tools of the stages are installed and pinned",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Diagnose the tools for the repository at ``args.path`` and print the report."""
    root = Path(args.path).resolve()
    if not root.is_dir():
        raise InputError(f"{args.path}: not a directory", hint="pass the repository root")
    report = run_doctor(root, env_path=os.environ.get("PATH", ""))
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(report))
    return report.exit_code


def run_doctor(
    root: Path,
    *,
    env_path: str,
    tools: tuple[ToolAdapter, ...] = TOOLS,
    stages: Sequence[StageDef] = STAGES,
    runner: ProcessRunner | None = None,
) -> DoctorReport:
    """The doctor report for ``root``, with the resolver ``aces run`` uses (``.tools/`` first)."""
    loaded = _load_policy(root)
    resolver = ToolResolver(
        tool_dirs(root, env_path),
        runner or ProcessRunner(),
        dict(loaded.policy.toolchain),
        tools,
    )
    return diagnose(
        resolver,
        required=required_tools(stages, tools),
        cwd=root,
        root=str(root),
        policy_source=loaded.source,
    )


def _load_policy(root: Path) -> LoadedPolicy:
    """The repository's policy; the one place doctor reads it."""
    return load_policy(root)


def required_tools(
    stages: Sequence[StageDef], tools: Sequence[ToolAdapter]
) -> dict[str, tuple[int, ...]]:
    """Tool name -> stages of implemented checks that declare it in ``Check.tools``.

    A check naming a tool the catalog does not know is an inconsistent registry
    (``DoctrineError``): doctor could not tell whether that tool is ready.
    """
    known = {tool.name for tool in tools}
    needed: dict[str, set[int]] = {}
    for stage in stages:
        for check in stage.checks:
            for name in check.tools:
                if name not in known:
                    raise DoctrineError(
                        f"check {check.id} needs tool {name!r}, which the tool catalog lacks",
                        hint="add an adapter for it to aces/tools/catalog.py",
                    )
                needed.setdefault(name, set()).add(stage.number)
    return {name: tuple(sorted(numbers)) for name, numbers in sorted(needed.items())}
