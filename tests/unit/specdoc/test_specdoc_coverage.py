"""Coverage declarations: front matter and Covers lines."""

from __future__ import annotations

import pytest

from aces.engines.specdoc.document import parse_spec


def test_front_matter_declaration() -> None:
    spec = parse_spec(
        "specs/x.md",
        "---\ncovers:\n  - proto/**\n  - src/a.py\nproto_packages: arqonbus.*\n---\n# X\n",
    )
    assert spec.problems == ()
    assert spec.coverage.globs == ("proto/**", "src/a.py")
    assert spec.coverage.proto_packages == ("arqonbus.*",)
    assert spec.coverage.lines == (2, 5)


def test_covers_lines_outside_code() -> None:
    spec = parse_spec(
        "specs/001-x/spec.md",
        "# X\n**Covers**: `src/a.py`, `state_machines/*.sm.yaml`\n"
        "**Proto packages**: `arqonbus.v1`\n```\nCovers: ignored.py\n```\n",
    )
    assert spec.coverage.globs == ("src/a.py", "state_machines/*.sm.yaml")
    assert spec.coverage.proto_packages == ("arqonbus.v1",)
    assert spec.coverage.lines == (2, 3)


@pytest.mark.parametrize(
    ("path", "package", "covered"),
    [
        ("proto/arqonbus/v1/envelope.proto", None, True),
        ("src/a.py", None, True),
        ("src/b.py", None, False),
        ("lib/x.proto", "arqonbus.v1", True),
        ("lib/x.proto", "arqonbus", True),
        ("lib/x.proto", "arqonbusx.v1", False),
        ("lib/x.proto", "other.v1", False),
    ],
)
def test_covers(path: str, package: str | None, covered: bool) -> None:
    spec = parse_spec(
        "s.md", "---\ncovers: [proto/**, src/a.py]\nproto_packages: [arqonbus.*]\n---\n"
    )
    assert spec.covers(path, package) is covered


def test_exact_package_does_not_cover_subpackages() -> None:
    spec = parse_spec("s.md", "---\nproto_packages: [arqonbus.v1]\n---\n")
    assert spec.covers("x.proto", "arqonbus.v1")
    assert not spec.covers("x.proto", "arqonbus.v1.admin")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("---\ncovers: [a\n---\n", 2, "front matter is not valid YAML"),
        ("---\n- a\n---\n", 1, "front matter must be a YAML mapping"),
        ("---\ncovers: 3\n---\n", 2, "'covers' must be a string or a list of strings"),
        ("# X\nCovers:\n", 2, "'Covers:' lists nothing"),
    ],
)
def test_malformed_declarations_are_problems(text: str, line: int, message: str) -> None:
    spec = parse_spec("s.md", text)
    assert len(spec.problems) == 1
    assert spec.problems[0].line == line
    assert spec.problems[0].message.startswith(message)


def test_no_declaration() -> None:
    spec = parse_spec("s.md", "# Just a document\n")
    assert not spec.coverage.declared
    assert spec.problems == ()
