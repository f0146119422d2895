"""Markdown summary: headline, stage table, findings, and the GitHub size cap."""

from __future__ import annotations

from collections.abc import Callable

from aces.model import CheckResult, Finding, Location, RunReport, StageResult, Status
from aces.report.markdown import GITHUB_COMMENT_LIMIT, render_markdown


def test_headline_says_the_exit_meaning(
    failing_report: RunReport, passing_report: RunReport, error_report: RunReport
) -> None:
    assert render_markdown(failing_report).splitlines()[0] == (
        "## ❌ ACES: FAIL — doctrine violated (exit 1)"
    )
    assert render_markdown(passing_report).splitlines()[0] == (
        "## ✅ ACES: PASS — doctrine satisfied (exit 0)"
    )
    assert render_markdown(error_report).splitlines()[0] == (
        "## 💥 ACES: ERROR — could not verify (exit 2)"
    )


def test_stage_table(failing_report: RunReport) -> None:
    lines = render_markdown(failing_report).splitlines()
    start = lines.index("| # | Stage | Status | Findings | Reason |")
    rows = lines[start + 2 : start + 14]
    assert rows[0] == "| 1 | Specification Validation | ✅ PASS | 0 |  |"
    assert rows[1] == (
        "| 2 | Schema & State Machine Validation | ❌ FAIL | 4 | "
        "checks: schema.no-field-rename, schema.reserved-tags, sm.tests-updated |"
    )
    assert rows[2] == "| 3 | Static Analysis & Code Quality | 💥 ERROR | 0 | checks: lint.python |"
    assert rows[3] == (
        "| 4 | Build & Artifact Consistency | ➖ NOT_APPLICABLE | 0 | nothing to build |"
    )
    assert rows[4] == (
        "| 5 | Unit Test Verification | 💥 ERROR | 0 | not implemented: stage 5 has no check |"
    )
    assert rows[5] == "| 6 | Integration & Topology Tests | ⛔ BLOCKED | 0 | blocked by stage 2 |"
    assert rows[11] == (
        "| 12 | Deployment Simulation (Canary + Rollback) | ⏸️ NOT_RUN | 0 | not selected |"
    )
    assert lines[start + 14] == ""


def test_could_not_verify_section(failing_report: RunReport) -> None:
    text = render_markdown(failing_report)
    assert (
        "### Could not verify\n\n"
        "- **s03-static** `lint.python`: ruff 0.17.6 required, found none\n"
        "- **s05-unit**: not implemented: stage 5 has no check\n"
    ) in text


def test_findings_grouped_with_help(failing_report: RunReport) -> None:
    text = render_markdown(failing_report)
    findings = text[text.index("### Findings") :]
    assert findings == (
        "### Findings\n\n"
        "#### Stage 2 · Schema & State Machine Validation\n\n"
        "**`schema.no-field-rename`** — FAIL, 1 finding\n\n"
        "- `proto/envelope.proto:12` **schema.no-field-rename** "
        "(`schema.no-field-rename`, `principle.contracts`): "
        "field 2 of Envelope was renamed from tenant to tenant_id\n"
        "  > Keep the name of a field number; add a new field instead.\n\n"
        "**`schema.reserved-tags`** — FAIL, 2 findings\n\n"
        "- `proto/envelope.proto:30` **schema.reserved-tags** (`schema.reserved-tags`): "
        "removed field 7 of Envelope is not reserved\n"
        '  > Add `reserved 7;` and `reserved "room";` to Envelope.\n'
        "- `proto/kind.proto` **schema.reserved-tags** (`schema.reserved-tags`): "
        "enum Kind lost value 3 without reserving it\n\n"
        "**`sm.tests-updated`** — FAIL, 1 finding\n\n"
        "- _(no location)_ **sm.tests-updated** (`sm.tests-updated`): "
        "state machine session changed without a changed test\n"
        "  > Change or add a test under tests/ that exercises the changed transitions.\n"
    )


def test_passing_report_has_no_findings_section(passing_report: RunReport) -> None:
    text = render_markdown(passing_report)
    assert "### Findings" not in text
    assert "Could not verify" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def _many_findings_report(
    make_report: Callable[..., RunReport],
    make_stage: Callable[..., StageResult],
    count: int,
) -> RunReport:
    findings = tuple(
        Finding(
            "lint.python",
            ("lint.python",),
            f"E501 line too long ({i}) " + "x" * 200,
            Location(f"src/mod_{i:05d}.py", i + 1, 1),
            help=f"shorten line {i}",
        )
        for i in range(count)
    )
    check = CheckResult("lint.python", 3, ("lint.python",), Status.FAIL, findings)
    return make_report((make_stage(3, Status.FAIL, (check,)),))


def test_capped_under_github_limit(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    report = _many_findings_report(make_report, make_stage, 2000)
    text = render_markdown(report)
    assert len(text.encode("utf-16-le")) // 2 < GITHUB_COMMENT_LIMIT
    shown = text.count("- `src/mod_")
    assert 100 < shown < 2000
    assert text.endswith(
        f"_{2000 - shown} more findings not shown here "
        "(see the job's report.json and the code scanning alerts)._\n"
    )


def test_small_cap_counts_what_is_left_out(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    report = _many_findings_report(make_report, make_stage, 30)
    full = render_markdown(report)
    assert "more finding" not in full
    small = render_markdown(report, max_chars=3000)
    shown = small.count("- `src/mod_")
    assert 0 < shown < 30
    assert f"_{30 - shown} more findings not shown here" in small
    assert len(small) <= 3000


def test_table_cells_and_markup_are_escaped(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    stage = make_stage(5, Status.ERROR, reason="tool printed a|b <script>\nsecond line")
    text = render_markdown(make_report((stage,)))
    assert "| tool printed a\\|b &lt;script&gt; second line |" in text
