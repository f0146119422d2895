"""JUnit XML and libtest output parsing."""

from __future__ import annotations

import pytest

from aces.engines.testreports import Outcome, TestReportError, parse_junit, parse_libtest

PYTEST_JUNIT = b"""<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="3">
<testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" line="3" time="0.001"/>
<testcase classname="tests.test_a" name="test_bad" file="tests/test_a.py" line="7">
  <failure message="assert 1 == 2">def test_bad(): ...</failure></testcase>
<testcase classname="tests.test_a" name="test_skip"><skipped message="later"/></testcase>
</testsuite></testsuites>
"""


def test_junit_cases_with_pytest_lines_made_one_based() -> None:
    report = parse_junit(PYTEST_JUNIT, "junit.xml")
    assert [(c.id, c.outcome, c.message, c.file, c.line) for c in report.cases] == [
        ("tests.test_a::test_ok", Outcome.PASSED, "", "tests/test_a.py", 4),
        ("tests.test_a::test_bad", Outcome.FAILED, "assert 1 == 2", "tests/test_a.py", 8),
        ("tests.test_a::test_skip", Outcome.SKIPPED, "later", "", 0),
    ]
    assert [c.id for c in report.failing] == ["tests.test_a::test_bad"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            b"<coverage/>",
            "junit.xml: root element <coverage>, expected <testsuites> or <testsuite> (JUnit XML)",
            id="wrong-root",
        ),
        pytest.param(
            b"<testsuite><testcase name='a'>",
            "junit.xml:1:30: not well-formed XML (no element found): cannot read the JUnit report",
            id="truncated",
        ),
        pytest.param(
            b"<testsuite><testcase/></testsuite>",
            "junit.xml: a <testcase> without a name",
            id="nameless",
        ),
    ],
)
def test_unreadable_junit_is_an_error_naming_the_file(data: bytes, message: str) -> None:
    with pytest.raises(TestReportError) as caught:
        parse_junit(data, "junit.xml")
    assert caught.value.message == message


LIBTEST = """
running 3 tests
test header::tests::round_trips ... ok
test subject::tests::noisy ... printed by the test
ok
test subject::tests::rejects_empty ... FAILED
test slow ... ignored, needs a network

failures:

---- subject::tests::rejects_empty stdout ----

thread 'subject::tests::rejects_empty' panicked at src/subject.rs:40:9:
assertion failed: parts.is_empty()

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out
"""


def test_libtest_results_with_split_lines_and_panic_details() -> None:
    report = parse_libtest(LIBTEST.replace("running 3", "running 4"), "cargo test")
    assert [(c.id, c.outcome, c.message, c.file, c.line) for c in report.cases] == [
        ("header::tests::round_trips", Outcome.PASSED, "", "", 0),
        ("subject::tests::noisy", Outcome.PASSED, "", "", 0),
        ("subject::tests::rejects_empty", Outcome.FAILED, "assertion failed: parts.is_empty()",
         "src/subject.rs", 40),
        ("slow", Outcome.SKIPPED, "", "", 0),
    ]  # fmt: skip


def test_libtest_summary_that_disagrees_is_an_error() -> None:
    text = "running 1 test\ntest a ... ok\ntest result: ok. 2 passed; 0 failed; 0 ignored; " + (
        "0 measured; 0 filtered out\n"
    )
    with pytest.raises(TestReportError, match="cargo test:3: the summary says 2 passed"):
        parse_libtest(text, "cargo test")


def test_libtest_without_a_summary_is_an_error() -> None:
    with pytest.raises(TestReportError, match="ended without its 'test result:' summary"):
        parse_libtest("running 1 test\ntest a ... ok\n", "cargo test")


PYTEST_GENERIC = b"""<testsuites><testsuite name="pytest">
<testcase classname="" name="backend.tests"><error message="collection failure">
backend/tests/conftest.py:4: in &lt;module&gt;
    from webframework.testclient import TestClient
E   ModuleNotFoundError: No module named 'webframework'</error></testcase>
<testcase classname="pytest" name="internal"><error message="internal error">
INTERNALERROR&gt;   File "cli.py", line 96, in delete
INTERNALERROR&gt;     sys.exit(1)
INTERNALERROR&gt; SystemExit: 1</error></testcase>
<testcase classname="pytest" name="internal"><error message="internal error">Traceback:
  File "cli.py", line 92, in delete
ValueError: no todo 1

During handling of the above exception, another exception occurred:
  File "cli.py", line 96, in delete
SystemExit: 1</error></testcase>
</testsuite></testsuites>"""


def test_pytest_generic_errors_report_the_exception_they_hide() -> None:
    report = parse_junit(PYTEST_GENERIC, "junit.xml")
    assert [case.message for case in report.cases] == [
        "ModuleNotFoundError: No module named 'webframework'",
        "SystemExit: 1",
        "SystemExit: 1",
    ]
