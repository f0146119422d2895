"""Suite-wide property: every location a check reports exists in its repository.

For every integration test, the ``run`` of every check class is wrapped: each
finding it yields is verified against that run's workspace with the runner's
own ``LocationVerifier``, whether the check runs inside a whole RunReport or is
called directly. A finding whose file is not a file of the repository, or whose
line is past the end of its file, fails the test that produced it (the runner
would only drop the false place; the property is that no check produces one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pytest

from aces.model import Finding
from aces.pipeline.check import Check
from aces.pipeline.context import RunContext
from aces.pipeline.locations import LocationVerifier
from aces.stages import STAGES

RunMethod = Callable[[Check, RunContext], Iterable[Finding]]


def _check_classes() -> list[type[Check]]:
    """Every check class that defines its own ``run`` (every stage module imported first)."""
    for stage in STAGES:
        _ = stage.checks
    found: list[type[Check]] = []
    pending: list[type[Check]] = [Check]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "run" in vars(cls) and not getattr(cls.run, "__isabstractmethod__", False):
            found.append(cls)
    return sorted(set(found), key=lambda c: f"{c.__module__}.{c.__qualname__}")


CHECK_CLASSES = _check_classes()


def _verified(original: RunMethod, false_places: list[str]) -> RunMethod:
    def run(self: Check, ctx: RunContext) -> Iterator[Finding]:
        findings = list(original(self, ctx))
        verifier = LocationVerifier(ctx.workspace, ctx.change)
        for finding in findings:
            problem = verifier.problem(finding.location) if finding.location else None
            if problem is not None:
                false_places.append(f"{finding.rule_id}: {problem.reason}")
        return iter(findings)

    return run


@pytest.fixture(autouse=True)
def every_location_exists(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail the test when any check in it reported a place that does not exist."""
    false_places: list[str] = []
    for cls in CHECK_CLASSES:
        monkeypatch.setattr(cls, "run", _verified(vars(cls)["run"], false_places))
    yield
    assert not false_places, "findings at places that do not exist:\n" + "\n".join(false_places)
