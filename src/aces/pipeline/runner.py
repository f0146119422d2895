"""The runner: the 12 stages in order, fail fast, fail closed.

A stage with no implemented check is ERROR, an exception or a timeout in a
check is ERROR, and a stage after a blocking one is BLOCKED unless the user
asked to keep going. Checks of one stage run in parallel threads (most of them
wait on child processes), each within one deadline (``pipeline.scheduler``);
their results are sorted so the report never depends on scheduling.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from aces import __version__
from aces.errors import AcesError
from aces.model import (
    ChangeSummary,
    CheckResult,
    Finding,
    RuleInfo,
    RunReport,
    StageResult,
    Status,
    compute_verdict,
)
from aces.pipeline import locations
from aces.pipeline.cache import ResultCache
from aces.pipeline.check import Check, NotApplicable, PartialResultError
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.pipeline.scheduler import run_checks
from aces.workspace.nested import note as nested_note

NOT_IMPLEMENTED = "not implemented: no check of this stage exists yet, so it cannot pass"


@dataclass
class _Timing:
    """Wall-clock figures, kept apart from the deterministic part of the report."""

    checks: dict[str, float]
    cached: list[str]
    stages: dict[str, float]


def run_pipeline(
    stages: tuple[StageDef, ...],
    ctx: RunContext,
    *,
    cache: ResultCache | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> RunReport:
    """Run every stage of ``stages`` on ``ctx`` and assemble the RunReport."""
    started = clock()
    # The one wall-clock time of the report (timing block only): JUnit's suite timestamp.
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    timing = _Timing(checks={}, cached=[], stages={})
    selected = set(ctx.options.stages)
    results: list[StageResult] = []
    blocker: int | None = None
    for stage in stages:
        if selected and stage.number not in selected:
            result = StageResult(
                stage.number, stage.name, stage.title, Status.NOT_RUN, reason="not selected"
            )
        elif blocker is not None and not ctx.options.keep_going:
            result = StageResult(
                stage.number,
                stage.name,
                stage.title,
                Status.BLOCKED,
                reason=f"blocked by stage {blocker}",
            )
        else:
            ctx.observer.stage_started(stage.number, stage.title, len(stage.checks))
            stage_started = clock()
            result = _run_stage(stage, ctx, cache, timing, clock)
            timing.stages[stage.slug] = clock() - stage_started
            if result.status.blocks and blocker is None:
                blocker = stage.number
        if result.status in (Status.NOT_RUN, Status.BLOCKED):
            ctx.observer.stage_started(stage.number, stage.title, 0)
        ctx.observer.stage_finished(result)
        results.append(result)
    stage_results = tuple(results)
    return RunReport(
        aces_version=__version__,
        doctrine_version=ctx.doctrine.version,
        policy_source=ctx.loaded_policy.source,
        policy_version=ctx.policy.policy_version,
        stages=stage_results,
        verdict=compute_verdict(stage_results, partial_allowed=bool(selected)),
        selected_stages=tuple(sorted(selected)),
        change=_summarise_change(ctx),
        notes=_notes(ctx, selected),
        rules=_rules(stages, stage_results),
        timing={
            "started_at": started_at,
            "total_seconds": round(clock() - started, 4),
            "checks": {k: round(v, 4) for k, v in sorted(timing.checks.items())},
            "cached": sorted(timing.cached),
            "stages": {k: round(v, 4) for k, v in sorted(timing.stages.items())},
        },
    )


def _notes(ctx: RunContext, selected: set[int]) -> tuple[str, ...]:
    """What the report says about the run as a whole: default policy, nested projects, subset."""
    notes: list[str] = []
    if ctx.loaded_policy.is_default:
        notes.append("no aces.toml found: the embedded doctrine defaults apply")
    if ctx.change.nested_projects:
        notes.append(nested_note(ctx.change.nested_projects))
    if selected:
        notes.append(
            "partial run: only stage(s) "
            + ", ".join(str(n) for n in sorted(selected))
            + " were asked for"
        )
    return tuple(notes)


def _run_stage(
    stage: StageDef,
    ctx: RunContext,
    cache: ResultCache | None,
    timing: _Timing,
    clock: Callable[[], float],
) -> StageResult:
    """Run the checks of one stage and fold their statuses into the stage's."""
    if not stage.checks:
        return StageResult(
            stage.number, stage.name, stage.title, Status.ERROR, reason=NOT_IMPLEMENTED
        )
    known = ctx.doctrine.ids
    unknown = sorted({c for check in stage.checks for c in check.clauses if c not in known})
    if unknown:
        # A check that enforces a clause the doctrine does not have cannot be trusted.
        reason = f"checks name clauses doctrine {ctx.doctrine.version} lacks: {', '.join(unknown)}"
        return StageResult(stage.number, stage.name, stage.title, Status.ERROR, reason=reason)

    def evaluate(check: Check, check_ctx: RunContext) -> CheckResult:
        return _run_check(check, check_ctx, cache, timing, clock)

    try:
        # Returns once every check has stopped, or overran its deadline and was given up on.
        results = run_checks(stage.checks, ctx, evaluate, jobs=ctx.options.jobs)
    finally:
        ctx.resources.close()  # what the stage's checks shared (a live environment) goes now
    for result in results:
        ctx.observer.check_finished(result)
    ordered = tuple(sorted(results, key=lambda r: r.check_id))
    status, reason = _fold(ordered)
    return StageResult(stage.number, stage.name, stage.title, status, ordered, reason)


def _run_check(
    check: Check,
    ctx: RunContext,
    cache: ResultCache | None,
    timing: _Timing,
    clock: Callable[[], float],
) -> CheckResult:
    """Run one check, failing closed on anything unexpected."""
    started = clock()
    try:
        result = _evaluate(check, ctx, cache)
    except PartialResultError as exc:  # ERROR, keeping what the check could verify
        result = _result(
            check, Status.ERROR, findings=_validated(check, exc.findings), reason=exc.diagnostics()
        )
    except AcesError as exc:
        result = _error(check, exc.diagnostics())
    except Exception as exc:  # fail closed: a crash in a check can never pass
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
        result = _error(check, f"crashed: {type(exc).__name__}: {exc}{where}")
    timing.checks[check.id] = clock() - started
    if result.cached:
        timing.cached.append(check.id)
    return result


def _evaluate(check: Check, ctx: RunContext, cache: ResultCache | None) -> CheckResult:
    """Applies -> cache -> run; only PASS, FAIL and NOT_APPLICABLE results are cached."""
    key = check.cache_key(ctx) if cache is not None else None
    if cache is not None and key is not None:
        hit = cache.get(check.id, key)
        if hit is not None:
            return replace(hit, cached=True)
    not_applicable = check.applies(ctx)
    if isinstance(not_applicable, NotApplicable):
        result = _result(check, Status.NOT_APPLICABLE, reason=not_applicable.reason)
    else:
        verifier = locations.LocationVerifier(ctx.workspace, ctx.change)
        findings = _validated(check, locations.verify_locations(check.run(ctx), verifier))
        # Information (NOTE) is reported but is no violation: only blocking findings fail.
        status = Status.FAIL if any(f.severity.blocks for f in findings) else Status.PASS
        result = _result(check, status, findings=findings)
    left = ctx.processes.remaining()
    if cache is not None and key is not None and (left is None or left > 0):
        cache.put(check.id, key, result)  # a result that came after the deadline is not kept
    return result


def _validated(check: Check, findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Findings in report order, de-duplicated; every one must name a clause."""
    unique = {(f.fingerprint, f.sort_key()): f for f in findings}
    ordered = tuple(sorted(unique.values(), key=Finding.sort_key))
    for finding in ordered:
        if not finding.clauses:
            raise AcesError(f"check {check.id} produced a finding without a clause id")
    return ordered


def _result(
    check: Check,
    status: Status,
    *,
    findings: tuple[Finding, ...] = (),
    reason: str = "",
) -> CheckResult:
    return CheckResult(
        check_id=check.id,
        stage=check.stage,
        clauses=check.clauses,
        status=status,
        findings=findings,
        reason=reason,
    )


def _error(check: Check, reason: str) -> CheckResult:
    return _result(check, Status.ERROR, reason=reason)


def _fold(results: tuple[CheckResult, ...]) -> tuple[Status, str]:
    """Stage status: FAIL over ERROR over PASS; NOT_APPLICABLE only when every check is."""
    statuses = [r.status for r in results]
    if Status.FAIL in statuses:
        failed = sum(1 for s in statuses if s is Status.FAIL)
        return Status.FAIL, f"{failed} check(s) failed"
    if Status.ERROR in statuses:
        errors = [r for r in results if r.status is Status.ERROR]
        return Status.ERROR, f"{len(errors)} check(s) could not verify"
    if all(s is Status.NOT_APPLICABLE for s in statuses):
        return Status.NOT_APPLICABLE, "; ".join(sorted({r.reason for r in results}))
    return Status.PASS, ""


def _summarise_change(ctx: RunContext) -> ChangeSummary:
    change = ctx.change
    return ChangeSummary(
        base=change.base,
        base_rule=change.base_rule,
        roles=tuple(sorted(change.roles.items())),
        head=change.head,
        whole_tree=change.whole_tree,
        changed_files=() if change.whole_tree else tuple(sorted(change.paths)),
        classes=tuple(sorted((k, tuple(sorted(v))) for k, v in change.classes.items() if v)),
        nested_projects=ctx.change.nested_projects,
    )


def _rules(stages: tuple[StageDef, ...], results: tuple[StageResult, ...]) -> tuple[RuleInfo, ...]:
    """Rule metadata for every check that ran and every finer rule id a finding used."""
    # Only stages that produced results: touching another stage's checks would import it.
    ran = {result.number for result in results if result.checks}
    checks = {check.id: check for stage in stages if stage.number in ran for check in stage.checks}
    rules: dict[str, RuleInfo] = {}
    for stage in results:
        for result in stage.checks:
            check = checks.get(result.check_id)
            if check is None:
                continue
            rules[check.id] = RuleInfo(
                rule_id=check.id,
                title=check.title,
                clauses=check.clauses,
                help=check.remedy,
                description=_doc(check),
            )
            for finding in result.findings:
                if finding.rule_id not in rules:
                    rules[finding.rule_id] = RuleInfo(
                        rule_id=finding.rule_id,
                        title=check.title,
                        clauses=finding.clauses,
                        help=finding.help or check.remedy,
                        description=_doc(check),
                    )
    return tuple(rules[k] for k in sorted(rules))


def _doc(check: Check) -> str:
    """The check's docstring, dedented: what ``aces explain`` prints."""
    import inspect

    return inspect.cleandoc(type(check).__doc__ or "")
