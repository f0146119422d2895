"""What the checks of stage 5 share: the base of the checks that read the test run.

``SuiteCheck`` is not applicable when there is no runner; ``location_of_test`` says
where a test of a runner's report is, when the workspace holds that file.
"""

from __future__ import annotations

import posixpath

from aces.engines.testreports import TestCase
from aces.model import Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.stages.unit_suite import RunnerResult, runners

NO_RUNNER = "no [[tests.runners]] in the policy and no Python, Rust or Elixir code to test"


class SuiteCheck(Check):
    """Shared parts of the checks that read the test run."""

    stage = 5

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when there is no runner at all."""
        return None if runners(ctx) else NotApplicable(NO_RUNNER, enable=("tests.runners",))


def location_of_test(ctx: RunContext, result: RunnerResult, case: TestCase) -> Location | None:
    """Where a test is, when its report says and the file is in the workspace."""
    if not case.file:
        return None
    path = posixpath.normpath(posixpath.join(result.spec.cwd, case.file))
    if not ctx.workspace.exists(path):
        return None
    return Location(path, case.line or 1)
