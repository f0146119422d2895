"""GlobMatcher agrees with gitignore semantics (pathspec) on positive and negated globs."""

from __future__ import annotations

import pathspec
import pytest

from aces.errors import InputError
from aces.workspace.globs import GlobMatcher

PATHS = [
    "proto/a.proto",
    "proto/x/y/b.proto",
    "src/proto/c.proto",
    "schemas/s.json",
    "specs/a.md",
    "a.proto",
    "README.md",
    "state_machines/x.sm.yaml",
    "lib/y.sm.yaml",
]


@pytest.mark.parametrize(
    "globs",
    [
        ["**/*.proto", "proto/**", "schemas/**"],
        ["state_machines/**", "**/*.sm.yaml"],
        ["*.md"],
        ["proto/**", "!proto/x/**"],
        ["/a.proto"],
        [],
    ],
)
def test_matches_what_gitignore_semantics_select(globs: list[str]) -> None:
    reference = pathspec.PathSpec.from_lines("gitignore", globs)
    expected = [p for p in PATHS if globs and reference.match_file(p)]
    assert GlobMatcher(globs).filter(PATHS) == expected


def test_invalid_glob_is_an_input_error() -> None:
    with pytest.raises(InputError, match="invalid glob"):
        GlobMatcher(["src/**", "!"])
