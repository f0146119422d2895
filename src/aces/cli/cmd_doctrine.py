"""``aces doctrine``: the traceability matrix clause -> checks -> state."""

from __future__ import annotations

import argparse
import json
from typing import Any

from aces.doctrine.catalog import DEFAULT_DOCTRINE, load_doctrine
from aces.doctrine.matrix import MatrixRow, build_matrix
from aces.stages import STAGES


def add_parser(sub: Any) -> None:
    """Register the ``doctrine`` sub-command."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "doctrine", help="show which doctrine clauses are enforced, and by which checks"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--version-id", default=DEFAULT_DOCTRINE, help="doctrine version")
    parser.set_defaults(func=handle)


def render_text(rows: tuple[MatrixRow, ...]) -> str:
    """A fixed-width table, one clause a line, with a count at the end."""
    width = max(len(r.clause_id) for r in rows)
    lines = [f"{'clause':<{width}}  {'state':<8}  checks", f"{'-' * width}  --------  ------"]
    for row in rows:
        checks = ", ".join(row.checks) if row.checks else "-"
        lines.append(f"{row.clause_id:<{width}}  {row.state:<8}  {checks}")
    enforced = sum(1 for r in rows if r.checks)
    lines.append("")
    lines.append(f"{enforced} of {len(rows)} clauses enforced")
    return "\n".join(lines) + "\n"


def render_json(version: str, rows: tuple[MatrixRow, ...]) -> str:
    """The matrix as JSON, sorted and stable."""
    data = {
        "doctrine": version,
        "enforced": sum(1 for r in rows if r.checks),
        "total": len(rows),
        "clauses": [r.to_dict() for r in rows],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def handle(args: argparse.Namespace) -> int:
    """Print the matrix; exit 0."""
    doctrine = load_doctrine(args.version_id)
    rows = build_matrix(doctrine, STAGES)
    if args.format == "json":
        print(render_json(doctrine.version, rows), end="")
    else:
        print(render_text(rows), end="")
    return 0
