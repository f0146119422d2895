"""The JSON report: canonical bytes, and the published schema accepts exactly the model."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from aces.model import RunReport, Status
from aces.report.json_report import load_schema, render_json

DOCS = Path(__file__).resolve().parents[3] / "docs" / "report-schema.md"


def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _errors(data: dict[str, Any]) -> list[str]:
    return sorted(e.message for e in _validator().iter_errors(data))


def test_schema_is_draft_2020_12() -> None:
    assert load_schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", ["failing_report", "passing_report", "error_report"])
def test_rendered_report_validates(name: str, request: pytest.FixtureRequest) -> None:
    report: RunReport = request.getfixturevalue(name)
    for with_timing in (True, False):
        assert _errors(json.loads(render_json(report, with_timing=with_timing))) == []


def test_canonical_form(failing_report: RunReport) -> None:
    text = render_json(failing_report)
    assert text.endswith("}\n") and not text.endswith("\n\n")
    data = json.loads(text)
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert text.splitlines()[1] == '  "aces_version": "0.1.0",'
    assert data["verdict"] == "FAIL" and data["exit_code"] == 1


def test_byte_identical_apart_from_timing(
    make_report: Callable[..., RunReport], failing_report: RunReport
) -> None:
    other = make_report(failing_report.stages, timing={"total_seconds": 99.0})
    assert other == failing_report
    assert render_json(other, with_timing=False) == render_json(failing_report, with_timing=False)
    left = json.loads(render_json(other))
    right = json.loads(render_json(failing_report))
    assert left.pop("timing") == {"total_seconds": 99.0}
    right.pop("timing")
    assert left == right
    assert "timing" not in json.loads(render_json(other, with_timing=False))


def test_non_ascii_is_kept_readable(make_report: Callable[..., RunReport]) -> None:
    report = make_report((), notes=("policy naïve → strict",))
    assert '"policy naïve → strict"' in render_json(report)


def _mutated(report: RunReport, edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(json.loads(render_json(report)))
    edit(data)
    return data


def _stage(data: dict[str, Any], number: int) -> dict[str, Any]:
    stage: dict[str, Any] = data["stages"][number - 1]
    return stage


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.update(exit_code=0), "1 was expected"),
        (lambda d: d.update(schema_version="2.0"), "'1.0' was expected"),
        (
            lambda d: d.update(extra=1),
            "Additional properties are not allowed ('extra' was unexpected)",
        ),
        (lambda d: _stage(d, 6).pop("reason"), "'reason' is a required property"),
        (lambda d: _stage(d, 5).pop("reason"), "'reason' is a required property"),
        (lambda d: _stage(d, 3)["checks"][0].pop("reason"), "'reason' is a required property"),
        (lambda d: _stage(d, 2)["checks"][0].update(findings=[]), "[] should be non-empty"),
        (
            lambda d: _stage(d, 2)["checks"][0]["findings"][0].update(fingerprint="XYZ"),
            "'XYZ' does not match '^[0-9a-f]{32}$'",
        ),
        (
            lambda d: _stage(d, 2)["checks"][0]["findings"][0]["location"].update(line=0),
            "0 is less than the minimum of 1",
        ),
        (
            lambda d: _stage(d, 2)["checks"][0]["findings"][0].update(clauses=["Not A Clause"]),
            "'Not A Clause' does not match '^[a-z][a-z0-9-]*(\\\\.[a-z0-9-]+)+$'",
        ),
        (lambda d: _stage(d, 1)["checks"][0].update(status="BLOCKED"), "is not one of"),
    ],
)
def test_schema_rejects_inconsistent_reports(
    failing_report: RunReport, edit: Callable[[dict[str, Any]], None], expected: str
) -> None:
    errors = _errors(_mutated(failing_report, edit))
    assert any(expected in e for e in errors), errors


def test_pass_check_with_a_blocking_finding_is_rejected(failing_report: RunReport) -> None:
    def edit(data: dict[str, Any]) -> None:
        _stage(data, 2)["checks"][0]["status"] = Status.PASS.value

    errors = _errors(_mutated(failing_report, edit))
    assert len(errors) == 1 and errors[0].endswith("'note' was expected"), errors


def test_pass_check_with_information_only_validates(failing_report: RunReport) -> None:
    # a check whose findings are all information (severity note) passes and reports them
    def edit(data: dict[str, Any]) -> None:
        check = _stage(data, 2)["checks"][0]
        check["status"] = Status.PASS.value
        for finding in check["findings"]:
            finding["severity"] = "note"

    assert _errors(_mutated(failing_report, edit)) == []


def test_not_applicable_check_with_findings_is_rejected(failing_report: RunReport) -> None:
    def edit(data: dict[str, Any]) -> None:
        check = _stage(data, 2)["checks"][0]
        check.update(status=Status.NOT_APPLICABLE.value, reason="no file")

    errors = _errors(_mutated(failing_report, edit))
    assert any(e.endswith("is expected to be empty") for e in errors), errors


def _property_names(node: Any) -> set[str]:
    names: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                names.update(value)
            names |= _property_names(value)
    elif isinstance(node, list):
        for item in node:
            names |= _property_names(item)
    return names


def test_docs_describe_every_field() -> None:
    documented = set(re.findall(r"`([a-z_]+)`", DOCS.read_text("utf-8")))
    assert _property_names(load_schema()) - documented == set()
