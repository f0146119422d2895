"""Stage 7 checks: the repository's GitHub Actions configuration, audited by zizmor and actionlint.

A workflow is part of the pipeline ACES protects: one that lets a pull request
run with the base repository's privileges, expands attacker-controlled text into
a shell, grants ``write-all`` or persists the checkout's token undermines every
verdict, and so does a composite action it runs or a Dependabot configuration
that lets dependency code run with registry credentials. ``ci.workflow-audit``
runs zizmor (offline, auditor persona) on the workflows, the action definitions
(``action.yml``) and the Dependabot configuration (``aces.stages.workflow_inputs``
says which files GitHub reads as what); ``ci.workflow-lint`` runs actionlint on
the workflows. Each finding names the doctrine clause it breaks
(``aces.stages.workflow_clauses``). Both tools are pinned: the policy's
``[toolchain]`` pin when it sets one, else the version whose output ACES was
written against (the catalog's ``default_pin``).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from aces.errors import AcesError
from aces.model import Finding, Location, Severity
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.stages.tooling import require_tool, resolver, tools_fingerprint
from aces.stages.workflow_clauses import (
    actionlint_clause,
    is_advisory,
    is_judged,
    left_to_zizmor,
    zizmor_clause,
)
from aces.stages.workflow_inputs import InputKind, audited, kind_of, workflows
from aces.tools import actionlint, zizmor
from aces.tools.lint_common import LintIssue

LOGIC_VERSION = "3"
ALL_CLAUSES = (
    "gov.pipeline-authority",
    "infra.immutable-tags",
    "sec.unsafe-exposure",
    "sec.secrets",
    "sec.permission-matrix",
    "sec.dependency-audit",
)
ADVISORY_NOTE = (
    "zizmor grades it low: the value is the workflow's own, not an outsider's text; "
    "information, not blocking"
)
NO_WORKFLOW = "no GitHub Actions workflow (.github/workflows/*.yml)"
NO_INPUT = (
    "no GitHub Actions workflow (.github/workflows/*.yml), action definition (action.yml) "
    "or Dependabot configuration (.github/dependabot.yml)"
)


def check_timeout(ctx: RunContext) -> float:
    """The policy's time budget of one check."""
    return min(ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds)


def tool_env(ctx: RunContext) -> dict[str, str]:
    """No colour, no update check; children search the tool directories only."""
    return {"NO_COLOR": "1", "PATH": resolver(ctx).child_path}


def lint_issues(ctx: RunContext) -> tuple[LintIssue, ...]:
    """actionlint's errors on every workflow that ``ci.workflow-lint`` reports, once per run.

    Both workflow checks read them (``ci.workflow-audit`` to know which workflows
    zizmor could not read are already reported as invalid), so actionlint runs
    once; a failure is raised again to every caller.
    """
    return ctx.memo.get("ci.workflow-lint.issues", lambda: _lint(ctx))


def _lint(ctx: RunContext) -> tuple[LintIssue, ...]:
    issues = actionlint.run(
        ctx.processes,
        require_tool(ctx, actionlint.TOOL).path,
        workflows(ctx.workspace.files),
        ctx.workspace.root,
        timeout=check_timeout(ctx),
        env=tool_env(ctx),
    )
    return tuple(issue for issue in issues if not left_to_zizmor(issue.code, issue.message))


class WorkflowCheck(Check):
    """Shared parts of the two workflow checks: the files, the tools, the cache key."""

    stage = 7
    clauses = ALL_CLAUSES

    def inputs(self, ctx: RunContext) -> tuple[str, ...]:
        """The files this check's tool reads (the workflows)."""
        return workflows(ctx.workspace.files)

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the repository has nothing this check's tool reads."""
        return None if self.inputs(ctx) else NotApplicable(NO_WORKFLOW)

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree, the policy and the tools as resolved (no key when one cannot be)."""
        tools = "" if self.applies(ctx) is not None else self.tools_key(ctx)
        if tools is None:
            return None
        material = "\x1f".join((self.id, LOGIC_VERSION, ctx.tree_digest(), repr(ctx.policy), tools))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def tools_key(self, ctx: RunContext) -> str | None:
        """The tools' part of the cache key (None when one cannot be resolved)."""
        return tools_fingerprint(ctx, self.tools)

    def timeout(self, ctx: RunContext) -> float:
        """The policy's time budget of one check."""
        return check_timeout(ctx)

    def env(self, ctx: RunContext) -> dict[str, str]:
        """No colour, no update check; children search the tool directories only."""
        return tool_env(ctx)

    def findings(
        self, issues: Iterable[LintIssue], clause_of: Callable[[str], str]
    ) -> Iterator[Finding]:
        """One finding per issue, at its line, under the clause its code breaks.

        The same message twice in a file (no ``permissions`` on the workflow and on a
        job) is told apart by its rank in the file, not its line: fingerprints survive
        edits above them. A zizmor finding it grades as advice (``is_advisory``: a template
        expansion of the workflow's own values) is information.
        """
        seen: Counter[tuple[str, str, str]] = Counter()
        for issue in issues:
            same = (issue.path or "", issue.code, issue.message)
            seen[same] += 1
            advisory = issue.tool == zizmor.TOOL and is_advisory(issue.code, issue.tool_severity)
            note = f" ({ADVISORY_NOTE})" if advisory else ""
            yield self.finding(
                f"{issue.tool} {issue.code}: {issue.message}{note}",
                Location(issue.path or "", issue.line, issue.column, end_line=issue.end_line),
                rule_id=f"{self.id}.{issue.code}",
                clauses=(clause_of(issue.code),),
                key=f"{issue.code}\x1f{issue.message}\x1f{seen[same]}",
                severity=Severity.NOTE if advisory else Severity.ERROR,
            )


class WorkflowAudit(WorkflowCheck):
    """zizmor's security audit of the workflows, actions and Dependabot configuration.

    Runs ``zizmor --offline --persona=auditor --no-config --no-ignores`` on
    ``.github/workflows/*.yml``, every action definition (``action.yml``, else
    ``action.yaml``, in any directory: a composite action's ``run:`` steps are
    code a workflow runs) and ``.github/dependabot.yml``. ``dangerous-triggers``
    (``pull_request_target`` or ``workflow_run`` where a PR's code runs with the
    base's token and secrets), ``cache-poisoning``, spoofable bot conditions and
    conditions that always hold are ``gov.pipeline-authority``;
    ``unpinned-uses`` and ``unpinned-images`` are ``infra.immutable-tags``;
    ``template-injection`` and Dependabot's ``insecure-external-code-execution``
    are ``sec.unsafe-exposure`` (a template expansion zizmor grades low or
    informational, of a matrix entry, the workflow's ``env:`` or a job's output, is
    information: no outsider writes that value); ``artipacked`` (the checkout's token persisted)
    is ``sec.secrets``; ``excessive-permissions`` (``write-all``, no
    ``permissions``) and ``undocumented-permissions`` are
    ``sec.permission-matrix``. Style audits that grant no one anything
    (``anonymous-definition``, ``concurrency-limits``, ...) are not judged.

    A file zizmor cannot read as what it is (not YAML, or not GitHub's schema)
    is ``ci.workflow-audit.unreadable``: it was not audited, so it is not clean.
    A workflow that ``ci.workflow-lint`` already reports (actionlint says why it
    is not a valid workflow) is left to that finding, so one broken file is one
    problem; when actionlint cannot tell, the file is reported here.
    """

    id = "ci.workflow-audit"
    title = (
        "GitHub workflows and actions give a pull request no privilege, injection or unpinned code"
    )
    remedy = (
        "Fix each finding as zizmor's documentation for its audit says "
        "(https://docs.zizmor.sh/audits/): use pull_request instead of pull_request_target, "
        "pass ${{ }} values through env:, set least permissions with a comment per grant, "
        "persist-credentials: false, pin actions by full commit SHA."
    )
    tools = (zizmor.TOOL,)

    def inputs(self, ctx: RunContext) -> tuple[str, ...]:
        """Workflows, action definitions and Dependabot configuration files."""
        return audited(ctx.workspace.files)

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the repository has no Actions configuration at all."""
        return None if self.inputs(ctx) else NotApplicable(NO_INPUT)

    def tools_key(self, ctx: RunContext) -> str | None:
        """zizmor, and actionlint as found (its verdict decides which unreadable files
        are reported here), or that it is unusable."""
        zizmor_key = tools_fingerprint(ctx, self.tools)
        if zizmor_key is None:
            return None
        return f"{zizmor_key};{tools_fingerprint(ctx, (actionlint.TOOL,)) or 'actionlint=-'}"

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """zizmor's judged findings, and every input it could not audit."""
        executable = require_tool(ctx, zizmor.TOOL).path
        report = zizmor.run(
            ctx.processes,
            executable,
            self.inputs(ctx),
            ctx.workspace.root,
            timeout=self.timeout(ctx),
            env=self.env(ctx),
        )
        judged = (issue for issue in report.issues if is_judged(issue.code))
        yield from self.findings(judged, zizmor_clause)
        reported = _reported_invalid(ctx, report.skipped)
        for path in report.skipped:
            if path in reported:
                continue  # ci.workflow-lint says why it is not a valid workflow
            yield self.finding(
                f"zizmor cannot read {path} as {_kind_name(path)} (it is not YAML or does not "
                "match GitHub's schema for it), so its security is not audited",
                Location(path, 1),
                rule_id=f"{self.id}.unreadable",
                clauses=("gov.pipeline-authority",),
                key=path,
            )


def _kind_name(path: str) -> str:
    kind = kind_of(path)
    return (kind or InputKind.WORKFLOW).value


def _reported_invalid(ctx: RunContext, skipped: tuple[str, ...]) -> frozenset[str]:
    """The skipped workflows on which ``ci.workflow-lint`` reports an error.

    Only a workflow actionlint positively finds wrong is left to it: when
    actionlint is missing, fails or finds nothing, the file is reported as not
    audited (that check's own ERROR is reported there).
    """
    if not any(kind_of(path) is InputKind.WORKFLOW for path in skipped):
        return frozenset()
    try:
        issues = lint_issues(ctx)
    except AcesError:
        return frozenset()
    return frozenset(issue.path for issue in issues if issue.path in skipped)


class WorkflowLint(WorkflowCheck):
    """actionlint's check of every workflow: what GitHub would refuse or run otherwise.

    Runs ``actionlint`` (shellcheck and pyflakes off, so the verdict does not
    depend on what else is installed) on ``.github/workflows/*.yml``; it does
    not read action definitions or Dependabot configuration (zizmor audits
    those). A workflow that does not parse or cannot run as written (a job
    without ``runs-on``, an unknown key, a broken expression or ``needs``) is
    ``gov.pipeline-authority``: the pipeline that judges the change is not the
    one the file describes. An invalid permission scope is
    ``sec.permission-matrix``,
    deprecated ``set-env`` / ``add-path`` commands ``sec.unsafe-exposure``. What
    zizmor says of the same lines is left to it, so one problem is one finding:
    untrusted input in ``run:`` (``template-injection``), an ``if:`` that is
    always true (``unsound-condition``), a hard-coded container password
    (``hardcoded-container-credentials``).
    """

    id = "ci.workflow-lint"
    title = "GitHub workflows are valid and run as written"
    remedy = (
        "Fix each error as actionlint explains it "
        "(https://github.com/rhysd/actionlint/blob/main/docs/checks.md)."
    )
    tools = (actionlint.TOOL,)

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """actionlint's errors on every workflow, less what zizmor reports too."""
        yield from self.findings(lint_issues(ctx), actionlint_clause)


WORKFLOW_CHECKS: tuple[Check, ...] = (WorkflowAudit(), WorkflowLint())
