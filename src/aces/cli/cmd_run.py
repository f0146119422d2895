"""``aces run``: the 12 stages over a repository, reports, and the exit code."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from rich.console import Console

from aces.doctrine.catalog import load_doctrine
from aces.errors import InputError
from aces.model import RunReport
from aces.pipeline.cache import ResultCache, default_cache_dir
from aces.pipeline.context import RunContext, RunOptions
from aces.pipeline.registry import StageDef, resolve_stage
from aces.pipeline.runner import run_pipeline
from aces.policy.effective import policy_and_change, snapshot_file
from aces.report.console import ConsoleObserver, render_console_summary
from aces.report.github import render_annotations
from aces.report.markdown import render_markdown
from aces.report.writers import REPORT_FORMATS, write_reports
from aces.stages import STAGES
from aces.stages.tooling import require_git
from aces.tools.process import ProcessRunner
from aces.tools.signals import terminate_children_on_signal
from aces.workspace.change import load_pr_metadata
from aces.workspace.cienv import from_environment
from aces.workspace.index import Workspace
from aces.workspace.prmeta import apply_flags
from aces.workspace.rundirs import OUT, run_dir

# What ``--format`` prints instead of the console summary: every report format.
STDOUT_FORMATS: dict[str, Callable[[RunReport], str]] = {f.name: f.render for f in REPORT_FORMATS}


def add_parser(sub: Any) -> None:
    """Register the ``run`` sub-command."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "run",
        help="run the 12 stages on a repository",
        description="Run the ACES stages in order; exit 0 pass, 1 violated, 2 cannot verify.",
    )
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument(
        "--policy",
        type=Path,
        help="a policy file stricter than <path>/aces.toml, used in its place",
    )
    parser.add_argument("--base", help="base ref of the change (default: merge-base)")
    parser.add_argument("--event", type=Path, help="GitHub / GitLab event JSON file")
    parser.add_argument("--pr-title", help="PR title")
    parser.add_argument("--pr-body-file", type=Path, help="file holding the PR body")
    parser.add_argument(
        "--label", action="append", default=[], help="PR label (repeatable)", metavar="LABEL"
    )
    parser.add_argument(
        "--stage",
        action="append",
        default=[],
        metavar="N|NAME",
        help="run only this stage (repeatable); the verdict covers only what ran",
    )
    parser.add_argument(
        "--keep-going", action="store_true", help="run later stages after a blocking one"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the result cache"
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="report directory (default: .aces/out in CI, else under the git dir)",
    )
    parser.add_argument(
        "--format",
        choices=("console", *sorted(STDOUT_FORMATS)),
        default="console",
        help="what to print on stdout (reports are always written to --out)",
    )
    parser.add_argument("--jobs", type=int, default=4, help="parallel checks within a stage")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.set_defaults(func=handle)


def selected_stages(stages: tuple[StageDef, ...], tokens: list[str]) -> tuple[int, ...]:
    """Stage numbers from ``--stage`` values (numbers, names or slugs)."""
    return tuple(sorted({resolve_stage(stages, token).number for token in tokens}))


def handle(args: argparse.Namespace) -> int:
    """Run, write every report, print the chosen format; return the verdict's exit code.

    From the first git call on, SIGTERM or SIGINT stops every child (git included).
    """
    runner = ProcessRunner()
    with terminate_children_on_signal(runner):
        return _run(args, runner)


def _run(args: argparse.Namespace, runner: ProcessRunner) -> int:
    """The body of ``handle``: every subprocess goes through ``runner``."""
    root = Path(args.path).resolve()
    if args.jobs < 1:
        raise InputError(f"--jobs must be at least 1, not {args.jobs}")
    head = snapshot_file(root)
    override = snapshot_file(root, args.policy) if args.policy is not None else None
    require_git(
        root,
        head.loaded.policy.toolchain,
        runner,
        timeout=head.loaded.policy.check_timeout_seconds,
    )
    workspace = Workspace.open(root, processes=runner, policy_file=args.policy)
    from_ci = from_environment(os.environ, event_file=args.event)
    pr = load_pr_metadata(
        event_file=args.event if args.event is not None else from_ci.event_file,
        title=args.pr_title,
        body_file=args.pr_body_file,
        labels=args.label,
    )
    if args.event is None and from_ci.pr is not None:
        pr = apply_flags(from_ci.pr, title=args.pr_title, body=pr.body or None, labels=args.label)
    # The ratchet: the base's policy stays in force when the head (or --policy) loosens it.
    loaded, change = policy_and_change(workspace, head, override, base=args.base, pr=pr, ci=from_ci)
    doctrine = load_doctrine(loaded.policy.doctrine)
    ctx = RunContext(
        workspace=workspace,
        change=change,
        loaded_policy=loaded,
        doctrine=doctrine,
        options=RunOptions(
            keep_going=args.keep_going,
            stages=selected_stages(STAGES, args.stage),
            use_cache=not args.no_cache,
            jobs=args.jobs,
            check_timeout_seconds=loaded.policy.check_timeout_seconds,
        ),
        observer=ConsoleObserver(Console(file=sys.stderr, quiet=args.quiet)),
        processes=runner,
    )
    cache_dir = default_cache_dir(root, is_git=workspace.is_git, env=os.environ)
    cache = None if args.no_cache or cache_dir is None else ResultCache(cache_dir)
    report = run_pipeline(STAGES, ctx, cache=cache)
    out_dir = args.out if args.out is not None else run_dir(root, OUT, is_git=workspace.is_git)
    written = write_reports(report, out_dir, source_root=root)
    _publish_to_ci(report, os.environ)
    if args.format == "console":
        print(render_console_summary(report, written), end="")
    else:
        sys.stdout.write(STDOUT_FORMATS[args.format](report))
    return report.verdict.exit_code


def _publish_to_ci(report: RunReport, env: Mapping[str, str]) -> None:
    """Inside GitHub Actions: annotations on stdout, the Markdown in the step summary."""
    if env.get("GITHUB_ACTIONS") != "true":
        return
    annotations, _left_out = render_annotations(report)
    sys.stdout.write(annotations)
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with Path(summary).open("a", encoding="utf-8") as handle:
                handle.write(render_markdown(report))
        except OSError as exc:
            raise InputError(
                f"cannot append to the step summary: {exc.strerror}", path=summary
            ) from exc
