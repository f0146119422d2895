"""Per-test results, whatever report they were read from."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """What happened to one test."""

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # the test could not run (a fixture or collection error)
    SKIPPED = "skipped"

    @property
    def failing(self) -> bool:
        """Whether this outcome fails the suite."""
        return self in (Outcome.FAILED, Outcome.ERROR)


@dataclass(frozen=True, order=True)
class TestCase:
    """One test: a stable id, its outcome, the first line of its message and where it is.

    ``file`` and ``line`` come from the report when it says (pytest's xunit1
    family, some JUnit writers); they are relative to where the tests ran.
    """

    __test__ = False  # a pytest collection hint: this is not a test class

    id: str
    outcome: Outcome
    message: str = ""
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class TestReport:
    """The tests of one run of one runner, in report order, and the summary counts."""

    __test__ = False

    source: str
    cases: tuple[TestCase, ...]

    @property
    def failing(self) -> tuple[TestCase, ...]:
        """The failed and errored tests."""
        return tuple(case for case in self.cases if case.outcome.failing)

    def outcomes(self) -> dict[str, Outcome]:
        """Test id -> outcome (a repeated id keeps its worst outcome)."""
        out: dict[str, Outcome] = {}
        for case in self.cases:
            if case.id not in out or case.outcome.failing:
                out[case.id] = case.outcome
        return out
