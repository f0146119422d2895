"""SARIF as GitHub code scanning reads it: security rules, short titles, line hashes, the cap."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.unit.report.conformance import sarif_errors

from aces.model import (
    CheckResult,
    Finding,
    Location,
    RuleInfo,
    RunReport,
    Severity,
    Status,
)
from aces.report.line_hash import line_hashes
from aces.report.sarif import MAX_RESULTS, render_sarif
from aces.report.sarif_rules import DOC_PAGES, doc_page

DOCS = Path(__file__).resolve().parents[3] / "docs"

Maker = Callable[..., Any]


def _run(text: str) -> dict[str, Any]:
    run: dict[str, Any] = json.loads(text)["runs"][0]
    return run


def _report(
    make_report: Maker, make_stage: Maker, findings: tuple[Finding, ...], **kw: Any
) -> RunReport:
    check = CheckResult("sec.secrets", 7, ("sec.secrets",), Status.FAIL, findings)
    report: RunReport = make_report((make_stage(7, Status.FAIL, (check,)),), **kw)
    return report


def _secret(
    line: int, severity: Severity = Severity.ERROR, path: str = "deploy/compose.yml"
) -> Finding:
    return Finding(
        "sec.secrets.generic",
        ("sec.secrets",),
        f"hard-coded credential on line {line}",
        Location(path, line),
        severity=severity,
    )


@pytest.mark.parametrize(
    ("severity", "score"),
    [(Severity.ERROR, "8.0"), (Severity.WARNING, "5.0"), (Severity.NOTE, "2.0")],
)
def test_security_rules_are_security_alerts(
    make_report: Maker, make_stage: Maker, severity: Severity, score: str
) -> None:
    report = _report(make_report, make_stage, (_secret(3, severity),))
    rules = {r["id"]: r for r in _run(render_sarif(report))["tool"]["driver"]["rules"]}
    secret = rules["sec.secrets.generic"]
    assert secret["properties"]["tags"] == ["aces", "security", "sec.secrets"]
    assert secret["properties"]["security-severity"] == score
    # Rules outside the sec. family are not security alerts.
    assert "security-severity" not in rules["schema.no-field-rename"]["properties"]
    assert "security" not in rules["schema.no-field-rename"]["properties"]["tags"]


def test_rule_severity_is_its_most_severe_finding(make_report: Maker, make_stage: Maker) -> None:
    findings = (_secret(3, Severity.NOTE), _secret(4, Severity.ERROR), _secret(5, Severity.WARNING))
    rules = _run(render_sarif(_report(make_report, make_stage, findings)))["tool"]["driver"][
        "rules"
    ]
    secret = next(r for r in rules if r["id"] == "sec.secrets.generic")
    assert secret["properties"]["security-severity"] == "8.0"


def test_long_descriptions_are_cut_and_kept_in_help(make_report: Maker, make_stage: Maker) -> None:
    long_title = "A title that goes on " + "and on " * 300
    long_description = "Why it matters. " * 200
    rule = RuleInfo(
        "sec.secrets.generic",
        long_title,
        ("sec.secrets",),
        help="Rotate it.",
        description=long_description,
    )
    report = _report(make_report, make_stage, (_secret(3),), rules=(rule,))
    sarif = render_sarif(report)
    descriptor = _run(sarif)["tool"]["driver"]["rules"][0]
    assert len(descriptor["shortDescription"]["text"]) <= 1024
    assert descriptor["shortDescription"]["text"].endswith("…")
    assert len(descriptor["fullDescription"]["text"]) <= 1024
    assert descriptor["help"]["text"] == "Rotate it.\n\n" + long_description.strip()
    assert sarif_errors(json.loads(sarif)) == []


def test_primary_location_line_hash(make_report: Maker, make_stage: Maker, tmp_path: Path) -> None:
    text = "services:\n  db:\n    environment:\n      PASSWORD: hunter2hunter2\n"
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "compose.yml").write_text(text, encoding="utf-8")
    findings = (
        _secret(4),
        Finding(
            "sec.secrets.generic", ("sec.secrets",), "whole file", Location("deploy/compose.yml")
        ),
        _secret(2, path="gone.yml"),
    )
    report = _report(make_report, make_stage, findings)
    results = _run(render_sarif(report, source_root=tmp_path))["results"]
    prints = {r["message"]["text"]: r["partialFingerprints"] for r in results}
    assert (
        prints["hard-coded credential on line 4"]["primaryLocationLineHash"]
        == (line_hashes(text, {4})[4])
    )
    # A whole file is shown from its line 1, and fingerprinted there as the upload action would.
    assert prints["whole file"]["primaryLocationLineHash"] == line_hashes(text, {1})[1]
    regions = {
        r["message"]["text"]: r["locations"][0]["physicalLocation"].get("region") for r in results
    }
    assert regions["whole file"] == {"startLine": 1, "endLine": 4}
    # No file: no line hash (the upload action computes its own when it can).
    assert "primaryLocationLineHash" not in prints["hard-coded credential on line 2"]
    # Without the repository, no line hashes at all.
    plain = _run(render_sarif(report))["results"]
    assert all(set(r["partialFingerprints"]) == {"acesFingerprint/v1"} for r in plain)


def test_finding_without_a_place_spans_the_policy_file(
    make_report: Maker, make_stage: Maker, tmp_path: Path
) -> None:
    (tmp_path / "aces.toml").write_text("[policy]\nversion = 3\n", encoding="utf-8")
    nowhere = Finding("sec.secrets.generic", ("sec.secrets",), "no place")
    report = _report(make_report, make_stage, (nowhere,))
    result = _run(render_sarif(report, source_root=tmp_path))["results"][0]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "aces.toml"
    assert physical["region"] == {"startLine": 1, "endLine": 2}
    assert result["properties"]["acesLocation"] == "policy-file"
    # Without the repository the file's length is unknown: no region, as before.
    plain = _run(render_sarif(report))["results"][0]
    assert "region" not in plain["locations"][0]["physicalLocation"]


def test_identical_lines_get_distinct_line_hashes(
    make_report: Maker, make_stage: Maker, tmp_path: Path
) -> None:
    (tmp_path / "a.env").write_text("TOKEN=x\n" * 30 + "\n" * 200, encoding="utf-8")
    findings = tuple(_secret(n, path="a.env") for n in (1, 2, 3))
    results = _run(render_sarif(_report(make_report, make_stage, findings), source_root=tmp_path))
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results["results"]]
    assert len(set(hashes)) == 3


def test_results_are_capped_with_a_notice(make_report: Maker, make_stage: Maker) -> None:
    findings = tuple(
        _secret(n, Severity.WARNING if n % 2 else Severity.ERROR) for n in range(1, 11)
    )
    report = _report(make_report, make_stage, findings)
    run = _run(render_sarif(report, max_results=4))
    kept = [r["message"]["text"] for r in run["results"]]
    # The most severe are kept, in report order.
    assert kept == [f"hard-coded credential on line {n}" for n in (2, 4, 6, 8)]
    assert run["properties"]["resultsTotal"] == 10
    assert run["properties"]["resultsOmitted"] == 6
    assert run["properties"]["verdict"] == "FAIL" and run["properties"]["exitCode"] == 1
    notes = run["invocations"][0]["toolExecutionNotifications"]
    capped = [n for n in notes if n["descriptor"]["id"] == "aces.results-capped"]
    assert len(capped) == 1 and capped[0]["message"]["text"].startswith("6 of 10 findings")
    full = _run(render_sarif(report))
    assert len(full["results"]) == 10 and "resultsOmitted" not in full["properties"]


def test_github_limit_is_25000(make_report: Maker, make_stage: Maker) -> None:
    assert MAX_RESULTS == 25_000
    findings = tuple(_secret(n) for n in range(1, MAX_RESULTS + 2))
    log = json.loads(render_sarif(_report(make_report, make_stage, findings)))
    assert len(log["runs"][0]["results"]) == MAX_RESULTS
    assert log["runs"][0]["properties"]["resultsOmitted"] == 1


@pytest.mark.parametrize("name", ["failing_report", "passing_report", "error_report"])
def test_valid_for_oasis_and_github(
    name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    report = request.getfixturevalue(name)
    assert sarif_errors(json.loads(render_sarif(report, source_root=tmp_path))) == []


def test_capped_security_log_is_valid(
    make_report: Maker, make_stage: Maker, tmp_path: Path
) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "compose.yml").write_text("a\nb\nc\n", encoding="utf-8")
    findings = tuple(_secret(n) for n in (1, 2, 3))
    text = render_sarif(
        _report(make_report, make_stage, findings), source_root=tmp_path, max_results=2
    )
    assert sarif_errors(json.loads(text)) == []


def test_every_documented_family_points_at_an_existing_page() -> None:
    for _, page in DOC_PAGES:
        assert (DOCS / page).is_file(), page
    assert doc_page("sec.secrets.generic") == "secrets.md"
    assert doc_page("sec.tls.python-verify-false") == "security-rules.md"
    assert doc_page("lint.complexity.cyclomatic") == "stage3-patterns.md"
    assert doc_page("lint.python") == "stage3-linters.md"
    assert doc_page("gov.pipeline-authority") == "fail-closed.md"
    assert doc_page("gov.only-stricter") == "policy.md"
    assert doc_page("infra.sbom.no-lockfile") == "supply-chain.md"
    assert doc_page("arch.layers.dependency") == "stage3-patterns.md"
    assert doc_page("principle.no-manual-exceptions.noqa") == "stage3-linters.md"
    assert doc_page("perf.latency-budget") is None


def test_help_uri_follows_the_information_uri(make_report: Maker, make_stage: Maker) -> None:
    report = _report(make_report, make_stage, (_secret(3),))
    text = render_sarif(report, information_uri="https://example.org/aces/")
    rules = {r["id"]: r for r in _run(text)["tool"]["driver"]["rules"]}
    assert rules["sec.secrets.generic"]["helpUri"] == (
        "https://example.org/aces/blob/main/docs/secrets.md"
    )
    assert rules["spec.sections"]["helpUri"] == "https://example.org/aces/blob/main/docs/specs.md"
    assert sarif_errors(json.loads(text)) == []
