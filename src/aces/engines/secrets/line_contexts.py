"""Lines of a file whose context is not the file's own.

Most secrets take the context of their file (``context.context_of``). Two kinds of
lines say otherwise by their structure:

- in a CI workflow, a job's ``services:`` block and a URL with a password to a
  loopback host configure that job's throwaway database: test fixtures, whatever
  the value (``ci_services``);
- in an OpenAPI / Swagger document, and in an API description written in code
  (``Field(example=…)``, ``@Schema(example = …)``), the values under ``example`` /
  ``examples`` keys are documented samples: documentation examples (``api_examples``);
- in Rust source, the items marked ``#[cfg(test)]`` (an inline ``mod tests``) and
  the ``#[test]`` functions are tests: their values are test fixtures, judged as in
  a test file (a fake value is information, a real-looking one blocks). A file that
  does not parse keeps its own context.
"""

from __future__ import annotations

from dataclasses import dataclass

from aces.engines.patterns.source import parse_source
from aces.engines.patterns.zones import TEST, file_spans
from aces.engines.secrets import api_examples, ci_services
from aces.engines.secrets.context import DOCS, TESTS
from aces.errors import InputError


@dataclass(frozen=True)
class LineContext:
    """The context of one line, and whether any value on it is a fixture by its place."""

    context: str
    fixture: bool = False


def may_differ(path: str) -> bool:
    """Whether a file can hold lines of another context (worth reading it again)."""
    return (
        ci_services.is_workflow(path)
        or path.lower().endswith(api_examples.EXTENSIONS)
        or api_examples.is_code(path)
    )


def line_contexts(path: str, data: bytes) -> dict[int, LineContext]:
    """The lines (1-based) of ``data``, the text of ``path``, whose context is their own."""
    found: dict[int, LineContext] = {}
    for line in api_examples.example_lines(path, data):
        found[line] = LineContext(DOCS)
    if path.lower().endswith(".rs"):
        for line in rust_test_lines(path, data):
            found[line] = LineContext(TESTS)
    if ci_services.is_workflow(path):
        text = data.decode("utf-8", "replace")
        for line in ci_services.fixture_lines(path, text):
            found[line] = LineContext(TESTS, fixture=True)
    return found


def rust_test_lines(path: str, data: bytes) -> frozenset[int]:
    """1-based lines of a Rust file inside ``#[cfg(test)]`` items and ``#[test]``
    functions; none when it does not parse."""
    try:
        source = parse_source(path, "rust", data)
    except InputError:
        return frozenset()
    lines: set[int] = set()
    for start, end, zone in file_spans(source, ()):
        if zone == TEST:
            first = data.count(b"\n", 0, start) + 1
            lines.update(range(first, first + data.count(b"\n", start, end) + 1))
    return frozenset(lines)
