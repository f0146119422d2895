"""``aces sm``: placeholder until the command lands."""

from __future__ import annotations

import argparse
from typing import Any

from aces.errors import AcesError


def add_parser(sub: Any) -> None:
    """Register the ``sm`` sub-command."""
    parser: argparse.ArgumentParser = sub.add_parser("sm", help="(not available yet)")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Not available yet: cannot verify."""
    raise AcesError("'aces sm' is not available in this version")
