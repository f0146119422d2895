"""LCOV, Cobertura and coverage.py JSON parsing, the gates and the baseline."""

from __future__ import annotations

import json

import pytest

from aces.engines.coverage import (
    CoverageFormatError,
    drops,
    line_ranges,
    parse_baseline,
    parse_cobertura,
    parse_coveragepy,
    parse_lcov,
    relative_to_root,
    render_baseline,
)
from aces.errors import InputError

LCOV = """TN:
SF:/repo/src/a.rs
FN:1,main
FNDA:1,main
DA:1,1
DA:2,0
DA:3,0
DA:4,5
DA:6,0
BRDA:4,0,0,1
BRDA:4,0,1,-
BRF:2
BRH:1
LF:5
LH:2
end_of_record
SF:/repo/src/b.rs
DA:1,1
DA:2,1
end_of_record
SF:/repo/src/a.rs
DA:2,3
DA:3,0
DA:6,0
end_of_record
"""


def test_lcov_lines_branches_and_records_of_one_file_merged() -> None:
    data = parse_lcov(LCOV, "lcov.info")
    a = data.files["/repo/src/a.rs"]
    assert (a.lines, a.uncovered_lines) == (5, (3, 6))
    assert (a.branches, a.uncovered_branches, a.has_branches) == (2, (4,), True)
    b = data.files["/repo/src/b.rs"]
    assert (b.lines, b.uncovered_lines, b.has_branches, b.percent) == (2, (), False, 100.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "SF:a.rs\nDA:1,1\nend_of_record\nSF:b.rs\nDA:1,1\nDA:2,0\n",
            "lcov.info:6: truncated: the record of SF:b.rs has no end_of_record",
            id="truncated-record",
        ),
        pytest.param(
            "SF:a.rs\nDA:1,1\nDA:2",
            "lcov.info:3: not a valid LCOV line: 'DA:2'",
            id="truncated-line",
        ),
        pytest.param(
            "SF:a.rs\nDA:1,1\nhello\nend_of_record\n",
            "lcov.info:3: not a valid LCOV line: 'hello'",
            id="unknown-line",
        ),
        pytest.param(
            "SF:a.rs\nBRDA:1,0,0,x\nend_of_record\n",
            "lcov.info:2: not a valid LCOV line: 'BRDA:1,0,0,x'",
            id="bad-brda",
        ),
        pytest.param(
            "TN:\nDA:1,1\nend_of_record\n",
            "lcov.info:1: a record without SF:<path>",
            id="no-sf",
        ),
    ],
)
def test_bad_lcov_is_an_error_naming_file_and_line(text: str, message: str) -> None:
    with pytest.raises(CoverageFormatError) as caught:
        parse_lcov(text, "lcov.info")
    assert caught.value.message == message


COBERTURA = b"""<?xml version="1.0" ?>
<coverage line-rate="0.5" branch-rate="0.5" version="7">
  <sources><source>src</source></sources>
  <packages><package name="p"><classes>
    <class name="a.py" filename="pkg/a.py">
      <lines>
        <line number="1" hits="1"/>
        <line number="2" hits="0"/>
        <line number="3" hits="2" branch="true" condition-coverage="50% (1/2)"/>
      </lines>
    </class>
  </classes></package></packages>
</coverage>
"""


def test_cobertura_lines_and_branches() -> None:
    cov = parse_cobertura(COBERTURA, "coverage.xml").files["src/pkg/a.py"]
    assert (cov.lines, cov.uncovered_lines, cov.branches, cov.uncovered_branches) == (
        3,
        (2,),
        2,
        (3,),
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"<testsuites/>", "root element <testsuites>, expected <coverage>", id="root"),
        pytest.param(b"<coverage><packages>", "coverage.xml:1:20: not well-formed XML", id="cut"),
    ],
)
def test_bad_cobertura_is_an_error(data: bytes, message: str) -> None:
    with pytest.raises(CoverageFormatError) as caught:
        parse_cobertura(data, "coverage.xml")
    assert message in caught.value.message


def coveragepy(branch: bool) -> str:
    entry: dict[str, object] = {"executed_lines": [1, 2, 4], "missing_lines": [5, 6]}
    if branch:
        entry |= {"executed_branches": [[2, 4]], "missing_branches": [[2, 5], [4, -1]]}
    return json.dumps({"meta": {"format": 3, "branch_coverage": branch}, "files": {"a.py": entry}})


def test_coveragepy_with_and_without_branches() -> None:
    cov = parse_coveragepy(coveragepy(True), "coverage.json").files["a.py"]
    assert (cov.lines, cov.uncovered_lines, cov.percent) == (5, (5, 6), 60.0)
    assert (cov.branches, cov.uncovered_branches, cov.has_branches) == (3, (2, 4), True)
    plain = parse_coveragepy(coveragepy(False), "coverage.json").files["a.py"]
    assert (plain.has_branches, plain.branches) == (False, 0)


def test_coveragepy_of_another_shape_is_an_error() -> None:
    with pytest.raises(CoverageFormatError, match=r"coverage.json: not a coverage.py JSON report"):
        parse_coveragepy('{"totals": {}}', "coverage.json")
    with pytest.raises(CoverageFormatError, match=r"coverage.json:1:\d+: not JSON"):
        parse_coveragepy('{"files": ', "coverage.json")


def test_line_ranges_fold_consecutive_lines() -> None:
    assert line_ranges([9, 1, 3, 4, 5, 4]) == "1, 3-5, 9"
    assert line_ranges([]) == ""


def test_drops_name_file_baseline_and_now() -> None:
    found = drops({"a.py": 80.0, "b.py": 90.0, "c.py": 99.99}, {"a.py": 85.0, "c.py": 99.99}, 0.0)
    assert [(d.path, d.baseline, d.now) for d in found] == [("a.py", 85.0, 80.0)]
    assert drops({"a.py": 80.0}, {"a.py": 85.0}, 5.0) == []


def test_baseline_round_trip_and_refusals() -> None:
    text = render_baseline({"b.py": 50.0, "a.py": 92.123})
    assert parse_baseline(text, "base.json") == {"a.py": 92.12, "b.py": 50.0}
    with pytest.raises(InputError, match=r"base\.json: not an ACES coverage baseline"):
        parse_baseline('{"files": {}}', "base.json")
    with pytest.raises(InputError, match=r"files\['a.py'\] must be a percentage"):
        parse_baseline('{"aces_coverage_baseline": 1, "files": {"a.py": 101}}', "base.json")


@pytest.mark.parametrize(
    ("path", "run_dir", "expected"),
    [
        ("/repo/src/a.rs", "", "src/a.rs"),
        ("src/a.py", "", "src/a.py"),
        ("src/lib.rs", "crates/x", "crates/x/src/lib.rs"),
        ("/usr/lib/python3/os.py", "", None),
        ("../outside.py", "", None),
    ],
)
def test_paths_made_relative_to_the_root(path: str, run_dir: str, expected: str | None) -> None:
    assert relative_to_root(path, "/repo", run_dir) == expected
