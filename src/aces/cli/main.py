"""``aces`` entry point: parse arguments, dispatch, map errors to exit codes.

Every user-facing error is an ``AcesError``: it becomes exit code 2 and one line
on stderr naming the file and what to do. ``--debug`` shows the traceback. What
is printed passes through ``aces.report.outbound``: a secret a tool echoed into
its error is masked, and a file name that is not UTF-8 cannot crash the print.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from types import FrameType

from aces import __version__
from aces.errors import AcesError

EXIT_CANNOT_VERIFY = 2
# What a shell reports for a program its reader stopped reading (128 + SIGPIPE): never 0.
EXIT_CLOSED_PIPE = 141

# Command name -> the module that defines it. Only the module of the command being
# run is imported (``aces run`` should not pay for the generators), unless help for
# every command is asked for.
COMMANDS: dict[str, str] = {
    "run": "aces.cli.cmd_run",
    "doctrine": "aces.cli.cmd_doctrine",
    "explain": "aces.cli.cmd_explain",
    "doctor": "aces.cli.cmd_doctor",
    "policy": "aces.cli.cmd_policy",
    "init": "aces.cli.cmd_init",
    "generate": "aces.cli.cmd_generate",
    "sm": "aces.cli.cmd_sm",
    "proto": "aces.cli.cmd_proto",
    "env": "aces.cli.cmd_env",
    "vulndb": "aces.cli.cmd_vulndb",
    "sbom": "aces.cli.cmd_supply",
    "sign": "aces.cli.cmd_supply",
    "verify": "aces.cli.cmd_supply",
}


def _command_of(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` when it is a known one (options before it skipped)."""
    for token in argv:
        if token.startswith("-"):
            continue
        return token if token in COMMANDS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every command, or only ``only`` (then the others are unknown)."""
    parser = argparse.ArgumentParser(
        prog="aces",
        description="Enforce the ArqonBus CI/CD doctrine (ACES 1.0.0) on a repository.",
    )
    parser.add_argument("--version", action="version", version=f"aces {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module in COMMANDS.items():
        if only is None or name == only:
            importlib.import_module(module).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 pass, 1 violated, 2 cannot verify)."""
    words = list(sys.argv[1:] if argv is None else argv)
    command = _command_of(words)
    if command is None and "--version" in words:
        # Answer without importing every command module (some load large engines).
        print(f"aces {__version__}")
        return 0
    if argv is None:  # the process's own entry point, not a caller in the same process
        _sigterm_is_not_verified()
    parser = build_parser(command)
    args = parser.parse_args(words)
    try:
        code: int = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at the interpreter's exit
    except BrokenPipeError:
        return _closed_pipe()
    except AcesError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"aces: error: {_error_line(exc)}", file=sys.stderr)
        return EXIT_CANNOT_VERIFY
    except KeyboardInterrupt:
        print("aces: interrupted", file=sys.stderr)
        return EXIT_CANNOT_VERIFY
    except Exception as exc:  # fail closed: an unexpected crash cannot verify
        if args.debug:
            traceback.print_exc()
        print(
            f"aces: internal error: {type(exc).__name__}: {_shown(str(exc))} "
            "(rerun with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_CANNOT_VERIFY
    return code


def _sigterm_is_not_verified() -> None:
    """A SIGTERM outside a command's own handling ends the process as not verified (exit 2).

    A run installs its own handler while it works (``terminate_children_on_signal``) and
    puts this one back when it ends; a SIGTERM after that (the interpreter joining a
    check's thread at exit) must not end the process as killed by the signal.
    """
    if threading.current_thread() is not threading.main_thread():
        return

    def late(signum: int, frame: FrameType | None) -> None:
        del frame
        name = signal.Signals(signum).name
        os.write(2, f"aces: interrupted by {name}: the run is not verified\n".encode())
        os._exit(EXIT_CANNOT_VERIFY)

    signal.signal(signal.SIGTERM, late)


def _closed_pipe() -> int:
    """The reader of standard output went away (``aces sm check ... | head``).

    Nothing more can be shown and nothing went wrong in aces: stop quietly, with the
    code a shell gives a program whose pipe closed. Standard output is pointed at the
    null device so the interpreter's own flush at exit does not fail again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)
    return EXIT_CLOSED_PIPE


def _error_line(exc: AcesError) -> str:
    """The diagnostics of an error as printed: the file name escaped, secrets masked."""
    from aces.report.outbound import escape_path

    if exc.path:
        exc.path = escape_path(exc.path)  # a line break in a file name stays on the line
    return _shown(exc.diagnostics())


def _shown(text: str) -> str:
    """An error text as it may be printed: secrets masked, undecodable bytes escaped."""
    try:
        # Imported here: the redactor compiles the secret rules, which only an error needs.
        from aces.report.outbound import clean_text

        return clean_text(text)
    except Exception:  # the redaction itself failed: print nothing it could not check
        return "(message withheld: the secret redaction could not run; rerun with --debug)"
