"""The plain output of Rust's libtest (``cargo test``): per-test results.

Cargo has no stable JUnit or JSON output, so the human format is read:

    Running unittests src/lib.rs (target/debug/deps/crate-1a2b)
    running 2 tests
    test header::tests::round_trip ... ok
    test subject::tests::rejects_empty ... FAILED
    failures:
    ---- subject::tests::rejects_empty stdout ----
    thread '...' panicked at src/subject.rs:40:9:
    assertion failed: ...
    test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out

A test that prints without capture can split its line (``test x ... `` then
noise, then ``ok`` alone on a line): the outcome is matched to the oldest
pending test. Each ``test result:`` line must agree with the tests read for
that binary; when it does not, or a ``running N tests`` block ends without its
summary, the output cannot be trusted: ``TestReportError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aces.engines.testreports.junit import TestReportError, first_line
from aces.engines.testreports.model import Outcome, TestCase, TestReport

_RUNNING_BINARY = re.compile(r"^\s*(?:Running|Doc-tests)\s+(.+?)\s*$")
_RUNNING = re.compile(r"^running (\d+) tests?$")
_TEST = re.compile(r"^test (.+?) \.\.\. ?(.*)$")
_RESULT = re.compile(
    r"^test result: (?:ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; "
    r"(\d+) measured; (\d+) filtered out"
)
_STATUS = {"ok": Outcome.PASSED, "FAILED": Outcome.FAILED}
_PANIC = re.compile(r"panicked at (.+?):(\d+):\d+:?\s*(.*)$")
_SECTION = re.compile(r"^---- (.+?) stdout ----$")


@dataclass
class _Block:
    """One test binary's ``running N tests`` block while it is read."""

    binary: str
    expected: int
    cases: list[TestCase] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)


def parse_libtest(text: str, name: str) -> TestReport:
    """The tests in the output ``text`` of ``cargo test`` (``name`` labels errors)."""
    binary = ""
    block: _Block | None = None
    cases: list[TestCase] = []
    details = _failure_details(text)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if match := _RUNNING_BINARY.match(line):
            binary = match.group(1)
        elif match := _RUNNING.match(line):
            if block is not None:
                _unfinished(block, name, number)
            block = _Block(binary, int(match.group(1)))
        elif block is not None and (match := _RESULT.match(line)):
            cases.extend(_finish(block, match, name, number, details))
            block = None
        elif block is not None:
            _read_test_line(block, line)
    if block is not None:
        _unfinished(block, name, len(text.splitlines()))
    return TestReport(name, tuple(cases))


def _read_test_line(block: _Block, line: str) -> None:
    """A ``test x ... ok`` line, or the bare outcome of an earlier pending one."""
    match = _TEST.match(line)
    if match:
        test, status = match.group(1), match.group(2).strip()
        outcome = _outcome(status)
        if outcome is None:
            block.pending.append(test)
        else:
            block.cases.append(_case(block, test, outcome))
        return
    outcome = _outcome(line.strip())
    if outcome is not None and block.pending:
        block.cases.append(_case(block, block.pending.pop(0), outcome))


def _outcome(status: str) -> Outcome | None:
    if status in _STATUS:
        return _STATUS[status]
    if status.startswith("ignored"):
        return Outcome.SKIPPED
    return None


def _case(block: _Block, test: str, outcome: Outcome) -> TestCase:
    return TestCase(id=test, outcome=outcome, message=block.binary)


def _finish(
    block: _Block, result: re.Match[str], name: str, number: int, details: dict[str, _Detail]
) -> list[TestCase]:
    """The block's cases once its summary agrees with them."""
    passed, failed, ignored = (int(result.group(i)) for i in (1, 2, 3))
    counts = {o: sum(1 for c in block.cases if c.outcome is o) for o in Outcome}
    seen = (counts[Outcome.PASSED], counts[Outcome.FAILED], counts[Outcome.SKIPPED])
    if block.pending or seen != (passed, failed, ignored):
        raise TestReportError(
            f"{name}:{number}: the summary says {passed} passed, {failed} failed, {ignored} "
            f"ignored but the output shows {seen[0]}, {seen[1]}, {seen[2]} "
            f"({len(block.pending)} without an outcome): the test output cannot be trusted",
        )
    return [_with_detail(case, details) for case in block.cases]


def _unfinished(block: _Block, name: str, number: int) -> None:
    where = f" of {block.binary}" if block.binary else ""
    raise TestReportError(
        f"{name}:{number}: the test run{where} ended without its 'test result:' summary "
        "(crashed or interrupted)",
    )


@dataclass(frozen=True)
class _Detail:
    message: str
    file: str
    line: int


def _failure_details(text: str) -> dict[str, _Detail]:
    """Test name -> the panic message and place from its ``---- x stdout ----`` section."""
    found: dict[str, _Detail] = {}
    current = ""
    for raw in text.splitlines():
        if match := _SECTION.match(raw.strip()):
            current = match.group(1)
            continue
        if current and current not in found and (panic := _PANIC.search(raw)):
            found[current] = _Detail(
                first_line(panic.group(3)), panic.group(1), int(panic.group(2))
            )
        elif current and current in found and not found[current].message and raw.strip():
            old = found[current]
            found[current] = _Detail(first_line(raw), old.file, old.line)
    return found


def _with_detail(case: TestCase, details: dict[str, _Detail]) -> TestCase:
    detail = details.get(case.id)
    if detail is None or not case.outcome.failing:
        return TestCase(case.id, case.outcome, "", case.file, case.line)
    return TestCase(case.id, case.outcome, detail.message, detail.file, detail.line)
