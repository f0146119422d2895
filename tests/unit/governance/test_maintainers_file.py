"""Handles read from MAINTAINERS and CODEOWNERS files (gov.unanimous-major)."""

from __future__ import annotations

from aces.stages.governance import parse_maintainers, toml_path


def test_maintainers_file_takes_tagged_and_bare_handles() -> None:
    text = "# Maintainers\n@alice  # lead\n- @bob (ops)\ncarol\nDave Smith <d@example.org>\n"
    assert parse_maintainers(text, "MAINTAINERS") == ["alice", "bob", "carol"]


def test_codeowners_skips_the_pattern_and_keeps_teams() -> None:
    text = "*       @alice @org/platform\n/docs/  @bob\n# @mallory is commented out\n"
    assert parse_maintainers(text, ".github/CODEOWNERS") == ["alice", "org/platform", "bob"]


def test_a_path_pattern_alone_is_not_a_handle() -> None:
    assert parse_maintainers("docs\n", "CODEOWNERS") == []


def test_named_entries_of_arrays_of_tables_become_indexes() -> None:
    text = '[[tests.runners]]\nname = "py"\n\n[[tests.runners]]\nname = "rust"\nargv = ["x"]\n'
    assert toml_path(text, "tests.runners.rust.argv") == ("tests", "runners", 1, "argv")
    assert toml_path(text, "tests.runners.go") == ("tests", "runners")
    assert toml_path(text, "thresholds.core_coverage_percent") == (
        "thresholds",
        "core_coverage_percent",
    )
