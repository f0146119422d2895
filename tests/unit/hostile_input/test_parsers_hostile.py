"""Hostile input to every parser: only ACES's own error (``AcesError``) may come out.

Random text, valid samples mutated at random (structural characters inserted,
slices cut or repeated) and inputs nested far beyond any real file (100,000
levels, as an attacker would write them) are fed to every parser entry point of
repository input: policy, state machines, JUnit, libtest, LCOV, Cobertura,
coverage.py, coverage baselines, histories, traces, specs, every lockfile, the
manifests and toolchain files, and OSV records.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.unit.hostile_input.parsers import PARSERS, Parser

from aces.errors import AcesError
from aces.nesting import MAX_DEPTH, NestingError, check_depth, nesting_error, parse_bounded

BY_NAME = {parser.name: parser for parser in PARSERS}
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,  # the same examples on every run: a red suite is reproducible
)
STRUCTURE = [*"[]{}<>\"'\n:-#=,.\\ \t\x00/&*!|>%@`", "\ud800", "\u2028", "<<<<<<< ", "]]"]


# an alias inside its own anchor makes the document a cycle, infinitely deep when walked
ALIAS_CYCLES = [
    "&x [*x]\n",
    "a: &x\n  b: [*x]\n",
    "jobs: &x\n  a:\n    steps: [*x]\n",
    "services: &x\n  a: *x\n",
    "roles: &x\n  admin: *x\n",
    "---\ncovers: &x [*x]\n---\n# T\n",
]


def _deep(nests: str, depth: int) -> list[str]:
    """Texts of the syntax ``nests`` nested ``depth`` levels deep, in every spelling."""
    if nests == "json":
        return ["[" * depth + "]" * depth, '{"a":' * depth + "1" + "}" * depth]
    if nests == "toml":
        return [
            "x = " + "[" * depth + "]" * depth,
            "x = " + "{a=" * depth + "1" + "}" * depth,
            "x" + ".a" * depth + " = 1\n",
            "[x" + ".a" * depth + "]\n",
            "[[x" + ".a" * depth + "]]\n",
        ]
    if nests == "yaml":
        return [
            "- " * depth + "x\n",
            "[" * depth + "]" * depth + "\n",
            # block nesting by indentation: 2 * MAX_DEPTH levels are enough to be refused
            "".join(" " * i + "a:\n" for i in range(min(depth, 2 * MAX_DEPTH)))
            + " " * min(depth, 2 * MAX_DEPTH)
            + "a: 1\n",
            "---\ncovers: " + "[" * depth + "]" * depth + "\n---\n# T\n",
            *ALIAS_CYCLES,
        ]
    if nests == "xml":
        return ["<a>" * depth + "</a>" * depth, "<testsuites>" + "<testsuite>" * depth]
    return ["[" * depth + "\n" + "{" * depth + "\n"]


def _survives(parser: Parser, text: str) -> None:
    """``parser`` returns or raises an ``AcesError``; anything else fails the test."""
    try:
        parser.call(text)
    except AcesError as exc:
        assert exc.diagnostics().strip(), f"{parser.name}: an error without a message"


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
def test_each_sample_parses(parser: Parser) -> None:
    parser.call(parser.sample)


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
def test_nested_100k_deep_is_a_clean_error(parser: Parser) -> None:
    for text in _deep(parser.nests, 100_000):
        _survives(parser, text)


@pytest.mark.parametrize("name", ["policy", "Cargo.lock", "package-lock.json", "coverage.py"])
def test_too_deep_names_the_file_and_the_bound(name: str) -> None:
    parser = BY_NAME[name]
    with pytest.raises(AcesError) as raised:
        parser.call(_deep(parser.nests, 100_000)[0])
    line = raised.value.diagnostics()
    assert f"more than {MAX_DEPTH} levels" in line
    assert "\n" not in line


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
@given(text=st.text(max_size=400))
@EXAMPLES
def test_random_text(parser: Parser, text: str) -> None:
    _survives(parser, text)


@st.composite
def mutated(draw: st.DrawFn, sample: str) -> str:
    """``sample`` with a few random edits: structural characters in, slices out or doubled."""
    text = sample
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "cut", "repeat", "text"]))
        if edit == "insert":
            text = text[:at] + draw(st.sampled_from(STRUCTURE)) + text[at:]
        elif edit == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif edit == "repeat":
            piece = text[at : at + draw(st.integers(1, 40))]
            text = text[:at] + piece * draw(st.integers(2, 200)) + text[at:]
        else:
            text = text[:at] + draw(st.text(max_size=20)) + text[at:]
    return text


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
@given(data=st.data())
@EXAMPLES
def test_mutated_samples(parser: Parser, data: st.DataObject) -> None:
    _survives(parser, data.draw(mutated(parser.sample)))


@pytest.mark.parametrize("parser", PARSERS, ids=lambda p: p.name)
@given(depth=st.integers(MAX_DEPTH - 5, 2 * MAX_DEPTH), at=st.integers(0, 10_000))
@EXAMPLES
def test_nesting_spliced_into_samples(parser: Parser, depth: int, at: int) -> None:
    for deep in _deep(parser.nests, depth):
        where = at % (len(parser.sample) + 1)
        _survives(parser, parser.sample[:where] + deep + parser.sample[where:])


@pytest.mark.parametrize(
    ("syntax", "text"),
    [
        ("json", '["[[[[[[", "{{{{{{"]'),
        ("toml", 'x = "[[[[[[[[[[" # {{{{{{{{{\ny = 1.5\n'),
        ("toml", "x = [" + "1.5, " * 500 + "]\n"),
        ("yaml", "a: '[[[[[[[[[[[['\nb: [1, 2]\n"),
    ],
)
def test_brackets_in_strings_and_floats_are_not_nesting(syntax: str, text: str) -> None:
    check_depth(text * 50, syntax, nesting_error("f"))  # type: ignore[arg-type]


def test_a_recursion_error_of_the_parser_becomes_the_callers_error() -> None:
    def recurse(text: str) -> object:
        return recurse(text)

    with pytest.raises(NestingError, match="nested too deeply"):
        parse_bounded(recurse, "{}", "f.json", "json")
