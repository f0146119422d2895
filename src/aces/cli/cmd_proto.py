"""``aces proto``: placeholder until the command lands."""

from __future__ import annotations

import argparse
from typing import Any

from aces.errors import AcesError


def add_parser(sub: Any) -> None:
    """Register the ``proto`` sub-command."""
    parser: argparse.ArgumentParser = sub.add_parser("proto", help="(not available yet)")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Not available yet: cannot verify."""
    raise AcesError("'aces proto' is not available in this version")
