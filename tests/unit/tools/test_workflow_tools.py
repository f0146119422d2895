"""zizmor and actionlint adapters: their reports parsed strictly, their exit codes believed
only when the report agrees, and the clause of every audit id and error kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aces.errors import InputError, ToolError
from aces.stages import workflow_clauses
from aces.tools import actionlint, zizmor
from aces.tools.process import CommandError, ProcessRunner

PATH = ".github/workflows/pr.yml"
FILES = frozenset({PATH})


def location(
    kind: str,
    row: int,
    column: int,
    annotation: str,
    feature: str = "",
    feature_kind: object = "Normal",
) -> dict[str, object]:
    """One location of zizmor's JSON v1 report (rows and columns 0-based)."""
    return {
        "symbolic": {
            "key": {"Local": {"verbatim_path": PATH}},
            "annotation": annotation,
            "route": {"route": []},
            "feature_kind": feature_kind,
            "kind": kind,
        },
        "concrete": {
            "location": {
                "start_point": {"row": row, "column": column},
                "end_point": {"row": row, "column": column + 30},
                "offset_span": {"start": 0, "end": 30},
            },
            "feature": feature,
            "comments": [],
        },
    }


# Recorded from zizmor 1.32.0 (trimmed): a template injection in a run: script, at line 14.
INJECTION = {
    "ident": "template-injection",
    "desc": "code injection via template expansion",
    "url": "https://docs.zizmor.sh/audits/#template-injection",
    "determinations": {"confidence": "High", "severity": "High", "persona": "Regular"},
    "locations": [
        location("Hidden", 12, 8, "this step"),
        location(
            "Primary",
            13,
            23,
            "may expand into attacker-controllable code",
            '|\n  echo start\n  echo "${{ github.event.pull_request.title }}"\n',
            {"Subfeature": {"after": 23, "fragment": {"Raw": "github.event.pull_request.title"}}},
        ),
        location("Related", 13, 8, "this run block"),
    ],
    "ignored": False,
    "fixes": [],
}
# Recorded from actionlint 1.7.12.
RUNS_ON = {
    "message": '"runs-on" section is missing in job "lint"',
    "filepath": PATH,
    "line": 15,
    "column": 3,
    "kind": "syntax-check",
    "snippet": "  lint:\n  ^~~~~",
    "end_column": 7,
}


def test_zizmor_findings_are_read_at_their_primary_location_one_based() -> None:
    (issue,) = zizmor.parse(json.dumps([INJECTION]), FILES)
    assert (issue.code, issue.path, issue.line, issue.column) == (
        "template-injection",
        PATH,
        14,
        24,
    )
    assert issue.message == (
        "code injection via template expansion: may expand into attacker-controllable code"
        " (`github.event.pull_request.title`)"  # the expression, not the script's first line
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\xff garbage {not json",
        '{"ident": "x"}',
        "[1]",
        json.dumps([{**INJECTION, "locations": []}]),
        json.dumps([{**INJECTION, "locations": [location("Primary", -1, 0, "x")]}]),
        json.dumps(
            [
                {
                    **INJECTION,
                    "locations": [{**location("Primary", 1, 0, "x"), "concrete": {"location": 3}}],
                }
            ]
        ),
    ],
    ids=["empty", "garbage", "not-a-list", "not-a-finding", "no-location", "no-line", "no-span"],
)
def test_zizmor_output_that_is_not_its_report_is_a_tool_error(text: str) -> None:
    with pytest.raises(ToolError, match="zizmor"):
        zizmor.parse(text, FILES)


def static_expansion(expression: str) -> dict[str, object]:
    """A template expansion zizmor files under its Pedantic persona (as 1.32.0 does for a
    static matrix entry, an env constant of the workflow or a secret)."""
    return {
        **INJECTION,
        "determinations": {"confidence": "High", "severity": "Low", "persona": "Pedantic"},
        "locations": [
            location(
                "Primary",
                20,
                30,
                "may expand into attacker-controllable code",
                f"cargo build --target ${{{{ {expression} }}}}",
                {"Subfeature": {"after": 30, "fragment": {"Raw": expression}}},
            )
        ],
    }


def test_a_template_expansion_no_attacker_controls_is_not_an_injection() -> None:
    report = [static_expansion("matrix.target"), static_expansion("env.CRATE"), INJECTION]
    (issue,) = zizmor.parse(json.dumps(report), FILES)
    assert (issue.code, issue.line) == ("template-injection", 14)
    assert "github.event.pull_request.title" in issue.message


def test_a_zizmor_run_finding_only_static_expansions_is_clean(tmp_path: Path) -> None:
    stdout = json.dumps([static_expansion("matrix.target")])
    program = shim(tmp_path, "zizmor", stdout, 11, stderr=f"INFO completed {PATH}\n")
    report = zizmor.run(ProcessRunner(), program, [PATH], tmp_path, timeout=10, env={})
    assert report.issues == ()
    assert report.skipped == ()


def test_a_zizmor_finding_about_a_file_not_asked_for_is_a_tool_error() -> None:
    with pytest.raises(ToolError, match="not asked to audit"):
        zizmor.parse(json.dumps([INJECTION]), frozenset({".github/workflows/other.yml"}))


def test_actionlint_errors_are_read_at_their_line() -> None:
    (issue,) = actionlint.parse(json.dumps([RUNS_ON]), FILES)
    assert (issue.code, issue.path, issue.line, issue.column) == ("syntax-check", PATH, 15, 3)


@pytest.mark.parametrize(
    "text",
    ["", "v1.7.12\n", '{"kind": "x"}', json.dumps([{**RUNS_ON, "line": 0}]),
     json.dumps([{**RUNS_ON, "filepath": "elsewhere.yml"}])],
    ids=["empty", "version-line", "not-a-list", "no-line", "other-file"],
)  # fmt: skip
def test_actionlint_output_that_is_not_its_report_is_a_tool_error(text: str) -> None:
    with pytest.raises(ToolError, match="actionlint"):
        actionlint.parse(text, FILES)


def shim(tmp_path: Path, name: str, stdout: str, code: int, stderr: str = "") -> Path:
    """A program printing ``stdout`` and ``stderr`` and exiting with ``code``."""
    (tmp_path / "out.txt").write_text(stdout, encoding="utf-8")
    (tmp_path / "err.txt").write_text(stderr, encoding="utf-8")
    program = tmp_path / name
    program.write_text(
        f"#!/bin/sh\ncat '{tmp_path}/out.txt'\ncat '{tmp_path}/err.txt' >&2\nexit {code}\n",
        encoding="utf-8",
    )
    program.chmod(0o755)
    return program


@pytest.mark.parametrize(
    ("stdout", "code", "message"),
    [
        ("[]", 14, "exited with 14 but reported no finding"),
        (json.dumps([INJECTION]), 0, "exited with 0 .* but reported findings"),
        ("[]", 1, "zizmor failed: exited with code 1"),
    ],
)
def test_a_zizmor_exit_code_the_report_contradicts_is_an_error(
    tmp_path: Path, stdout: str, code: int, message: str
) -> None:
    program = shim(tmp_path, "zizmor", stdout, code, stderr=f"INFO completed {PATH}\n")
    with pytest.raises(CommandError, match=message):
        zizmor.run(ProcessRunner(), program, [PATH], tmp_path, timeout=10, env={})


def test_workflows_zizmor_cannot_read_are_returned_as_skipped(tmp_path: Path) -> None:
    warning = f"WARN failed to validate file://{PATH} as workflow: input does not match\n"
    stderr = warning + "fatal: no audit was performed\nerror: no inputs collected\n"
    program = shim(tmp_path, "zizmor", "", 3, stderr=stderr)
    report = zizmor.run(ProcessRunner(), program, [PATH], tmp_path, timeout=10, env={})
    assert report == zizmor.ZizmorReport((), (PATH,))


def test_an_input_zizmor_did_not_complete_is_skipped_whatever_the_warning(
    tmp_path: Path,
) -> None:
    other = ".github/workflows/broken.yml"
    stderr = (
        " WARN failed to parse input: did not find expected ',' at line 6 column 1\n"
        f" INFO audit: zizmor: completed {PATH}\n"
    )
    program = shim(tmp_path, "zizmor", json.dumps([INJECTION]), 14, stderr=stderr)
    report = zizmor.run(ProcessRunner(), program, [PATH, other], tmp_path, timeout=10, env={})
    assert [i.code for i in report.issues] == ["template-injection"]
    assert report.skipped == (other,)


@pytest.mark.parametrize(("stdout", "code"), [("[]", 1), (json.dumps([RUNS_ON]), 0), ("", 3)])
def test_an_actionlint_exit_code_the_report_contradicts_is_an_error(
    tmp_path: Path, stdout: str, code: int
) -> None:
    program = shim(tmp_path, "actionlint", stdout, code)
    with pytest.raises(CommandError, match=r"actionlint|exited with"):
        actionlint.run(ProcessRunner(), program, [PATH], tmp_path, timeout=10, env={})


@pytest.mark.parametrize(
    ("ident", "clause"),
    [
        ("dangerous-triggers", "gov.pipeline-authority"),
        ("cache-poisoning", "gov.pipeline-authority"),
        ("unpinned-uses", "infra.immutable-tags"),
        ("template-injection", "sec.unsafe-exposure"),
        ("artipacked", "sec.secrets"),
        ("excessive-permissions", "sec.permission-matrix"),
        ("an-audit-of-a-newer-zizmor", "sec.unsafe-exposure"),
    ],
)
def test_each_zizmor_audit_breaks_a_clause(ident: str, clause: str) -> None:
    assert workflow_clauses.zizmor_clause(ident) == clause
    assert workflow_clauses.is_judged(ident)


def test_style_audits_are_not_judged_and_every_mapped_clause_exists() -> None:
    assert not workflow_clauses.is_judged("anonymous-definition")
    assert not set(workflow_clauses.ZIZMOR_CLAUSES) & workflow_clauses.NOT_JUDGED
    from aces.doctrine.catalog import load_doctrine

    known = {clause.id for clause in load_doctrine().clauses}
    used = {
        *workflow_clauses.ZIZMOR_CLAUSES.values(),
        *workflow_clauses.ACTIONLINT_CLAUSES.values(),
    }
    assert used <= known


@pytest.mark.parametrize(
    ("kind", "clause"),
    [("syntax-check", "gov.pipeline-authority"), ("credentials", "sec.secrets"),
     ("permissions", "sec.permission-matrix"), ("runner-label", "gov.pipeline-authority")],
)  # fmt: skip
def test_each_actionlint_kind_breaks_a_clause(kind: str, clause: str) -> None:
    assert workflow_clauses.actionlint_clause(kind) == clause


def test_only_the_runner_facts_of_the_repository_actionlint_config_are_kept(
    tmp_path: Path,
) -> None:
    config = tmp_path / ".github/actionlint.yaml"
    config.parent.mkdir()
    config.write_text(
        "self-hosted-runner:\n  labels: [gpu-box]\nconfig-variables: [ENV]\n"
        "paths:\n  .github/workflows/**/*.yml:\n    ignore: ['.*']\n",
        encoding="utf-8",
    )
    assert actionlint.runner_config(tmp_path) == (
        "config-variables:\n- ENV\nself-hosted-runner:\n  labels:\n  - gpu-box\n"
    )
    assert actionlint.runner_config(tmp_path / "none") == ""


@pytest.mark.parametrize("text", ["a: [b\n", "- a list\n"])
def test_an_actionlint_config_that_is_not_a_mapping_is_bad_input(tmp_path: Path, text: str) -> None:
    config = tmp_path / ".github/actionlint.yml"
    config.parent.mkdir()
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=r"\.github/actionlint\.yml"):
        actionlint.runner_config(tmp_path)


@pytest.mark.parametrize(
    ("kind", "message", "left"),
    [
        ("expression", '"github.event.issue.title" is potentially untrusted', True),
        ("expression", 'property "target" is not defined in object type {}', False),
        ("if-cond", 'if: condition "${{ a }} != 0" is always evaluated to true', True),
        ("credentials", '"password" section in "container" section should be ...', True),
        ("deprecated-commands", 'workflow command "set-env" was deprecated', False),
    ],
)
def test_actionlint_errors_zizmor_also_reports_are_left_to_it(
    kind: str, message: str, left: bool
) -> None:
    assert workflow_clauses.left_to_zizmor(kind, message) is left
    assert all(
        audit in workflow_clauses.ZIZMOR_CLAUSES
        for _, audit in workflow_clauses.LEFT_TO_ZIZMOR.values()
    )
