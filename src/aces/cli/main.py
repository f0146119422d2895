"""``aces`` entry point: parse arguments, dispatch, map errors to exit codes.

Every user-facing error is an ``AcesError``: it becomes exit code 2 and one line
on stderr naming the file and what to do. ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from aces import __version__
from aces.cli import (
    cmd_doctor,
    cmd_doctrine,
    cmd_explain,
    cmd_generate,
    cmd_init,
    cmd_policy,
    cmd_proto,
    cmd_run,
    cmd_sm,
)
from aces.errors import AcesError

EXIT_CANNOT_VERIFY = 2

COMMANDS: tuple[ModuleType, ...] = (
    cmd_run,
    cmd_doctrine,
    cmd_explain,
    cmd_doctor,
    cmd_policy,
    cmd_init,
    cmd_generate,
    cmd_sm,
    cmd_proto,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser; each command module adds its own sub-command."""
    parser = argparse.ArgumentParser(
        prog="aces",
        description="Enforce the ArqonBus CI/CD doctrine (ACES 1.0.0) on a repository.",
    )
    parser.add_argument("--version", action="version", version=f"aces {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 pass, 1 violated, 2 cannot verify)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except AcesError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"aces: error: {exc.diagnostics()}", file=sys.stderr)
        return EXIT_CANNOT_VERIFY
    except KeyboardInterrupt:
        print("aces: interrupted", file=sys.stderr)
        return EXIT_CANNOT_VERIFY
    except Exception as exc:  # fail closed: an unexpected crash cannot verify
        if args.debug:
            traceback.print_exc()
        print(
            f"aces: internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_CANNOT_VERIFY
    return code
