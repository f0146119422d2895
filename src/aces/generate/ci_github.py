"""GitHub Actions workflow: one job per stage chained by ``needs``, then a report job.

Least privilege: the workflow can only read the repository; the report job alone may write
code-scanning results. Each stage job shows its ``summary.md`` as the job's step summary; the
report job uploads each stage's SARIF under its own category and every stage's JUnit XML as
one artifact. Every action is pinned by full commit SHA (its tag is written as a
comment). The report job runs after the stages even when one failed, so the findings reach
code scanning, but it then fails unless every stage job succeeded: it can never turn a
failed or skipped stage into a green check.
"""

from __future__ import annotations

from typing import Any

from aces.generate.ci_common import (
    CACHE_DIR,
    CONSTRAINTS_FILE,
    JUNIT_FILE,
    SUMMARY_FILE,
    CiOptions,
    dump_yaml,
    header,
    install_command,
    job_title,
    literal,
    out_dir,
    requirement_key,
    run_command,
)
from aces.pipeline.registry import StageDef
from aces.tools import actionlint
from aces.tools.catalog import get_tool

PROVIDER = "github"

# action -> (full commit SHA, release tag it was taken from). Upgrade both together.
ACTIONS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("de0fac2e4500dabe0009e67214ff5f5447ce83dd", "v6.0.2"),
    "actions/setup-python": ("a309ff8b426b58ec0e2a45f0f869d46889d02405", "v6.2.0"),
    "actions/cache": ("caa296126883cff596d87d8935842f9db880ef25", "v5.1.0"),
    "actions/upload-artifact": ("b7c566a772e6b6bfb58ed0dc250532a479d7789f", "v6.0.0"),
    "actions/download-artifact": ("37930b1c2abaa49bbe596cd826c3c89aef350131", "v7.0.0"),
    "github/codeql-action/upload-sarif": ("5d4e8d1aca955e8d8589aabd499c5cae939e33c7", "v4.31.9"),
}

# Why each grant beyond reading the code is there, written beside it (zizmor's
# undocumented-permissions audit asks every such grant for its reason).
PERMISSION_NOTES: dict[str, str] = {
    "actions: read": "upload-sarif reads the run's workflow details",
    "security-events: write": "upload-sarif sends the stage SARIF to code scanning",
}

# actionlint is a Go program pip cannot install: the jobs of the stages the tool catalog says
# use it build the pinned version (Go is on GitHub's runners) into a directory put on PATH.
ACTIONLINT_STEP: dict[str, str] = {
    "name": f"Install actionlint {actionlint.PINNED_VERSION}",
    "run": literal(
        [
            f'GOBIN="$RUNNER_TEMP/aces-tools" go install {actionlint.MODULE}'
            f"@v{actionlint.PINNED_VERSION}",
            'echo "$RUNNER_TEMP/aces-tools" >> "$GITHUB_PATH"',
        ]
    ),
}

REPORT_JOB = "report"
ARTIFACTS_DIR = ".aces/artifacts"
JUNIT_ARTIFACT = "aces-junit"


def uses(action: str) -> str:
    """``owner/name@<sha>`` for a pinned action."""
    return f"{action}@{ACTIONS[action][0]}"


def artifact_name(stage: StageDef) -> str:
    """The artifact a stage job uploads its report directory as."""
    return f"aces-{stage.slug}"


def render(stages: tuple[StageDef, ...], options: CiOptions) -> str:
    """The workflow file for these stages, as YAML text."""
    jobs: dict[str, Any] = {}
    previous: StageDef | None = None
    for stage in stages:
        jobs[stage.slug] = _stage_job(stage, previous, options)
        previous = stage
    jobs[REPORT_JOB] = _report_job(stages, options)
    workflow: dict[str, Any] = {
        "name": "ACES",
        "on": {
            # "edited": the PR body (spec link, rollback path, ...) is an input of stage 1.
            "pull_request": {"types": ["opened", "synchronize", "reopened", "edited"]},
            "push": {"branches": [options.default_branch]},
        },
        "permissions": {"contents": "read"},
        "concurrency": {
            "group": "aces-${{ github.workflow }}-${{ github.ref }}",
            # Superseded PR runs are cancelled; runs on the default branch all finish.
            "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
        },
        "env": {"PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        "jobs": jobs,
    }
    notes = {uses(action): tag for action, (_sha, tag) in ACTIONS.items()}
    text = dump_yaml(workflow, comments=notes)
    for grant, why in PERMISSION_NOTES.items():
        text = text.replace(f" {grant}\n", f" {grant} # {why}\n")
    return header(PROVIDER, options, len(stages)) + "\n" + text


def _checkout() -> dict[str, Any]:
    """Full history, so the base ref of the change exists; no token left on disk."""
    return {
        "name": "Check out (full history)",
        "uses": uses("actions/checkout"),
        "with": {"fetch-depth": 0, "persist-credentials": False},
    }


def _setup_steps(stage: StageDef, options: CiOptions) -> list[dict[str, Any]]:
    """Checkout, Python, the two caches and the pinned ACES install."""
    python = options.python_version
    pip_key = (
        f"aces-pip-${{{{ runner.os }}}}-py{python}-{requirement_key(options)}-"
        f"${{{{ hashFiles('{CONSTRAINTS_FILE}') }}}}"
    )
    return [
        _checkout(),
        {
            "name": f"Set up Python {python}",
            "uses": uses("actions/setup-python"),
            "with": {"python-version": python},
        },
        {
            "name": "Cache pip downloads",
            "uses": uses("actions/cache"),
            "with": {"path": "~/.cache/pip", "key": pip_key},
        },
        {
            "name": "Cache ACES results",
            "uses": uses("actions/cache"),
            "with": {
                "path": CACHE_DIR,
                "key": f"aces-cache-{stage.slug}-${{{{ github.sha }}}}",
                "restore-keys": f"aces-cache-{stage.slug}-",
            },
        },
        {"name": "Install ACES", "run": install_command(options)},
    ]


def _stage_job(stage: StageDef, previous: StageDef | None, options: CiOptions) -> dict[str, Any]:
    """One gating stage job: runs only after the previous stage job succeeded."""
    job: dict[str, Any] = {"name": job_title(stage)}
    if previous is not None:
        job["needs"] = previous.slug
    job["runs-on"] = options.github_runner
    job["timeout-minutes"] = options.timeout_minutes
    job["steps"] = [
        *_setup_steps(stage, options),
        *([ACTIONLINT_STEP] if stage.number in get_tool(actionlint.TOOL).stages else []),
        {"name": f"Stage {stage.number}: {stage.title}", "run": run_command(stage)},
        _summary_step(stage),
        {
            # The report is uploaded for a failed stage too (that is when it matters);
            # the step's condition does not change the job's failed status.
            "name": "Upload the stage report",
            "if": "${{ !cancelled() }}",
            "uses": uses("actions/upload-artifact"),
            "with": {
                "name": artifact_name(stage),
                "path": out_dir(stage),
                "if-no-files-found": "error",
            },
        },
    ]
    return job


def _summary_step(stage: StageDef) -> dict[str, Any]:
    """Show the stage's ``summary.md`` on the run page, after a failure too.

    Its condition and exit status leave the job's outcome to the stage step.
    """
    script = literal(
        [
            'if [ -f "$SUMMARY" ]; then',
            '  cat "$SUMMARY" >> "$GITHUB_STEP_SUMMARY"',
            "else",
            f'  echo "ACES wrote no summary for stage {stage.number}: see the job log." '
            '>> "$GITHUB_STEP_SUMMARY"',
            "fi",
        ]
    )
    return {
        "name": "Publish the stage summary",
        "if": "${{ !cancelled() }}",
        "shell": "bash",
        "env": {"SUMMARY": f"{out_dir(stage)}/{SUMMARY_FILE}"},
        "run": script,
    }


def _report_job(stages: tuple[StageDef, ...], options: CiOptions) -> dict[str, Any]:
    """Collect the stage reports, send SARIF to code scanning, then fail unless all passed."""
    steps: list[dict[str, Any]] = [
        _checkout(),
        {
            "name": "Download the stage reports",
            "uses": uses("actions/download-artifact"),
            "with": {"pattern": "aces-*", "path": ARTIFACTS_DIR},
        },
    ]
    steps.extend(_sarif_upload(stage) for stage in stages)
    steps.append(_junit_upload())
    steps.append(_verdict_step(stages))
    return {
        "name": "ACES report",
        "needs": [stage.slug for stage in stages],
        "if": "${{ !cancelled() }}",
        "runs-on": options.github_runner,
        "timeout-minutes": options.timeout_minutes,
        "permissions": {
            "actions": "read",
            "contents": "read",
            "security-events": "write",
        },
        "steps": steps,
    }


def _sarif_upload(stage: StageDef) -> dict[str, Any]:
    """Upload one stage's SARIF under its own category (stages that did not run have none)."""
    directory = f"{ARTIFACTS_DIR}/{artifact_name(stage)}"
    return {
        "name": f"Code scanning: stage {stage.number}",
        "if": f"${{{{ hashFiles('{directory}/**/*.sarif') != '' }}}}",
        "uses": uses("github/codeql-action/upload-sarif"),
        "with": {"sarif_file": directory, "category": f"aces/{stage.slug}"},
    }


def _junit_upload() -> dict[str, Any]:
    """Every stage's JUnit XML as one artifact, for test-report tools and later workflows.

    A test reporter that writes check runs needs ``checks: write``, which pull requests
    from forks never get; it belongs in a ``workflow_run`` workflow that reads this artifact.
    """
    return {
        "name": "Publish the JUnit results",
        "if": f"${{{{ hashFiles('{ARTIFACTS_DIR}/*/{JUNIT_FILE}') != '' }}}}",
        "uses": uses("actions/upload-artifact"),
        "with": {
            "name": JUNIT_ARTIFACT,
            "path": f"{ARTIFACTS_DIR}/*/{JUNIT_FILE}",
            "if-no-files-found": "error",
        },
    }


def _verdict_step(stages: tuple[StageDef, ...]) -> dict[str, Any]:
    """Fail closed: every stage job must report ``success`` (skipped and cancelled fail)."""
    results = "".join(f"{stage.slug}=${{{{ needs.{stage.slug}.result }}}}\n" for stage in stages)
    script = literal(
        [
            "failed=0",
            "count=0",
            "while IFS='=' read -r job result; do",
            '  [ -n "$job" ] || continue',
            "  count=$((count + 1))",
            '  if [ "$result" != "success" ]; then',
            '    echo "::error::ACES job $job did not pass: ${result:-unknown}"',
            "    failed=1",
            "  fi",
            'done <<< "$STAGE_RESULTS"',
            'if [ "$count" -ne "$STAGE_COUNT" ]; then',
            '  echo "::error::expected $STAGE_COUNT stage results, got $count"',
            "  exit 1",
            "fi",
            'exit "$failed"',
        ]
    )
    return {
        "name": "Gate: every stage passed",
        "shell": "bash",
        "env": {"STAGE_RESULTS": results, "STAGE_COUNT": str(len(stages))},
        "run": script,
    }
