"""Stage 1 ``gov.pipeline-authority``: the committed CI runs ACES as ``aces generate ci`` does.

ACES VI: the pipeline holds ultimate authority; engineers cannot override it.
A CI file that runs ``aces`` is compared with what ``aces generate ci`` writes
for its provider: every generated job is there, runs each of its commands
(the ``aces run --stage N`` step above all), waits for the jobs it waits for,
and sets no switch the generated job does not set (``continue-on-error``,
``if``, ``allow_failure``, ``rules``, ``when``, ``soft_fail``, ``skip``, ...).
A command of an aces job that swallows a failure (``|| true``, ``set +e``) is a
finding at its line, and so is an aces pipeline the change removes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from aces.generate.ci import render_ci
from aces.generate.ci_common import CiOptions
from aces.model import Finding, Location
from aces.pipeline.check import NotApplicable
from aces.pipeline.context import RunContext
from aces.policy.effective import blob_at
from aces.stages import STAGES
from aces.stages.ci_model import CiJob, CiPipeline, parse_pipeline, provider_of
from aces.stages.governance import GovernanceCheck
from aces.workspace import git

CI_DIRS: tuple[str, ...] = (".github/workflows", ".gitlab-ci.yml", ".buildkite")
MAX_CI_BYTES = 2_000_000
_RUNS_ACES = re.compile(r"(^|[\s;&|(])aces\s+run\b")
# The pip install line is the one command an option of `aces generate ci` changes.
_OPTIONAL = re.compile(r"\bpip\s+install\b")
_SWALLOWS = re.compile(
    r"\|\|\s*(true|:|exit\s+0|echo)\b|\bset\s+\+e\b|;\s*(true|exit\s+0)\s*$|\|\|\s*$"
)
# Switches that only soften a job when set: left at false they change nothing.
_OFF_WHEN_FALSE = frozenset(
    {"continue-on-error", "allow_failure", "soft_fail", "skip", "allow_dependency_failure",
     "continue_on_failure"}
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One deviation from the generated pipeline: where, what, and a stable key."""

    line: int | None
    message: str
    rule: str = "gov.pipeline-authority"


def runs_aces(pipeline: CiPipeline) -> bool:
    """Whether any job of ``pipeline`` runs ``aces run``."""
    return any(_RUNS_ACES.search(cmd) for job in pipeline.jobs.values() for cmd, _ in job.commands)


def generated(provider: str) -> CiPipeline:
    """The pipeline ``aces generate ci --provider`` writes, read into the same shape."""
    return parse_pipeline(provider, "(generated)", render_ci(provider, STAGES, CiOptions()))


def compare_pipeline(committed: CiPipeline, expected: CiPipeline) -> list[Problem]:
    """Every way ``committed`` lets an aces job be skipped or pass without ACES' verdict."""
    problems = trigger_problems(committed, expected)
    for key, want in expected.jobs.items():
        have = committed.jobs.get(key)
        if have is None:
            problems.append(Problem(1, f"the aces job {key!r} is removed"))
            continue
        problems += _job_problems(have, want)
    for key, have in committed.jobs.items():
        if key not in expected.jobs and any(_RUNS_ACES.search(c) for c, _ in have.commands):
            problems += _job_problems(have, CiJob(key, have.line))
    return problems


def trigger_problems(committed: CiPipeline, expected: CiPipeline) -> list[Problem]:
    """Events the generated pipeline runs on that the committed one drops or narrows.

    ``push`` only has to be there: its branch follows ``--default-branch``. Any other
    trigger must be as generated (a ``paths`` filter on ``pull_request`` skips ACES for
    every PR outside it).
    """
    problems: list[Problem] = []
    for want in expected.triggers:
        have = committed.trigger(want.name)
        if have is None:
            problems.append(Problem(1, f"the pipeline no longer runs on `{want.name}`"))
        elif want.name != "on.push" and _narrows(have.value, want.value):
            problems.append(
                Problem(
                    have.line, f"`{want.name}` differs from the generated trigger: {have.value}"
                )
            )
    return problems


def _narrows(have: str, want: str) -> bool:
    """Whether a trigger differs from the generated one other than by adding event types."""
    try:
        mine, theirs = json.loads(have), json.loads(want)
    except json.JSONDecodeError:
        return have != want
    if isinstance(mine, dict) and isinstance(theirs, dict) and set(mine) == set(theirs):
        keeps_types = set(theirs.get("types", [])) <= set(mine.get("types", []))
        rest_same = {k: v for k, v in mine.items() if k != "types"} == {
            k: v for k, v in theirs.items() if k != "types"
        }
        return not (keeps_types and rest_same)
    return bool(mine != theirs)


def _job_problems(have: CiJob, want: CiJob) -> list[Problem]:
    """Commands, gates and switches of one aces job against the generated one."""
    problems: list[Problem] = []
    commands = {cmd for cmd, _ in have.commands}
    for cmd, _ in want.commands:
        if cmd not in commands and not _OPTIONAL.search(cmd):
            what = "skips a stage: " if _RUNS_ACES.search(cmd) else ""
            problems.append(Problem(have.line, f"job {have.key!r} {what}no longer runs `{cmd}`"))
    expected_cmds = {cmd for cmd, _ in want.commands}
    for cmd, line in have.commands:
        if cmd not in expected_cmds and _SWALLOWS.search(cmd):
            problems.append(Problem(line, f"job {have.key!r} swallows a failure: `{cmd}`"))
    for need in sorted(set(want.needs) - set(have.needs)):
        problems.append(Problem(have.line, f"job {have.key!r} no longer waits for {need!r}"))
    for switch in have.switches:
        harmless = (
            switch.name.rpartition(".")[2] in _OFF_WHEN_FALSE and switch.value.lower() == "false"
        )
        if switch.value != want.switch(switch.name) and not harmless:
            problems.append(
                Problem(
                    switch.line,
                    f"`{switch.name}: {switch.value}` on aces job {have.key!r} can let it pass "
                    "or be skipped without ACES' verdict",
                )
            )
    return problems


class PipelineAuthority(GovernanceCheck):
    """The committed CI runs every ACES stage as a gate that no setting can soften.

    ACES VI: the pipeline holds ultimate authority and engineers cannot override
    it. Each committed pipeline that runs ``aces`` (``.github/workflows/*``,
    ``.gitlab-ci.yml``, ``.buildkite/pipeline.yml``) is compared with what ``aces
    generate ci`` writes for its provider: a trigger dropped or narrowed (the
    pipeline no longer runs on pull requests), a generated job removed, a stage's
    ``aces run`` step missing (the stage is skipped), a job no longer waiting
    for the previous one, a switch the generated job does not set
    (``continue-on-error: true``, ``if: false``, ``allow_failure``, ``rules``,
    ``when``, ``soft_fail``, ``skip``) and a command that swallows a failure
    (``|| true``, ``set +e``) are findings at their line. A pipeline that ran
    ``aces`` at the base and no longer does is a finding too.
    """

    id = "gov.pipeline-authority"
    clauses = ("gov.pipeline-authority",)
    title = "The committed CI runs every stage as generated, with no way around a failure"
    remedy = "Regenerate the file with `aces generate ci --provider <name> --output <file>`."

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when no committed pipeline runs aces, now or at the base."""
        if not _judged(ctx) and not _removed(ctx):
            return NotApplicable(
                "no committed CI pipeline runs aces (.github/workflows/*, .gitlab-ci.yml, "
                ".buildkite/pipeline.yml)"
            )
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per deviation, at its line of the committed file."""
        for path in _removed(ctx):
            yield self.finding(
                f"{path} ran aces at the base and no longer does", Location(path), key=path
            )
        for pipeline in _judged(ctx):
            for problem in compare_pipeline(pipeline, generated(pipeline.provider)):
                yield self.finding(
                    problem.message,
                    Location(pipeline.path, problem.line),
                    key=f"{pipeline.path}\x1f{problem.message}",
                )


def _judged(ctx: RunContext) -> tuple[CiPipeline, ...]:
    """The committed pipelines that run aces."""
    return ctx.memo.get("gov.ci-pipelines", lambda: _read_pipelines(ctx))


def _read_pipelines(ctx: RunContext) -> tuple[CiPipeline, ...]:
    found = []
    for path in ctx.workspace.files:
        provider = provider_of(path)
        if provider is None:
            continue
        text = ctx.workspace.read_text(path)
        if "aces" not in text:
            continue
        pipeline = parse_pipeline(provider, path, text)
        if runs_aces(pipeline):
            found.append(pipeline)
    return tuple(found)


def _removed(ctx: RunContext) -> tuple[str, ...]:
    """Pipelines that ran aces at the base commit and do not now."""
    return ctx.memo.get("gov.ci-removed", lambda: _read_removed(ctx))


def _read_removed(ctx: RunContext) -> tuple[str, ...]:
    base = ctx.change.base
    if base is None or ctx.change.whole_tree:
        return ()
    root = ctx.workspace.root
    listing = git.run_git(root, "ls-tree", "-r", "-z", "--name-only", base, "--", *CI_DIRS)
    still = {p.path for p in _judged(ctx)}
    removed = []
    for path in git.split_z(listing.stdout):
        provider = provider_of(path)
        if provider is None or path in still:
            continue
        blob = blob_at(root, base, path, limit=MAX_CI_BYTES)
        text = blob[1].decode("utf-8", "replace") if blob else ""
        if "aces" in text and runs_aces(parse_pipeline(provider, f"{base[:12]}:{path}", text)):
            removed.append(path)
    return tuple(sorted(removed))
