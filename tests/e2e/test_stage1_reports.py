"""Each ``spec.*`` clause, violated in a copy of the example, reaches every report.

The real CLI runs stage 1 on a git copy of the example whose base commit is the
untouched example; the JSON report, the SARIF log and the JUnit XML must each name
the rule id, the clause id, the file and the line of the finding.
"""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.helpers import EXAMPLE, git, run_aces

TENANCY = "specs/tenant-isolation.md"
ENVELOPE = "specs/001-envelope/spec.md"
PRESENCE = "proto/arqonbus/presence/v1/presence.proto"
PRESENCE_PROTO = """syntax = "proto3";

package arqonbus.presence.v1;

// @since 1.1.0
message Presence {
  // @since 1.1.0
  string tenant_id = 1;
}
"""


@dataclass(frozen=True)
class Case:
    """A mutation and the finding it must produce."""

    clause: str
    rule_id: str
    mutate: Callable[[Path], None]
    path: str
    line: Callable[[Path], int]


def write(root: Path, rel: str, text: str) -> None:
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def replace(root: Path, rel: str, old: str, new: str) -> None:
    text = (root / rel).read_text(encoding="utf-8")
    assert old in text
    (root / rel).write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(rel: str, needle: str) -> Callable[[Path], int]:
    def find(root: Path) -> int:
        lines = (root / rel).read_text(encoding="utf-8").splitlines()
        return next(i for i, line in enumerate(lines, start=1) if needle in line)

    return find


def drop_section(heading: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        text = (root / ENVELOPE).read_text(encoding="utf-8")
        pattern = re.compile(rf"^## {re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
        assert pattern.search(text)
        (root / ENVELOPE).write_text(pattern.sub("", text, count=1), encoding="utf-8")

    return mutate


def spec_outside_specs(root: Path) -> None:
    write(root, PRESENCE, PRESENCE_PROTO)
    text = (root / TENANCY).read_text(encoding="utf-8")
    write(root, "docs/presence.md", text.replace("src/arqonbus_mini/tenancy.py", "proto/**"))


def covered_but_unreferenced(root: Path) -> None:
    write(root, PRESENCE, PRESENCE_PROTO)
    text = (root / TENANCY).read_text(encoding="utf-8")
    text = text.replace(
        "src/arqonbus_mini/tenancy.py", "src/arqonbus_mini/tenancy.py\n  - proto/**", 1
    )
    (root / TENANCY).write_text(text, encoding="utf-8")


CASES = [
    Case(
        "spec.required",
        "spec.required",
        lambda root: write(root, PRESENCE, PRESENCE_PROTO),
        PRESENCE,
        lambda root: 1,
    ),
    Case(
        "spec.location",
        "spec.location.outside-specs",
        spec_outside_specs,
        "docs/presence.md",
        lambda root: 4,
    ),
    Case(
        "spec.sections",
        "spec.sections.missing",
        drop_section("Invariants"),
        ENVELOPE,
        lambda root: 1,
    ),
    Case(
        "spec.references-schema",
        "spec.references-schema",
        covered_but_unreferenced,
        TENANCY,
        line_of(TENANCY, "# Tenant isolation"),
    ),
    Case(
        "spec.verifiable-criteria",
        "spec.verifiable-criteria.missing-test",
        lambda root: replace(
            root,
            TENANCY,
            "test_cross_tenant_publish_is_not_delivered",
            "test_cross_tenant_leak_is_impossible",
        ),
        TENANCY,
        line_of(TENANCY, "**AC-1**"),
    ),
]


def git_example(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".aces", "__pycache__"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def test_the_example_passes_stage_1(tmp_path: Path) -> None:
    root = git_example(tmp_path)
    done = run_aces("run", str(root), "--stage", "1", "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "PASS"
    assert report["stages"][0]["status"] == "PASS"


@pytest.mark.parametrize("case", CASES, ids=[c.clause for c in CASES])
def test_clause_violation_reaches_every_report(tmp_path: Path, case: Case) -> None:
    root = git_example(tmp_path)
    case.mutate(root)
    line = case.line(root)
    out = tmp_path / "out"
    done = run_aces("run", str(root), "--stage", "1", "--base", "HEAD", "--out", str(out))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{case.path}:{line}" in done.stdout

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "FAIL"
    found = [
        (f["rule_id"], f["clauses"], f["location"]["path"], f["location"].get("line"))
        for stage in report["stages"]
        for check in stage["checks"]
        for f in check["findings"]
    ]
    assert (case.rule_id, [case.clause], case.path, line) in found

    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    located = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"].get("region", {}).get("startLine"),
            r["properties"]["clauses"],
        )
        for r in results
    ]
    assert (case.rule_id, case.path, line, [case.clause]) in located
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert case.rule_id in rules

    junit = ET.parse(out / "junit.xml").getroot()
    failures = [
        (case_el.get("name"), failure.text or "")
        for case_el in junit.iter("testcase")
        for failure in case_el.findall("failure")
    ]
    check_id = case.clause
    texts = [text for name, text in failures if name == check_id]
    assert texts, failures
    assert any(
        f"{case.path}:{line}" in text and case.rule_id in text and case.clause in text
        for text in texts
    ), texts
