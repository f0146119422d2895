"""``aces policy``: validate a repository's policy, or show the effective one.

``aces policy validate [PATH] [--file F]`` prints ``<file>: valid (policy_version X)``
and exits 0, or prints every problem as ``file:line: key.path: message`` and exits 2.
``aces policy show [PATH] [--file F] [--format toml|json]`` prints the effective
policy, doctrine defaults filled in.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

from aces.generate.policy_toml import section_tables
from aces.policy.loader import load_policy
from aces.policy.problems import PolicyFileError
from aces.policy.render import to_json, to_toml

EXIT_OK = 0
EXIT_CANNOT_VERIFY = 2


def add_parser(sub: Any) -> None:
    """Register the ``policy`` sub-command and its ``validate`` and ``show`` actions."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "policy", help="validate or show the repository's policy (aces.toml)"
    )
    actions = parser.add_subparsers(dest="policy_action", metavar="ACTION")
    actions.required = True
    validate = actions.add_parser("validate", help="check aces.toml; list every problem")
    _add_location_arguments(validate)
    validate.set_defaults(func=handle, policy_action="validate")
    show = actions.add_parser("show", help="print the effective policy, defaults filled in")
    _add_location_arguments(show)
    show.add_argument(
        "--format", choices=("toml", "json"), default="toml", help="output format (toml)"
    )
    show.set_defaults(func=handle, policy_action="show")
    parser.set_defaults(func=handle)


def _add_location_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", default=".", type=Path, help="repository root (default: .)"
    )
    parser.add_argument(
        "--file",
        type=Path,
        default=None,
        help="policy file to use instead of <PATH>/aces.toml",
    )


def handle(args: argparse.Namespace) -> int:
    """Run ``validate`` or ``show``; other errors propagate to the CLI's handler."""
    if args.policy_action == "show":
        return _show(args)
    return _validate(args)


def _validate(args: argparse.Namespace) -> int:
    try:
        loaded = load_policy(args.path, args.file)
    except PolicyFileError as problems:
        for line in problems.lines():
            print(line)
        return EXIT_CANNOT_VERIFY
    print(f"{loaded.source}: valid (policy_version {loaded.policy.policy_version})")
    return EXIT_OK


# Sections ``to_toml`` writes itself; every other section of the schema is added after them.
CORE_SECTIONS = frozenset(
    {
        "policy_version",
        "doctrine",
        "default_branch",
        "check_timeout_seconds",
        "paths",
        "change_classes",
        "spec",
        "thresholds",
        "toolchain",
        "maintainers",
        "allowlist",
    }
)


def _show(args: argparse.Namespace) -> int:
    loaded = load_policy(args.path, args.file)
    if args.format == "json":
        print(to_json(loaded.policy), end="")
        return EXIT_OK
    others = [f.name for f in dataclasses.fields(loaded.policy) if f.name not in CORE_SECTIONS]
    print(to_toml(loaded.policy) + section_tables(loaded.policy, others), end="")
    return EXIT_OK
