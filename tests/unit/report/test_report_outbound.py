"""What leaves aces: secrets masked and file names escaped in every reporter.

The report below is what a run looks like when a tool relays a secret (a failing
test's assertion text, a stderr tail, a command error) and when files have names
that are not UTF-8 or hold a line break. Secret values are generated at test time.
"""

from __future__ import annotations

import io
import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from rich.console import Console
from tests.unit.report.conftest import build_report, check, passing_stages, stage

from aces.engines.secrets.samples import expand
from aces.model import CheckResult, Finding, Location, RunReport, Status
from aces.report import render_json, render_junit, render_markdown, render_sarif, write_reports
from aces.report.console import ConsoleObserver, render_console_summary
from aces.report.github import render_annotations
from aces.report.outbound import clean_text, escape_path, printable

GITHUB = expand("ghp_@@alnum:36@@", "outbound-gh")
AWS = expand("AKIA@@b32:16@@", "outbound-aws")
NOT_UTF8 = os.fsdecode(b"src/bad\xffname.py")
NEWLINE = "src/new\nline.py"
SCHEMAS = Path(__file__).resolve().parents[3].parent / "shared" / "schemas"


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("src/plain name.py", "src/plain name.py"),
        (NOT_UTF8, "src/bad\\xffname.py"),
        (NEWLINE, "src/new\\nline.py"),
        ("a\tb\rc", "a\\tb\\rc"),
        ("back\\slash", "back\\\\slash"),
        ("bell\x07\x7f", "bell\\x07\\x7f"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("café/ünïcode.py", "café/ünïcode.py"),
    ],
)
def test_file_names_are_escaped_deterministically(name: str, shown: str) -> None:
    assert escape_path(name) == shown


def test_free_text_keeps_line_breaks_but_not_terminal_controls() -> None:
    assert printable("one\ntwo\tthree") == "one\ntwo\tthree"
    assert printable("\x1b[31mred\x1b[0m\r") == "\\x1b[31mred\\x1b[0m\\r"
    assert printable(NOT_UTF8) == "src/bad\\xffname.py"


def test_clean_text_masks_with_a_stable_prefix() -> None:
    text = f"expected {AWS} got {GITHUB}"
    assert clean_text(text) == "expected AKIA**** got ghp_****"
    assert clean_text(clean_text(text)) == clean_text(text)


def leaky_report() -> RunReport:
    """Stage 5 relays a failing test's assertion and a command error; files have odd names."""
    failed = Finding(
        "test.unit.failed",
        ("test.unit",),
        f"test_login failed: AssertionError: assert token == '{GITHUB}'",
        Location(NOT_UTF8, 3, 1),
        help=f"stderr tail:\n  {AWS}",
    )
    odd = Finding(
        "sec.secrets.github-token", ("sec.secrets",), "GitHub token", Location(NEWLINE, 1)
    )
    crashed = CheckResult(
        "test.coverage",
        5,
        ("test.coverage",),
        Status.ERROR,
        reason=f"`pytest --token={GITHUB}` exited with code 3\n  stderr: key {AWS}",
    )
    stages = list(passing_stages())
    stages[4] = stage(5, Status.FAIL, (check("test.unit", 5, Status.FAIL, (failed, odd)), crashed))
    return build_report(tuple(stages), notes=(f"note with {GITHUB}",))


def rendered(report: RunReport) -> dict[str, str]:
    console = io.StringIO()
    observer = ConsoleObserver(Console(file=console, width=200))
    for result in report.stages[4].checks:
        observer.check_finished(result)
    observer.stage_finished(report.stages[4])
    return {
        "json": render_json(report),
        "sarif": render_sarif(report),
        "junit": render_junit(report),
        "markdown": render_markdown(report),
        "annotations": render_annotations(report)[0],
        "summary": render_console_summary(report),
        "progress": console.getvalue(),
    }


def test_no_reporter_prints_a_relayed_secret() -> None:
    for name, text in rendered(leaky_report()).items():
        assert GITHUB not in text, name
        assert AWS not in text, name
        assert GITHUB[12:30] not in text, name
    outputs = rendered(leaky_report())
    assert "ghp_****" in outputs["json"]
    assert "AKIA****" in outputs["progress"]


def test_every_output_is_utf8_and_shows_escaped_names() -> None:
    outputs = rendered(leaky_report())
    for name, text in outputs.items():
        text.encode("utf-8")  # no surrogate left: would raise
        assert "new\nline" not in text, name
    data = json.loads(outputs["json"])
    paths = [
        f["location"]["path"]
        for s in data["stages"]
        for c in s["checks"]
        for f in c["findings"]
        if "location" in f
    ]
    assert paths == ["src/bad\\xffname.py", "src/new\\nline.py"]
    assert "src/bad\\xffname.py:3:1" in outputs["summary"]
    assert "`src/bad\\xffname.py:3`" in outputs["markdown"]
    ET.fromstring(outputs["junit"].encode("utf-8"))


def test_fingerprints_are_those_of_the_findings_as_made() -> None:
    report = leaky_report()
    data = json.loads(render_json(report))
    shown = [f["fingerprint"] for s in data["stages"] for c in s["checks"] for f in c["findings"]]
    assert shown == [f.fingerprint for f in report.findings]


def test_sarif_uris_percent_encode_the_bytes_of_the_name() -> None:
    log = json.loads(render_sarif(leaky_report()))
    uris = [
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    ]
    assert uris == ["src/bad%FFname.py", "src/new%0Aline.py"]


@pytest.mark.parametrize(
    "schema", ["sarif-schema-2.1.0.oasis-errata01.json", "sarif-schema-2.1.0.codeql-action.json"]
)
def test_sarif_with_hostile_names_is_valid(schema: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    path = SCHEMAS / schema
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    document = json.loads(path.read_text(encoding="utf-8"))
    # The consumer's schema as it is (upload-sarif's copy does not pass a meta-schema check).
    validator = jsonschema.validators.validator_for(document)(document)
    validator.validate(json.loads(render_sarif(leaky_report())))


def test_written_reports_hold_no_secret(tmp_path: Path) -> None:
    for path in write_reports(leaky_report(), tmp_path):
        text = path.read_text(encoding="utf-8")
        assert GITHUB not in text and AWS not in text, path.name
