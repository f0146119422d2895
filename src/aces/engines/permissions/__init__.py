"""The permission matrix: roles x actions, read with lines, validated and compared with a base.

``parse_matrix`` reads YAML or TOML; ``proto_rpcs`` and ``bus_actions`` name the
actions; ``validate`` checks completeness, default deny and wildcards;
``gains`` lists grants new against the base. No knowledge of stages or the CLI.
"""

from __future__ import annotations

from aces.engines.permissions.actions import bus_actions, proto_rpcs
from aces.engines.permissions.matrix import Entry, Matrix, MatrixError, Role, parse_matrix
from aces.engines.permissions.rules import Issue, gains, validate

__all__ = [
    "Entry",
    "Issue",
    "Matrix",
    "MatrixError",
    "Role",
    "bus_actions",
    "gains",
    "parse_matrix",
    "proto_rpcs",
    "validate",
]
