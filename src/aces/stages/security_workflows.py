"""Stage 7 checks: the repository's GitHub Actions workflows, audited by zizmor and actionlint.

A workflow is part of the pipeline ACES protects: one that lets a pull request
run with the base repository's privileges, expands attacker-controlled text into
a shell, grants ``write-all`` or persists the checkout's token undermines every
verdict. ``ci.workflow-audit`` runs zizmor (offline, auditor persona) and
``ci.workflow-lint`` runs actionlint on every ``.github/workflows/*.yml``; each
finding names the doctrine clause it breaks (``aces.stages.workflow_clauses``).
Both tools are pinned: the policy's ``[toolchain]`` pin when it sets one, else
the version whose output ACES was written against (the catalog's ``default_pin``).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.stages.tooling import require_tool, resolver, tools_fingerprint
from aces.stages.workflow_clauses import actionlint_clause, is_judged, zizmor_clause
from aces.tools import actionlint, zizmor
from aces.tools.lint_common import LintIssue

LOGIC_VERSION = "1"
_WORKFLOW = re.compile(r"\.github/workflows/[^/]+\.ya?ml")
ALL_CLAUSES = (
    "gov.pipeline-authority",
    "infra.immutable-tags",
    "sec.unsafe-exposure",
    "sec.secrets",
    "sec.permission-matrix",
    "sec.dependency-audit",
)


def workflows(ctx: RunContext) -> tuple[str, ...]:
    """The GitHub Actions workflow files GitHub runs (``.github/workflows/*.yml``), sorted."""
    return tuple(sorted(p for p in ctx.workspace.files if _WORKFLOW.fullmatch(p)))


class WorkflowCheck(Check):
    """Shared parts of the two workflow checks: which files, the tool, the cache key."""

    stage = 7
    clauses = ALL_CLAUSES

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the repository has no GitHub Actions workflow."""
        if workflows(ctx):
            return None
        return NotApplicable("no GitHub Actions workflow (.github/workflows/*.yml)")

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree, the policy and the tool as resolved (no key when it cannot be)."""
        tools = "" if self.applies(ctx) is not None else tools_fingerprint(ctx, self.tools)
        if tools is None:
            return None
        material = "\x1f".join((self.id, LOGIC_VERSION, ctx.tree_digest(), repr(ctx.policy), tools))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def timeout(self, ctx: RunContext) -> float:
        """The policy's time budget of one check."""
        return min(ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds)

    def env(self, ctx: RunContext) -> dict[str, str]:
        """No colour, no update check; children search the tool directories only."""
        return {"NO_COLOR": "1", "PATH": resolver(ctx).child_path}

    def findings(
        self, issues: Iterable[LintIssue], clause_of: Callable[[str], str]
    ) -> Iterator[Finding]:
        """One finding per issue, at its line, under the clause its code breaks.

        The same message twice in a file (no ``permissions`` on the workflow and on a
        job) is told apart by its rank in the file, not its line: fingerprints survive
        edits above them.
        """
        seen: Counter[tuple[str, str, str]] = Counter()
        for issue in issues:
            same = (issue.path or "", issue.code, issue.message)
            seen[same] += 1
            yield self.finding(
                f"{issue.tool} {issue.code}: {issue.message}",
                Location(issue.path or "", issue.line, issue.column, end_line=issue.end_line),
                rule_id=f"{self.id}.{issue.code}",
                clauses=(clause_of(issue.code),),
                key=f"{issue.code}\x1f{issue.message}\x1f{seen[same]}",
            )


class WorkflowAudit(WorkflowCheck):
    """zizmor's security audit of every workflow, each finding under its clause.

    Runs ``zizmor --offline --persona=auditor --no-config --no-ignores`` on
    ``.github/workflows/*.yml``. ``dangerous-triggers`` (``pull_request_target``
    or ``workflow_run`` where a PR's code runs with the base's token and
    secrets), ``cache-poisoning``, spoofable bot conditions and conditions that
    always hold are ``gov.pipeline-authority``; ``unpinned-uses`` and
    ``unpinned-images`` are ``infra.immutable-tags``; ``template-injection`` is
    ``sec.unsafe-exposure``; ``artipacked`` (the checkout's token persisted) is
    ``sec.secrets``; ``excessive-permissions`` (``write-all``, no
    ``permissions``) and ``undocumented-permissions`` are
    ``sec.permission-matrix``. Style audits that grant no one anything
    (``anonymous-definition``, ``concurrency-limits``, ...) are not judged. A
    workflow zizmor cannot read as one (not YAML, or not GitHub's schema) is
    ``ci.workflow-audit.unreadable``: it was not audited, so it is not clean.
    """

    id = "ci.workflow-audit"
    title = "GitHub workflows give a pull request no privilege, injection or unpinned code"
    remedy = (
        "Fix each finding as zizmor's documentation for its audit says "
        "(https://docs.zizmor.sh/audits/): use pull_request instead of pull_request_target, "
        "pass ${{ }} values through env:, set least permissions with a comment per grant, "
        "persist-credentials: false, pin actions by full commit SHA."
    )
    tools = (zizmor.TOOL,)

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """zizmor's judged findings on every workflow."""
        files = workflows(ctx)
        executable = require_tool(ctx, zizmor.TOOL).path
        report = zizmor.run(
            ctx.processes,
            executable,
            files,
            ctx.workspace.root,
            timeout=self.timeout(ctx),
            env=self.env(ctx),
        )
        judged = (issue for issue in report.issues if is_judged(issue.code))
        yield from self.findings(judged, zizmor_clause)
        for path in report.skipped:
            yield self.finding(
                f"zizmor cannot read {path} as a GitHub workflow (it is not YAML or does not "
                "match GitHub's workflow schema), so its security is not audited",
                Location(path, 1),
                rule_id=f"{self.id}.unreadable",
                clauses=("gov.pipeline-authority",),
                key=path,
            )


class WorkflowLint(WorkflowCheck):
    """actionlint's check of every workflow: what GitHub would refuse or run otherwise.

    Runs ``actionlint`` (shellcheck and pyflakes off, so the verdict does not
    depend on what else is installed) on ``.github/workflows/*.yml``. A
    workflow that does not parse or cannot run as written (a job without
    ``runs-on``, an unknown key, a broken expression or ``needs``) is
    ``gov.pipeline-authority``: the pipeline that judges the change is not the
    one the file describes. Hard-coded container credentials are
    ``sec.secrets``, an invalid permission scope ``sec.permission-matrix``,
    deprecated ``set-env`` / ``add-path`` commands ``sec.unsafe-exposure``. Its
    warning about untrusted input in ``run:`` is left to zizmor's
    ``template-injection``, so one problem is one finding.
    """

    id = "ci.workflow-lint"
    title = "GitHub workflows are valid and run as written"
    remedy = (
        "Fix each error as actionlint explains it "
        "(https://github.com/rhysd/actionlint/blob/main/docs/checks.md)."
    )
    tools = (actionlint.TOOL,)

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """actionlint's errors on every workflow, less what zizmor reports."""
        files = workflows(ctx)
        executable = require_tool(ctx, actionlint.TOOL).path
        issues = actionlint.run(
            ctx.processes,
            executable,
            files,
            ctx.workspace.root,
            timeout=self.timeout(ctx),
            env=self.env(ctx),
        )
        kept = (issue for issue in issues if not _reported_by_zizmor(issue))
        yield from self.findings(kept, actionlint_clause)


def _reported_by_zizmor(issue: LintIssue) -> bool:
    """actionlint's untrusted-input warning: the same problem as zizmor's template-injection."""
    return issue.code == "expression" and "is potentially untrusted" in issue.message


WORKFLOW_CHECKS: tuple[Check, ...] = (WorkflowAudit(), WorkflowLint())
