"""Markdown summary: headline, stage table, findings, and the GitHub size cap."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aces.model import CheckResult, Finding, Location, RunReport, Severity, StageResult, Status
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


def test_failing_checks_section(failing_report: RunReport) -> None:
    text = render_markdown(failing_report)
    assert (
        "### Failing checks\n\n"
        "- ❌ **s02-schema** `schema.no-field-rename`: 1 finding of 1 rule\n"
        "- ❌ **s02-schema** `schema.reserved-tags`: 2 findings of 1 rule\n"
        "- ❌ **s02-schema** `sm.tests-updated`: 1 finding of 1 rule\n"
    ) in text


def test_findings_grouped_by_rule_with_help(failing_report: RunReport) -> None:
    text = render_markdown(failing_report)
    findings = text[text.index("### Findings") :]
    assert findings == (
        "### Findings\n\n"
        "**`schema.no-field-rename`** — FAIL, 1 finding · s02-schema\n\n"
        "- `proto/envelope.proto:12` (`schema.no-field-rename`, `principle.contracts`): "
        "field 2 of Envelope was renamed from tenant to tenant_id\n"
        "  > Keep the name of a field number; add a new field instead.\n\n"
        "**`schema.reserved-tags`** — FAIL, 2 findings · s02-schema\n\n"
        "- `proto/envelope.proto:30` (`schema.reserved-tags`): "
        "removed field 7 of Envelope is not reserved\n"
        '  > Add `reserved 7;` and `reserved "room";` to Envelope.\n'
        "- `proto/kind.proto` (`schema.reserved-tags`): "
        "enum Kind lost value 3 without reserving it\n\n"
        "**`sm.tests-updated`** — FAIL, 1 finding · s02-schema\n\n"
        "- _(no location)_ (`sm.tests-updated`): "
        "state machine session changed without a changed test\n"
        "  > Change or add a test under tests/ that exercises the changed transitions.\n"
    )


def test_passing_report_has_no_findings_section(passing_report: RunReport) -> None:
    text = render_markdown(passing_report)
    assert "### Findings" not in text
    assert "Could not verify" not in text
    assert "Failing checks" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def _lint(rule: str, i: int, check: str = "lint.python", **kw: Any) -> Finding:
    return Finding(
        rule,
        (check,),
        f"{rule} problem number {i} " + "x" * 150,
        Location(f"src/{rule}/mod_{i:05d}.py", i + 1, 1),
        help=f"how to fix {rule}",
        **kw,
    )


def _many_findings_report(
    make_report: Callable[..., RunReport],
    make_stage: Callable[..., StageResult],
    count: int,
    rules: int = 1,
) -> RunReport:
    findings = tuple(_lint(f"E{i % rules:03d}", i) for i in range(count))
    check = CheckResult("lint.python", 3, ("lint.python",), Status.FAIL, findings)
    return make_report((make_stage(3, Status.FAIL, (check,)),))


def _size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_findings_are_capped_per_rule(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    report = _many_findings_report(make_report, make_stage, 2000, rules=4)
    text = render_markdown(report)
    assert _size(text) < GITHUB_COMMENT_LIMIT
    for rule in ("E000", "E001", "E002", "E003"):
        assert f"**`{rule}`** — FAIL, 500 findings · check `lint.python` · s03-static" in text
        assert text.count(f"- `src/{rule}/mod_") == 10
        # The help shared by a rule's findings is printed once.
        assert text.count(f"> how to fix {rule}") == 1
    assert text.count("- _… and 490 more findings of this rule_") == 4
    assert text.endswith(
        "_1960 more findings not shown here "
        "(see the job's report.json and the code scanning alerts)._\n"
    )


def test_small_cap_counts_what_is_left_out(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    report = _many_findings_report(make_report, make_stage, 30, rules=1)
    full = render_markdown(report, per_rule=100)
    assert "more finding" not in full
    small = render_markdown(report, max_chars=3000, per_rule=100)
    shown = small.count("- `src/E000/mod_")
    assert 0 < shown < 30
    assert f"- _… and {30 - shown} more findings of this rule_" in small
    assert f"_{30 - shown} more findings not shown here" in small
    assert _size(small) <= 3000


def _field_report(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> RunReport:
    """8,000 findings as a real run gives them: 6,000 clippy findings behind 2,000 ruff ones."""
    ruff = tuple(_lint(f"RUF{i % 40:03d}", i) for i in range(2000))
    clippy = tuple(
        _lint(f"clippy::lint_{i % 60}", i, "lint.rust", severity=Severity.WARNING)
        for i in range(6000)
    )
    build = Finding(
        "build.dockerfile-missing",
        ("build.reproducible",),
        "the workflow builds docker/Dockerfile, which does not exist",
        Location(".github/workflows/ci.yml", 14),
    )
    secret = Finding(
        "sec.secrets.generic",
        ("sec.no-secrets",),
        "hard-coded password in deploy/compose.yml",
        Location("deploy/compose.yml", 9),
    )
    s3 = (
        CheckResult("lint.python", 3, ("lint.python",), Status.FAIL, ruff),
        CheckResult("lint.rust", 3, ("lint.rust",), Status.FAIL, clippy),
        CheckResult("lint.proto", 3, ("lint.proto",), Status.ERROR, reason="buf crashed"),
    )
    s4 = (CheckResult("build.repro", 4, ("build.reproducible",), Status.FAIL, (build,)),)
    s7 = (CheckResult("sec.secrets", 7, ("sec.no-secrets",), Status.FAIL, (secret,)),)
    stages = [make_stage(n, Status.PASS) for n in range(1, 13)]
    stages[2] = make_stage(3, Status.FAIL, s3)
    stages[3] = make_stage(4, Status.FAIL, s4)
    stages[6] = make_stage(7, Status.FAIL, s7)
    return make_report(tuple(stages))


def test_eight_thousand_findings_show_every_stage_check_and_rule(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    report = _field_report(make_report, make_stage)
    text = render_markdown(report)
    assert _size(text) <= GITHUB_COMMENT_LIMIT
    for n in range(1, 13):
        assert f"\n| {n} | " in text
    for check in ("lint.python", "lint.rust", "build.repro", "sec.secrets"):
        assert f"`{check}`: " in text[text.index("### Failing checks") :]
    assert "- **s03-static** `lint.proto`: buf crashed" in text
    # Every rule is there with its count, the failing clippy check included.
    for i in range(40):
        assert f"**`RUF{i:03d}`** — FAIL, 50 findings · check `lint.python`" in text
    for i in range(60):
        assert f"**`clippy::lint_{i}`** — FAIL, 100 findings (warning) · check `lint.rust`" in text
    # Build and security findings are not crowded out by thousands of lint findings.
    assert "- `.github/workflows/ci.yml:14` (`build.reproducible`)" in text
    assert "- `deploy/compose.yml:9` (`sec.no-secrets`)" in text
    # Order: errors before warnings; within a severity, by stage.
    order = [text.index(s) for s in ("**`RUF000`**", "**`build.dockerfile-missing`**")]
    order += [text.index(s) for s in ("**`sec.secrets.generic`**", "**`clippy::lint_0`**")]
    assert order == sorted(order)


def test_headings_alone_too_big_are_counted(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    report = _many_findings_report(make_report, make_stage, 3000, rules=3000)
    text = render_markdown(report)
    assert _size(text) <= GITHUB_COMMENT_LIMIT
    assert "**`E000`**" in text
    listed = text.count("- **`E")
    assert 100 < listed < 3000
    assert f"_{3000 - listed} more blocking rules not listed here._" in text
    assert "_3000 more findings not shown here" in text


def test_never_over_the_limit(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    report = _field_report(make_report, make_stage)
    text = render_markdown(report, max_chars=1500)
    assert _size(text) <= 1500
    assert text.endswith("_(summary cut at the size limit; see the job's report.json)_\n")


def test_table_cells_and_markup_are_escaped(
    make_report: Callable[..., RunReport], make_stage: Callable[..., StageResult]
) -> None:
    stage = make_stage(5, Status.ERROR, reason="tool printed a|b <script>\nsecond line")
    text = render_markdown(make_report((stage,)))
    assert "| tool printed a\\|b &lt;script&gt; second line |" in text
