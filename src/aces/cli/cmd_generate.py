"""``aces generate ci --provider github|gitlab|buildkite``: the 12 stages as CI jobs.

The pipeline is printed on stdout, or written to ``--output``. It is generated from the
stage registry, so regenerate it after upgrading ACES instead of editing it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from aces.errors import InputError
from aces.generate.ci import DEFAULT_PATHS, PROVIDERS, render_ci
from aces.generate.ci_common import CiOptions
from aces.stages import STAGES


def add_parser(sub: Any) -> None:
    """Register the ``generate`` sub-command and its ``ci`` target."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "generate",
        help="generate CI pipelines",
        description="Generate files from the stage registry.",
    )
    targets = parser.add_subparsers(dest="target", metavar="TARGET")
    targets.required = True
    ci = targets.add_parser(
        "ci",
        help="a CI pipeline running the 12 stages as gated jobs",
        description=(
            "Emit the 12 stages as CI jobs in doctrine order, each gated on the previous one. "
            + "Usual locations: "
            + ", ".join(f"{name}: {path}" for name, path in sorted(DEFAULT_PATHS.items()))
        ),
    )
    defaults = CiOptions()
    ci.add_argument("--provider", required=True, choices=sorted(PROVIDERS))
    ci.add_argument("--output", type=Path, metavar="FILE", help="write here (default: stdout)")
    ci.add_argument(
        "--aces-requirement",
        default=defaults.aces_requirement,
        metavar="SPEC",
        help=f"what the jobs pip-install (default: {defaults.aces_requirement})",
    )
    ci.add_argument(
        "--default-branch",
        default=defaults.default_branch,
        help=f"branch whose pushes run the pipeline (default: {defaults.default_branch})",
    )
    parser.set_defaults(func=handle)
    ci.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Render the requested pipeline and print or write it."""
    options = CiOptions(
        aces_requirement=_non_empty(args.aces_requirement, "--aces-requirement"),
        default_branch=_non_empty(args.default_branch, "--default-branch"),
    )
    text = render_ci(args.provider, STAGES, options)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    _write(args.output, text)
    print(f"wrote {args.output} ({args.provider}, {len(STAGES)} stages)")
    return 0


def _non_empty(value: str, flag: str) -> str:
    """The stripped value; an empty one cannot make a working pipeline."""
    if not value.strip():
        raise InputError(f"{flag} must not be empty")
    return value.strip()


def _write(path: Path, text: str) -> None:
    """Write the pipeline file (parents included)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=str(path)) from exc
