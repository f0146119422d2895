"""JUnit XML: a suite per stage, a case per check, counts that add up, no clock, both schemas."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest
from tests.unit.report.conformance import junit_ant_errors, junit_errors

from aces.model import RunReport
from aces.report.junit import render_junit


def _root(report: RunReport) -> ET.Element:
    return ET.fromstring(render_junit(report).encode("utf-8"))


def _suite(root: ET.Element, name: str) -> ET.Element:
    suite = root.find(f"testsuite[@name='{name}']")
    assert suite is not None, name
    return suite


def _case(root: ET.Element, suite: str, name: str) -> ET.Element:
    case = _suite(root, suite).find(f"testcase[@name='{name}']")
    assert case is not None, name
    return case


def _counts(element: ET.Element) -> tuple[str, ...]:
    return tuple(element.get(k, "") for k in ("tests", "failures", "errors", "skipped"))


def test_document_shape(failing_report: RunReport) -> None:
    text = render_junit(failing_report)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')
    assert text.endswith("</testsuites>\n")
    root = _root(failing_report)
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root] == [
        "s01-spec",
        "s02-schema",
        "s03-static",
        "s04-build",
        "s05-unit",
        "s06-integration",
        "s07-security",
        "s08-performance",
        "s09-chaos",
        "s10-observability",
        "s11-compatibility",
        "s12-deploy",
    ]


def test_counts(failing_report: RunReport) -> None:
    root = _root(failing_report)
    # Ant's format allows no attribute on the root (junit-10.xsd no `skipped`): sums only.
    assert root.attrib == {}
    assert sum(int(s.get("tests", "")) for s in root) == 16
    assert sum(int(s.get("failures", "")) for s in root) == 3
    assert sum(int(s.get("errors", "")) for s in root) == 2
    assert sum(int(s.get("skipped", "")) for s in root) == 9
    assert _counts(_suite(root, "s01-spec")) == ("1", "0", "0", "0")
    assert _counts(_suite(root, "s02-schema")) == ("4", "3", "0", "0")
    assert _counts(_suite(root, "s03-static")) == ("2", "0", "1", "1")
    assert _counts(_suite(root, "s05-unit")) == ("1", "0", "1", "0")
    assert _counts(_suite(root, "s06-integration")) == ("1", "0", "0", "1")
    for suite in root:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
        assert suite.get("errors") == str(sum(c.find("error") is not None for c in cases))
        assert suite.get("skipped") == str(sum(c.find("skipped") is not None for c in cases))


def test_pass_case_is_empty(failing_report: RunReport) -> None:
    case = _case(_root(failing_report), "s01-spec", "spec.sections")
    assert case.get("classname") == "aces.s01-spec"
    assert list(case) == []


def test_failure_lists_findings(failing_report: RunReport) -> None:
    root = _root(failing_report)
    rename = _case(root, "s02-schema", "schema.no-field-rename").find("failure")
    assert rename is not None
    assert rename.get("message") == "1 finding"
    assert rename.text == (
        "proto/envelope.proto:12:3 schema.no-field-rename "
        "[schema.no-field-rename, principle.contracts] "
        "field 2 of Envelope was renamed from tenant to tenant_id"
    )
    reserved = _case(root, "s02-schema", "schema.reserved-tags").find("failure")
    assert reserved is not None
    assert reserved.get("message") == "2 findings"
    assert reserved.text is not None
    assert reserved.text.splitlines() == [
        "proto/envelope.proto:30 schema.reserved-tags [schema.reserved-tags] "
        "removed field 7 of Envelope is not reserved",
        "proto/kind.proto schema.reserved-tags [schema.reserved-tags] "
        "enum Kind lost value 3 without reserving it",
    ]
    nowhere = _case(root, "s02-schema", "sm.tests-updated").find("failure")
    assert nowhere is not None
    assert nowhere.text == (
        "(no location) sm.tests-updated [sm.tests-updated] "
        "state machine session changed without a changed test"
    )


def test_error_and_skipped_cases(failing_report: RunReport) -> None:
    root = _root(failing_report)
    error = _case(root, "s03-static", "lint.python").find("error")
    assert error is not None
    assert error.get("message") == "ruff 0.17.6 required, found none"
    assert error.get("type") == "ERROR"
    skipped = _case(root, "s03-static", "lint.rust").find("skipped")
    assert skipped is not None and skipped.get("message") == "no Cargo.toml"


def test_stages_without_checks_are_one_case(failing_report: RunReport) -> None:
    root = _root(failing_report)
    unit = _case(root, "s05-unit", "s05-unit")
    assert unit.get("classname") == "aces.s05-unit"
    error = unit.find("error")
    assert error is not None and error.get("message") == "not implemented: stage 5 has no check"
    blocked = _case(root, "s09-chaos", "s09-chaos").find("skipped")
    assert blocked is not None and blocked.get("message") == "blocked by stage 2"
    not_run = _case(root, "s12-deploy", "s12-deploy").find("skipped")
    assert not_run is not None and not_run.get("message") == "not selected"


def test_time_comes_from_timing_only(
    make_report: Callable[..., RunReport], failing_report: RunReport
) -> None:
    root = _root(failing_report)
    assert _suite(root, "s02-schema").get("time") == "1.500"
    assert _case(root, "s02-schema", "schema.no-field-rename").get("time") == "0.750"
    # Nothing measured (a stage that did not run): zero, which Ant's format requires.
    assert _suite(root, "s03-static").get("time") == "0.000"
    assert _suite(root, "s02-schema").get("timestamp") == "2026-11-27T10:00:00"
    untimed = render_junit(make_report(failing_report.stages, timing={}))
    assert set(re.findall(r' time="([^"]*)"', untimed)) == {"0.000"}
    assert "timestamp=" not in untimed


def test_ant_suite_attributes_and_children(failing_report: RunReport) -> None:
    root = _root(failing_report)
    for index, suite in enumerate(root):
        assert suite.get("id") == str(index)
        assert suite.get("package") == "aces"
        assert suite.get("hostname") == "localhost"
        children = [child.tag for child in suite]
        assert children[0] == "properties"
        assert children[-2:] == ["system-out", "system-err"]
    properties = {
        p.get("name"): p.get("value") for p in _suite(root, "s02-schema").iter("property")
    }
    assert properties["aces.verdict"] == "FAIL"
    assert properties["aces.stage.status"] == "FAIL"
    assert properties["aces.doctrine"] == "aces-1.0.0"


def test_control_characters_are_escaped(error_report: RunReport) -> None:
    text = render_junit(error_report)
    error = _case(ET.fromstring(text), "s03-static", "lint.python").find("error")
    assert error is not None
    assert error.get("message") == "ruff crashed: exit 101\n\\x1b[31mpanic\\x1b[0m"
    assert "\x1b" not in text


def test_deterministic(make_report: Callable[..., RunReport], failing_report: RunReport) -> None:
    again = make_report(failing_report.stages)
    assert render_junit(again) == render_junit(failing_report)


@pytest.mark.parametrize("name", ["failing_report", "passing_report", "error_report"])
def test_valid_against_jenkins_xunit_schema(name: str, request: pytest.FixtureRequest) -> None:
    assert junit_errors(render_junit(request.getfixturevalue(name))) == []


@pytest.mark.parametrize("name", ["failing_report", "passing_report", "error_report"])
def test_valid_against_the_ant_junit_format(name: str, request: pytest.FixtureRequest) -> None:
    assert junit_ant_errors(render_junit(request.getfixturevalue(name))) == []


def test_xunit_schema_rejects_skipped_on_the_root(failing_report: RunReport) -> None:
    text = render_junit(failing_report).replace("<testsuites>", '<testsuites skipped="9">', 1)
    errors = junit_errors(text)
    assert len(errors) == 1 and "skipped" in errors[0], errors


@pytest.mark.parametrize(
    ("old", "new", "what"),
    [
        ("<testsuites>", '<testsuites tests="16">', "tests"),
        (' hostname="localhost"', "", "hostname"),
        ("<system-err />", "", "system-err"),
        ('timestamp="2026-11-27T10:00:00"', 'timestamp="2026-11-27T10:00:00Z"', "timestamp"),
    ],
)
def test_ant_schema_rejects_what_ant_readers_reject(
    failing_report: RunReport, old: str, new: str, what: str
) -> None:
    text = render_junit(failing_report)
    assert old in text
    errors = junit_ant_errors(text.replace(old, new, 1))
    assert errors and any(what in e for e in errors), errors
