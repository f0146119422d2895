"""write_reports: the five files, atomically, and a clear error when it cannot."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.errors import InputError
from aces.model import RunReport
from aces.report import render_json, render_junit, render_markdown, render_sarif, write_reports
from aces.report.codequality import render_codequality


def test_writes_the_five_reports(tmp_path: Path, failing_report: RunReport) -> None:
    out = tmp_path / "a" / "b"
    paths = write_reports(failing_report, out)
    assert paths == (
        out / "report.json",
        out / "report.sarif",
        out / "junit.xml",
        out / "summary.md",
        out / "codequality.json",
    )
    assert paths[0].read_bytes() == render_json(failing_report).encode("utf-8")
    assert paths[1].read_bytes() == render_sarif(failing_report).encode("utf-8")
    assert paths[2].read_bytes() == render_junit(failing_report).encode("utf-8")
    assert paths[3].read_bytes() == render_markdown(failing_report).encode("utf-8")
    assert paths[4].read_bytes() == render_codequality(failing_report).encode("utf-8")
    assert sorted(p.name for p in out.iterdir()) == [
        "codequality.json",
        "junit.xml",
        "report.json",
        "report.sarif",
        "summary.md",
    ]
    assert paths[0].stat().st_mode & 0o777 == 0o644


def test_overwrites_previous_reports(tmp_path: Path, failing_report: RunReport) -> None:
    (tmp_path / "report.json").write_text("stale", encoding="utf-8")
    write_reports(failing_report, tmp_path)
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == render_json(failing_report)


def test_out_dir_that_is_a_file(tmp_path: Path, failing_report: RunReport) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        write_reports(failing_report, blocker / "reports")
    assert caught.value.path == str(blocker / "reports")
    assert caught.value.diagnostics().startswith(f"{blocker / 'reports'}: cannot write the report")


def test_unwritable_target_leaves_no_temp_file(tmp_path: Path, failing_report: RunReport) -> None:
    (tmp_path / "junit.xml").mkdir()
    (tmp_path / "junit.xml" / "keep").write_text("", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        write_reports(failing_report, tmp_path)
    assert caught.value.path == str(tmp_path / "junit.xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "junit.xml",
        "report.json",
        "report.sarif",
    ]
