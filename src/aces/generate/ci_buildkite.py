"""Buildkite pipeline: one command step per stage, keyed and chained by ``depends_on``.

A step runs only when the step it depends on passed (Buildkite's default; nothing here
allows a dependency failure or a soft fail). Each step shows its ``summary.md`` as a build
annotation and uploads its report directory (JUnit XML included) as artifacts whatever its
outcome; the report step runs when all stages passed and publishes
the assembled reports as one archive. Variables meant for run time are written ``$$NAME``
because Buildkite interpolates ``$NAME`` when the pipeline is uploaded.
"""

from __future__ import annotations

from typing import Any

from aces.generate.ci_common import (
    CACHE_DIR,
    CONSTRAINTS_FILE,
    OUT_ROOT,
    SUMMARY_FILE,
    TOOLS_DIR,
    CiOptions,
    actionlint_install,
    dump_yaml,
    header,
    install_command,
    job_title,
    literal,
    needs_actionlint,
    out_dir,
    run_command,
)
from aces.pipeline.registry import StageDef

PROVIDER = "buildkite"
REPORT_KEY = "report"
CACHE_PLUGIN = "cache#v1.10.0"
PIP_CACHE_DIR = ".aces/pip-cache"
VENV_DIR = ".aces/venv"
REPORT_ARCHIVE = ".aces/aces-reports.tar.gz"

# Agents may check out shallowly and only the built branch; the change needs the base.
FETCH_HISTORY = (
    'if [ "$$(git rev-parse --is-shallow-repository)" = "true" ]; then git fetch --unshallow; fi'
)
FETCH_BASE = (
    'if [ -n "$${BUILDKITE_PULL_REQUEST_BASE_BRANCH:-}" ]; then '
    'git fetch --no-tags origin "$$BUILDKITE_PULL_REQUEST_BASE_BRANCH"; fi'
)


def render(stages: tuple[StageDef, ...], options: CiOptions) -> str:
    """The ``.buildkite/pipeline.yml`` for these stages, as YAML text."""
    steps: list[dict[str, Any]] = []
    previous: StageDef | None = None
    for stage in stages:
        steps.append(_stage_step(stage, previous, options))
        previous = stage
    steps.append(_report_step(stages, options))
    document: dict[str, Any] = {
        "env": {"PIP_CACHE_DIR": PIP_CACHE_DIR, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        "steps": steps,
    }
    return header(PROVIDER, options, len(stages)) + "\n" + dump_yaml(document)


def _install(options: CiOptions) -> list[str]:
    """A virtual environment on the pinned Python, then the pinned ACES."""
    return [
        f"python{options.python_version} -m venv {VENV_DIR}",
        f". {VENV_DIR}/bin/activate",
        install_command(options),
    ]


def _plugins(stage: StageDef) -> list[dict[str, Any]]:
    """pip downloads keyed on the constraints file; ACES results per step."""
    return [
        {
            CACHE_PLUGIN: {
                "path": PIP_CACHE_DIR,
                "manifest": CONSTRAINTS_FILE,
                "restore": "file",
                "save": "file",
            }
        },
        {CACHE_PLUGIN: {"path": CACHE_DIR, "restore": "step", "save": "step"}},
    ]


def _common(options: CiOptions) -> dict[str, Any]:
    """Fields shared by every step."""
    return {"timeout_in_minutes": options.timeout_minutes}


def _stage_step(stage: StageDef, previous: StageDef | None, options: CiOptions) -> dict[str, Any]:
    """One gating step, which waits for the previous stage's step to pass."""
    step: dict[str, Any] = {"label": job_title(stage), "key": stage.slug}
    if previous is not None:
        step["depends_on"] = previous.slug
    tools = actionlint_install(TOOLS_DIR, dollar="$$") if needs_actionlint(stage) else []
    step["commands"] = [
        FETCH_HISTORY,
        FETCH_BASE,
        *_install(options),
        *tools,
        _run_and_annotate(stage),
    ]
    step["artifact_paths"] = [f"{out_dir(stage)}/**/*"]
    step["plugins"] = _plugins(stage)
    step.update(_common(options))
    return step


def _run_and_annotate(stage: StageDef) -> str:
    """Run the stage, show its ``summary.md`` as a build annotation, exit with the stage's status.

    The agent stops a step at the first failing command, so the status is kept and
    returned last: the annotation is shown after a failure and never changes the outcome.
    """
    summary = f"{out_dir(stage)}/{SUMMARY_FILE}"
    return literal(
        [
            "status=0",
            f"{run_command(stage)} || status=$$?",
            'style=success; [ "$$status" -eq 0 ] || style=error',
            f'if [ -f "{summary}" ]; then',
            f'  buildkite-agent annotate --context "aces-{stage.slug}" --style "$$style" '
            f'< "{summary}" || echo "could not annotate the build with {summary}"',
            "fi",
            'exit "$$status"',
        ]
    )


def _report_step(stages: tuple[StageDef, ...], options: CiOptions) -> dict[str, Any]:
    """After the last stage passed: fetch every stage's reports and publish them as one."""
    checks = [f'test -d "{out_dir(stage)}"' for stage in stages]
    step: dict[str, Any] = {
        "label": "ACES report",
        "key": REPORT_KEY,
        "depends_on": stages[-1].slug if stages else [],
        "commands": [
            f'buildkite-agent artifact download "{OUT_ROOT}/**/*" .',
            *checks,
            f"tar -czf {REPORT_ARCHIVE} {OUT_ROOT}",
        ],
        "artifact_paths": [REPORT_ARCHIVE],
    }
    step.update(_common(options))
    return step
