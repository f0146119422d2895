"""The binding notation: ``Verified by:`` references."""

from __future__ import annotations

import pytest

from aces.engines.specdoc.bindings import parse_binding


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tests/test_x.py::test_y", [("python", "tests/test_x.py", ("test_y",))]),
        ("`tests/test_x.py::TestX::test_y`", [("python", "tests/test_x.py", ("TestX", "test_y"))]),
        ("./tests/test_x.py::test_y[case-1]", [("python", "tests/test_x.py", ("test_y",))]),
        ("pytest: tests/a.py::t.", [("python", "tests/a.py", ("t",))]),
        (
            "rust: crate::envelope::tests::decodes",
            [("rust", None, ("crate", "envelope", "tests", "decodes"))],
        ),
        ("envelope::tests::decodes", [("rust", None, ("envelope", "tests", "decodes"))]),
        ('exunit: "decodes an envelope"', [("exunit", None, ("decodes an envelope",))]),
        ('"bare exunit name"', [("exunit", None, ("bare exunit name",))]),
        (
            'exunit: test/env_test.exs:"decodes"',
            [("exunit", "test/env_test.exs", ("decodes",))],
        ),
        (
            "tests/a.py::t1, tests/a.py::t2; rust: m::t3 and `tests/b.py::t4`",
            [
                ("python", "tests/a.py", ("t1",)),
                ("python", "tests/a.py", ("t2",)),
                ("rust", None, ("m", "t3")),
                ("python", "tests/b.py", ("t4",)),
            ],
        ),
    ],
)
def test_well_formed_references(
    text: str, expected: list[tuple[str, str | None, tuple[str, ...]]]
) -> None:
    refs, bad = parse_binding(text)
    assert bad == ()
    assert [(r.kind, r.file, r.names) for r in refs] == expected


@pytest.mark.parametrize(
    "text",
    [
        "the tenancy tests",
        "tests/test_x.py",  # no test named
        "tests/test_x.py::A::B::c",  # too deep
        "tests/test_x.txt::test_y",
        "rust: not a path",
        'exunit: env.ex:"x"',  # not an .exs file
        'exunit: ""',
    ],
)
def test_malformed_references_are_reported(text: str) -> None:
    _, bad = parse_binding(text)
    assert bad
