"""``aces sm``: check state machines and draw them.

``aces sm check FILE...`` loads each machine, prints its static issues and the
model checker's result (with the shortest counterexample of each violation) and
exits 0 when every machine is sound, 1 when one has an issue or a violation, 2
when one cannot be verified (it does not load, or exceeds the state limit).
``aces sm graph FILE --format mermaid|dot`` prints the machine as a diagram.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from aces.engines.statemachine import (
    Machine,
    MachineError,
    ModelResult,
    load_machine,
    model_check,
    render_trace,
    static_issues,
    to_dot,
    to_mermaid,
)
from aces.errors import InputError
from aces.policy.schema import StateMachinePolicy
from aces.tools.process import ProcessRunner
from aces.tools.resolve import ToolResolver

EXIT_PASS, EXIT_FAIL, EXIT_ERROR = 0, 1, 2
MAX_MACHINE_BYTES = 5_000_000


def add_parser(sub: Any) -> None:
    """Register ``sm check`` and ``sm graph``."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "sm", help="check state machines (*.sm.yaml) and draw them"
    )
    commands = parser.add_subparsers(dest="sm_command", metavar="SUBCOMMAND")
    commands.required = True
    check = commands.add_parser(
        "check", help="static rules and model checking; exit 0 sound, 1 violated, 2 unverified"
    )
    check.add_argument("files", nargs="+", metavar="FILE", help="state machine files")
    check.add_argument(
        "--state-limit",
        type=_positive,
        default=StateMachinePolicy().state_limit,
        help="distinct states to explore before giving up (default %(default)s)",
    )
    check.set_defaults(func=handle_check)
    graph = commands.add_parser("graph", help="print the machine as a Mermaid or DOT diagram")
    graph.add_argument("file", metavar="FILE", help="a state machine file")
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.set_defaults(func=handle_graph)


def _positive(text: str) -> int:
    """An argparse type: a positive integer."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {text!r}")
    return value


def read_machine(name: str) -> Machine:
    """Load the machine file ``name`` (``MachineError`` / ``InputError`` when it cannot be)."""
    path = Path(name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", path=name) from exc
    if len(data) > MAX_MACHINE_BYTES:
        raise InputError(f"file is over the {MAX_MACHINE_BYTES}-byte limit", path=name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not valid UTF-8 (offset {exc.start})", path=name) from exc
    return load_machine(name, text.removeprefix("\ufeff"))


def handle_check(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Check every file; the worst outcome is the exit code."""
    stream = out or sys.stdout
    worst = EXIT_PASS
    for name in args.files:
        worst = max(worst, check_file(name, args.state_limit, stream))
    verdict = {EXIT_PASS: "PASS", EXIT_FAIL: "FAIL", EXIT_ERROR: "ERROR"}[worst]
    print(f"result: {verdict}", file=stream)
    return worst


def _compiler() -> str | None:
    """The C compiler of the fast backend, found as the stages find it (``.tools/bin`` first)."""
    runner = ProcessRunner()
    found = ToolResolver.for_repository(Path.cwd(), runner, {}).locate("cc")
    return str(found) if found is not None else None


def check_file(name: str, state_limit: int, out: TextIO) -> int:
    """Print the checks of one file; its exit code."""
    try:
        machine = read_machine(name)
    except MachineError as exc:
        print(f"{exc.diagnostics()}  [sm.invalid]", file=out)
        return EXIT_ERROR
    except InputError as exc:
        print(exc.diagnostics(), file=out)
        return EXIT_ERROR
    print(
        f"{name}: machine {machine.name!r}: {len(machine.states)} states, "
        f"{len(machine.events)} events, {len(machine.transitions)} transitions",
        file=out,
    )
    # one exploration serves both the non-determinism rule and the invariants
    result = model_check(machine, state_limit=state_limit, compiler=_compiler())
    code = EXIT_PASS
    for issue in static_issues(machine, result=result):
        print(f"  {name}:{issue.line}:{issue.column}: {issue.rule_id}: {issue.message}", file=out)
        code = EXIT_FAIL
    return max(code, print_model_result(name, result, state_limit, out))


def print_model_result(name: str, result: ModelResult, state_limit: int, out: TextIO) -> int:
    """Print the model checker's figures and violations; the exit code they mean."""
    figures = (
        f"{result.distinct_states} distinct states, {result.generated} generated, "
        f"depth {result.depth}"
    )
    if not result.complete:
        print(
            f"  model check: INCOMPLETE at the state limit ({state_limit}): {figures}; "
            "the invariants are not verified",
            file=out,
        )
        return EXIT_ERROR
    print(f"  model check: complete, {figures}", file=out)
    violations = [v for v in result.violations if v.kind != "nondeterministic"]
    for violation in violations:
        print(
            f"  {name}:{violation.line}:{violation.column}: sm.invariants.{violation.kind}: "
            f"{violation.message}",
            file=out,
        )
        print(f"    shortest counterexample ({max(len(violation.trace) - 1, 0)} steps):", file=out)
        for line in render_trace(violation.trace).splitlines():
            print(f"      {line}".rstrip(), file=out)
    return EXIT_FAIL if violations else EXIT_PASS


def handle_graph(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Print the diagram; a file that does not load is an error (exit 2)."""
    stream = out or sys.stdout
    machine = read_machine(args.file)
    text = to_mermaid(machine) if args.format == "mermaid" else to_dot(machine)
    stream.write(text if text.endswith("\n") else text + "\n")
    return EXIT_PASS
