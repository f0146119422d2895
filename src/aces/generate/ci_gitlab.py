"""GitLab CI pipeline: one ``stage`` and one job per ACES stage, chained by ``needs``.

Each job sits in its own GitLab stage (so the pipeline graph reads in doctrine order) and
also ``needs`` the previous job (so a failure stops everything after it). Jobs are
``interruptible`` and the workflow auto-cancels superseded pipelines of the same ref.
The report job runs only when every stage passed and publishes the combined reports; each
stage job keeps its own reports, and publishes its JUnit test report and GitLab Code Quality
report (the merge request's test summary and Code Quality widget), whether it passed or not.
"""

from __future__ import annotations

from typing import Any

from aces.generate.ci_common import (
    CACHE_DIR,
    CODE_QUALITY_FILE,
    CONSTRAINTS_FILE,
    JUNIT_FILE,
    OUT_ROOT,
    TOOLS_DIR,
    CiOptions,
    actionlint_install,
    dump_yaml,
    header,
    install_command,
    literal,
    needs_actionlint,
    out_dir,
    requirement_key,
    run_command,
)
from aces.pipeline.registry import StageDef

PROVIDER = "gitlab"
REPORT_JOB = "report"
PIP_CACHE_DIR = ".aces/pip-cache"

# The MR's target branch is not fetched by the runner; the change is computed against it.
FETCH_TARGET = (
    'if [ -n "${CI_MERGE_REQUEST_TARGET_BRANCH_NAME:-}" ]; then '
    'git fetch --no-tags origin "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME"; fi'
)


def render(stages: tuple[StageDef, ...], options: CiOptions) -> str:
    """The ``.gitlab-ci.yml`` for these stages, as YAML text."""
    document: dict[str, Any] = {
        "workflow": {
            "rules": [
                {"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'},
                {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
            ],
            "auto_cancel": {"on_new_commit": "interruptible"},
        },
        "stages": [stage.slug for stage in stages] + [REPORT_JOB],
        "default": {"image": options.gitlab_image, "interruptible": True},
        "variables": {
            "GIT_DEPTH": "0",
            "PIP_CACHE_DIR": f"$CI_PROJECT_DIR/{PIP_CACHE_DIR}",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        },
    }
    previous: StageDef | None = None
    for stage in stages:
        document[stage.slug] = _stage_job(stage, previous, options)
        previous = stage
    document[REPORT_JOB] = _report_job(stages, options)
    return header(PROVIDER, options, len(stages)) + "\n" + dump_yaml(document)


def _caches(stage: StageDef, options: CiOptions) -> list[dict[str, Any]]:
    """pip downloads keyed on the constraints file; ACES results per stage."""
    return [
        {
            "key": {
                "files": [CONSTRAINTS_FILE],
                "prefix": f"aces-pip-py{options.python_version}-{requirement_key(options)}",
            },
            "paths": [f"{PIP_CACHE_DIR}/"],
        },
        {"key": f"aces-cache-{stage.slug}", "paths": [f"{CACHE_DIR}/"]},
    ]


def _stage_job(stage: StageDef, previous: StageDef | None, options: CiOptions) -> dict[str, Any]:
    """One gating job; ``needs: []`` lets the first one start without waiting."""
    return {
        "stage": stage.slug,
        "needs": [previous.slug] if previous is not None else [],
        "timeout": f"{options.timeout_minutes} minutes",
        "cache": _caches(stage, options),
        "script": [
            FETCH_TARGET,
            install_command(options),
            *(actionlint_install(TOOLS_DIR) if needs_actionlint(stage) else []),
            run_command(stage),
        ],
        "artifacts": {
            # Kept for a failed stage too; this does not change the job's status.
            "when": "always",
            "expire_in": "30 days",
            "paths": [f"{out_dir(stage)}/"],
            # The merge request's test report and Code Quality widget, pass or fail.
            "reports": {
                "junit": f"{out_dir(stage)}/{JUNIT_FILE}",
                "codequality": f"{out_dir(stage)}/{CODE_QUALITY_FILE}",
            },
        },
    }


def _report_job(stages: tuple[StageDef, ...], options: CiOptions) -> dict[str, Any]:
    """Runs after all stages passed; checks every report is there and publishes them as one."""
    script = literal(
        [
            "missing=0",
            *(
                f'[ -d "{out_dir(stage)}" ] || {{ echo "missing report: {out_dir(stage)}"; '
                "missing=1; }"
                for stage in stages
            ),
            'exit "$missing"',
        ]
    )
    return {
        "stage": REPORT_JOB,
        "needs": [{"job": stage.slug, "artifacts": True} for stage in stages],
        "timeout": f"{options.timeout_minutes} minutes",
        "script": [script],
        "artifacts": {"expire_in": "30 days", "paths": [f"{OUT_ROOT}/"]},
    }
