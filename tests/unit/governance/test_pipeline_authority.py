"""gov.pipeline-authority: committed CI files against what `aces generate ci` writes."""

from __future__ import annotations

import pytest

from aces.generate.ci import render_ci
from aces.generate.ci_common import CiOptions
from aces.stages import STAGES
from aces.stages.ci_model import BUILDKITE, GITHUB, GITLAB, parse_pipeline, provider_of
from aces.stages.governance_ci import compare_pipeline, generated


def problems(provider: str, text: str) -> list[tuple[int | None, str]]:
    committed = parse_pipeline(provider, "ci.yml", text)
    return [(p.line, p.message) for p in compare_pipeline(committed, generated(provider))]


def rendered(provider: str, **options: str) -> str:
    return render_ci(provider, STAGES, CiOptions(**options))  # type: ignore[arg-type]


def line_of(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


@pytest.mark.parametrize("provider", [GITHUB, GITLAB, BUILDKITE])
def test_the_generated_pipeline_passes(provider: str) -> None:
    assert problems(provider, rendered(provider)) == []


@pytest.mark.parametrize("provider", [GITHUB, GITLAB, BUILDKITE])
def test_another_pinned_release_of_aces_passes(provider: str) -> None:
    assert problems(provider, rendered(provider, aces_requirement="aces==0.2.0")) == []


def test_github_continue_on_error_on_a_stage_job_fails_at_its_line() -> None:
    text = rendered(GITHUB).replace(
        "  s05-unit:\n    name: 5. Unit Test Verification\n",
        "  s05-unit:\n    name: 5. Unit Test Verification\n    continue-on-error: true\n",
    )
    line = line_of(text, "continue-on-error: true")
    assert problems(GITHUB, text) == [
        (
            line,
            "`continue-on-error: true` on aces job 's05-unit' can let it pass or be skipped "
            "without ACES' verdict",
        )
    ]


def test_github_if_false_on_the_aces_step_fails() -> None:
    text = rendered(GITHUB).replace(
        "      - name: 'Stage 3: Static Analysis & Code Quality'\n",
        "      - name: 'Stage 3: Static Analysis & Code Quality'\n        if: false\n",
    )
    assert "if: false" in text
    found = problems(GITHUB, text)
    assert [line for line, _ in found] == [line_of(text, "if: false")]
    assert "if: false" in found[0][1]


def test_github_or_true_after_aces_run_fails_at_the_command() -> None:
    text = rendered(GITHUB).replace(
        "run: aces run --stage 2 --out .aces/out/s02-schema",
        "run: aces run --stage 2 --out .aces/out/s02-schema || true",
    )
    line = line_of(text, "|| true")
    assert problems(GITHUB, text) == [
        (
            line_of(text, "  s02-schema:"),
            "job 's02-schema' skips a stage: no longer runs "
            "`aces run --stage 2 --out .aces/out/s02-schema`",
        ),
        (
            line,
            "job 's02-schema' swallows a failure: `aces run --stage 2 --out "
            ".aces/out/s02-schema || true`",
        ),
    ]


def test_github_removed_stage_job_and_skipped_stage_fail() -> None:
    text = rendered(GITHUB)
    start = text.index("  s06-integration:")
    end = text.index("  s07-security:")
    without = text[:start] + text[end:]
    messages = [message for _, message in problems(GITHUB, without)]
    assert messages == ["the aces job 's06-integration' is removed"]


def test_github_stage_job_that_stops_waiting_for_the_previous_one_fails() -> None:
    text = rendered(GITHUB).replace("    needs: s06-integration\n", "", 1)
    assert problems(GITHUB, text) == [
        (
            line_of(text, "  s07-security:"),
            "job 's07-security' no longer waits for 's06-integration'",
        )
    ]


def test_gitlab_allow_failure_fails() -> None:
    text = rendered(GITLAB).replace(
        "s04-build:\n  stage: s04-build\n",
        "s04-build:\n  stage: s04-build\n  allow_failure: true\n",
    )
    assert problems(GITLAB, text) == [
        (
            line_of(text, "allow_failure: true"),
            "`allow_failure: true` on aces job 's04-build' can let it pass or be skipped "
            "without ACES' verdict",
        )
    ]


def test_gitlab_switch_hidden_in_a_template_counts() -> None:
    text = (
        rendered(GITLAB).replace(
            "s04-build:\n  stage: s04-build\n",
            "s04-build:\n  extends: .lenient\n  stage: s04-build\n",
        )
        + ".lenient:\n  allow_failure: true\n"
    )
    assert [message for _, message in problems(GITLAB, text)] == [
        "`allow_failure: true` on aces job 's04-build' can let it pass or be skipped without "
        "ACES' verdict"
    ]


def test_buildkite_soft_fail_fails() -> None:
    text = rendered(BUILDKITE).replace(
        "    key: s08-performance\n", "    key: s08-performance\n    soft_fail: true\n"
    )
    assert [line for line, _ in problems(BUILDKITE, text)] == [line_of(text, "soft_fail: true")]


def test_an_extra_job_running_aces_is_held_to_the_same_rules() -> None:
    text = rendered(GITHUB) + (
        "  extra:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: aces run --stage 5\n        continue-on-error: true\n"
    )
    assert [line for line, _ in problems(GITHUB, text)] == [
        line_of(text, "continue-on-error: true")
    ]


def test_provider_by_path() -> None:
    assert provider_of(".github/workflows/aces.yml") == GITHUB
    assert provider_of(".github/workflows/sub/aces.yml") is None
    assert provider_of(".gitlab-ci.yml") == GITLAB
    assert provider_of(".buildkite/pipeline.yml") == BUILDKITE
    assert provider_of("ci/aces.yml") is None


def test_github_dropping_the_pull_request_trigger_fails() -> None:
    text = rendered(GITHUB)
    start = text.index("  pull_request:")
    end = text.index("  push:")
    assert problems(GITHUB, text[:start] + text[end:]) == [
        (1, "the pipeline no longer runs on `on.pull_request`")
    ]


def test_github_paths_filter_on_pull_requests_fails_at_its_line() -> None:
    text = rendered(GITHUB).replace("  pull_request:\n", "  pull_request:\n    paths: [docs/**]\n")
    found = problems(GITHUB, text)
    assert [line for line, _ in found] == [line_of(text, "  pull_request:")]
    assert found[0][1].startswith("`on.pull_request` differs from the generated trigger")


def test_github_extra_pull_request_types_and_another_push_branch_pass() -> None:
    text = rendered(GITHUB, default_branch="trunk").replace(
        "- edited\n", "- edited\n      - labeled\n"
    )
    assert "labeled" in text
    assert problems(GITHUB, text) == []


def test_gitlab_workflow_that_never_runs_fails() -> None:
    text = rendered(GITLAB).replace(
        "workflow:\n  rules:\n", "workflow:\n  rules:\n    - when: never\n"
    )
    assert [message.split(":")[0] for _, message in problems(GITLAB, text)] == [
        "`workflow` differs from the generated trigger"
    ]
