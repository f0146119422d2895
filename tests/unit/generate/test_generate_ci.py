"""The generated CI pipelines: job order and gating follow the stage registry, fail closed."""

from __future__ import annotations

import itertools
import re
import subprocess
from typing import Any

import pytest
import yaml

from aces import __version__
from aces.errors import InputError
from aces.generate import ci_github
from aces.generate.ci import PROVIDERS, render_ci
from aces.generate.ci_common import CiOptions
from aces.pipeline.registry import StageDef
from aces.stages import STAGES

SLUGS = [stage.slug for stage in STAGES]
SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")


def load(provider: str, stages: tuple[StageDef, ...] = STAGES) -> dict[str, Any]:
    """The pipeline of ``provider`` parsed back into data."""
    document = yaml.safe_load(render_ci(provider, stages, CiOptions()))
    assert isinstance(document, dict)
    return document


def walk(node: Any) -> list[tuple[str, Any]]:
    """Every (key, value) pair at any depth of a parsed YAML document."""
    pairs: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            pairs.append((str(key), value))
            pairs.extend(walk(value))
    elif isinstance(node, list):
        for item in node:
            pairs.extend(walk(item))
    return pairs


def run_commands(text: str) -> list[str]:
    """The ``aces run`` command lines of a rendered pipeline, in file order."""
    return re.findall(r"aces run --stage \d+ --out \S+", text)


EXPECTED_RUNS = [f"aces run --stage {s.number} --out .aces/out/{s.slug}" for s in STAGES]


# ---------------------------------------------------------------------------- all providers


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_every_stage_runs_once_in_registry_order(provider: str) -> None:
    text = render_ci(provider, STAGES, CiOptions())
    assert run_commands(text) == EXPECTED_RUNS


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_output_is_deterministic(provider: str) -> None:
    assert render_ci(provider, STAGES, CiOptions()) == render_ci(provider, STAGES, CiOptions())


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_nothing_can_soften_a_failure(provider: str) -> None:
    keys = {key for key, _ in walk(load(provider))}
    assert not keys & {
        "continue-on-error",
        "allow_failure",
        "soft_fail",
        "allow_dependency_failure",
    }


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_installs_the_pinned_release_on_python_311(provider: str) -> None:
    text = render_ci(provider, STAGES, CiOptions())
    assert f'python -m pip install "aces=={__version__}"' in text
    assert "3.11" in text
    assert "latest" not in text


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_jobs_come_from_the_registry_not_a_fixed_list(provider: str) -> None:
    stages = (StageDef(1, "alpha", "Alpha"), StageDef(2, "beta", "Beta"), StageDef(3, "gamma", "G"))
    text = render_ci(provider, stages, CiOptions())
    assert run_commands(text) == [
        "aces run --stage 1 --out .aces/out/s01-alpha",
        "aces run --stage 2 --out .aces/out/s02-beta",
        "aces run --stage 3 --out .aces/out/s03-gamma",
    ]
    assert "s04-build" not in text


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_file_starts_with_the_generated_header(provider: str) -> None:
    text = render_ci(provider, STAGES, CiOptions())
    assert text.startswith(f"# ACES pipeline for {provider}:")
    assert f"aces generate ci --provider {provider}" in text.splitlines()[1]


def test_unknown_provider_is_an_input_error() -> None:
    with pytest.raises(InputError, match="unknown CI provider 'jenkins'"):
        render_ci("jenkins", STAGES, CiOptions())


def test_no_stages_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no stages"):
        render_ci("github", (), CiOptions())


# ---------------------------------------------------------------------------- GitHub Actions


def test_github_jobs_chain_in_order_and_report_needs_all() -> None:
    jobs = load("github")["jobs"]
    assert list(jobs) == [*SLUGS, "report"]
    assert "needs" not in jobs[SLUGS[0]]
    for previous, current in itertools.pairwise(SLUGS):
        assert jobs[current]["needs"] == previous
    assert jobs["report"]["needs"] == SLUGS


def test_github_stage_jobs_run_their_stage_and_upload_their_report() -> None:
    jobs = load("github")["jobs"]
    for stage in STAGES:
        steps = jobs[stage.slug]["steps"]
        runs = [step["run"] for step in steps if "run" in step]
        assert runs[-2] == f"aces run --stage {stage.number} --out .aces/out/{stage.slug}"
        upload = steps[-1]
        assert upload["uses"] == ci_github.uses("actions/upload-artifact")
        assert upload["with"] == {
            "name": f"aces-{stage.slug}",
            "path": f".aces/out/{stage.slug}",
            "if-no-files-found": "error",
        }


def test_github_gating_jobs_have_no_condition_that_bypasses_failure() -> None:
    jobs = load("github")["jobs"]
    for slug in SLUGS:
        job = jobs[slug]
        assert "if" not in job
        conditions = [step["if"] for step in job["steps"] if "if" in step]
        # Only the summary and the report upload run after a failure; neither makes it pass.
        assert conditions == ["${{ !cancelled() }}", "${{ !cancelled() }}"]
        assert "always()" not in yaml.safe_dump(job)


def test_github_permissions_are_least_privilege() -> None:
    workflow = load("github")
    assert workflow["permissions"] == {"contents": "read"}
    for slug in SLUGS:
        assert "permissions" not in workflow["jobs"][slug]
    assert workflow["jobs"]["report"]["permissions"] == {
        "actions": "read",
        "contents": "read",
        "security-events": "write",
    }


def test_github_concurrency_is_per_ref() -> None:
    concurrency = load("github")["concurrency"]
    assert concurrency["group"] == "aces-${{ github.workflow }}-${{ github.ref }}"
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_github_every_checkout_fetches_full_history() -> None:
    jobs = load("github")["jobs"]
    for name, job in jobs.items():
        checkout = job["steps"][0]
        assert checkout["uses"] == ci_github.uses("actions/checkout"), name
        assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}


def test_github_every_action_is_pinned_by_commit_sha_with_its_tag() -> None:
    text = render_ci("github", STAGES, CiOptions())
    used = [value for key, value in walk(yaml.safe_load(text)) if key == "uses"]
    assert used
    assert all(SHA.match(value) for value in used), used
    for line in text.splitlines():
        if "uses: " in line:
            action = line.split("uses: ")[1].split("@")[0]
            assert line.endswith(f" # {ci_github.ACTIONS[action][1]}"), line


def test_github_caches_pip_on_constraints_and_aces_cache_per_stage() -> None:
    steps = load("github")["jobs"]["s03-static"]["steps"]
    caches = [step["with"] for step in steps if step.get("uses") == ci_github.uses("actions/cache")]
    assert caches == [
        {
            "path": "~/.cache/pip",
            "key": "aces-pip-${{ runner.os }}-py3.11-aces-"
            + __version__.replace(".", "-")
            + "-${{ hashFiles('constraints.txt') }}",
        },
        {
            "path": ".aces/cache",
            "key": "aces-cache-s03-static-${{ github.sha }}",
            "restore-keys": "aces-cache-s03-static-",
        },
    ]


def test_github_report_uploads_sarif_per_stage_then_gates() -> None:
    report = load("github")["jobs"]["report"]
    assert report["if"] == "${{ !cancelled() }}"
    sarif = [s for s in report["steps"] if str(s.get("uses", "")).startswith("github/codeql")]
    assert [step["with"]["category"] for step in sarif] == [f"aces/{slug}" for slug in SLUGS]
    assert sarif[0]["with"]["sarif_file"] == ".aces/artifacts/aces-s01-spec"
    assert report["steps"][-2]["name"] == "Publish the JUnit results"
    assert report["steps"][-2]["with"]["path"] == ".aces/artifacts/*/junit.xml"
    assert report["steps"][-1]["name"] == "Gate: every stage passed"


def _gate(results: str) -> subprocess.CompletedProcess[str]:
    """Run the report job's gate script with these stage results."""
    step = load("github")["jobs"]["report"]["steps"][-1]
    env = {
        "STAGE_RESULTS": results,
        "STAGE_COUNT": step["env"]["STAGE_COUNT"],
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        ["bash", "-e", "-c", step["run"]], env=env, capture_output=True, text=True, check=False
    )


def test_github_gate_passes_only_when_every_stage_succeeded() -> None:
    all_passed = "".join(f"{slug}=success\n" for slug in SLUGS)
    assert _gate(all_passed).returncode == 0


@pytest.mark.parametrize("result", ["failure", "skipped", "cancelled", ""])
def test_github_gate_fails_closed_on_any_other_result(result: str) -> None:
    results = "".join(f"{slug}=success\n" for slug in SLUGS).replace(
        "s05-unit=success", f"s05-unit={result}"
    )
    outcome = _gate(results)
    assert outcome.returncode == 1
    assert f"::error::ACES job s05-unit did not pass: {result or 'unknown'}" in outcome.stdout


def test_github_gate_fails_when_a_stage_result_is_missing() -> None:
    results = "".join(f"{slug}=success\n" for slug in SLUGS[:-1])
    outcome = _gate(results)
    assert outcome.returncode == 1
    assert "::error::expected 12 stage results, got 11" in outcome.stdout


def test_github_env_gate_lists_every_stage_result() -> None:
    step = load("github")["jobs"]["report"]["steps"][-1]
    assert step["env"]["STAGE_RESULTS"].splitlines() == [
        f"{slug}=${{{{ needs.{slug}.result }}}}" for slug in SLUGS
    ]


# ---------------------------------------------------------------------------- GitLab CI


def test_gitlab_stages_and_needs_follow_the_registry() -> None:
    document = load("gitlab")
    assert document["stages"] == [*SLUGS, "report"]
    assert document[SLUGS[0]]["needs"] == []
    for previous, current in itertools.pairwise(SLUGS):
        assert document[current]["stage"] == current
        assert document[current]["needs"] == [previous]
    assert document["report"]["needs"] == [{"job": slug, "artifacts": True} for slug in SLUGS]


def test_gitlab_stage_job_runs_its_stage_and_keeps_reports() -> None:
    job = load("gitlab")["s07-security"]
    assert job["script"][-1] == "aces run --stage 7 --out .aces/out/s07-security"
    assert job["artifacts"]["when"] == "always"
    assert job["artifacts"]["paths"] == [".aces/out/s07-security/"]
    assert job["artifacts"]["reports"] == {
        "junit": ".aces/out/s07-security/junit.xml",
        "codequality": ".aces/out/s07-security/codequality.json",
    }
    assert "when" not in job
    assert job["cache"][0]["key"]["files"] == ["constraints.txt"]
    assert job["cache"][1] == {"key": "aces-cache-s07-security", "paths": [".aces/cache/"]}


def test_gitlab_full_clone_and_auto_cancel_per_ref() -> None:
    document = load("gitlab")
    assert document["variables"]["GIT_DEPTH"] == "0"
    assert document["default"]["interruptible"] is True
    assert document["workflow"]["auto_cancel"] == {"on_new_commit": "interruptible"}
    assert "when" not in document["report"]


# ---------------------------------------------------------------------------- Buildkite


def test_buildkite_steps_depend_on_the_previous_stage() -> None:
    steps = load("buildkite")["steps"]
    assert [step["key"] for step in steps] == [*SLUGS, "report"]
    assert "depends_on" not in steps[0]
    for previous, step in itertools.pairwise(steps):
        assert step["depends_on"] == previous["key"]


def test_buildkite_stage_step_runs_its_stage_and_uploads_reports() -> None:
    step = load("buildkite")["steps"][1]
    assert step["commands"][-1].splitlines()[1] == (
        "aces run --stage 2 --out .aces/out/s02-schema || status=$$?"
    )
    assert step["artifact_paths"] == [".aces/out/s02-schema/**/*"]
    assert step["plugins"][0]["cache#v1.10.0"]["manifest"] == "constraints.txt"
    assert step["plugins"][1]["cache#v1.10.0"]["path"] == ".aces/cache"


def test_buildkite_runtime_variables_escape_upload_interpolation() -> None:
    for step in load("buildkite")["steps"]:
        for command in step["commands"]:
            # "$$" reaches the agent's shell as "$"; a lone "$" would be replaced at upload.
            assert "$" not in command.replace("$$", ""), command


# ---------------------------------------------------------------------------- actionlint


def _script(provider: str, slug: str) -> list[str]:
    document = load(provider)
    if provider == "gitlab":
        lines: list[str] = document[slug]["script"]
        return lines
    step = next(s for s in document["steps"] if s["key"] == slug)
    commands: list[str] = step["commands"]
    return commands


@pytest.mark.parametrize("provider", ["gitlab", "buildkite"])
def test_only_the_stage_that_runs_actionlint_builds_it_before_aces_runs(provider: str) -> None:
    install = "go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12"
    for slug in SLUGS:
        script = _script(provider, slug)
        builds = [i for i, line in enumerate(script) if install in line]
        if slug != "s07-security":
            assert builds == [], slug
            continue
        assert len(builds) == 1
        runs = next(i for i, line in enumerate(script) if "aces run --stage 7" in line)
        # Go missing stops the job with what to do; the built tool is on PATH for aces.
        assert "command -v go" in script[builds[0] - 1]
        assert "exit 2" in script[builds[0] - 1]
        assert ".aces/tools:" in script[builds[0] + 1]
        assert builds[0] < runs


def test_gitlab_stage_7_fails_with_what_to_do_when_the_image_has_no_go(tmp_path: Any) -> None:
    script = _script("gitlab", "s07-security")
    check = next(line for line in script if "command -v go" in line)
    done = subprocess.run(
        ["/bin/sh", "-c", check],
        env={"PATH": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "actionlint 1.7.12 with Go" in done.stderr
