"""JUnit XML test reports (pytest ``--junitxml``, ExUnit's JUnitFormatter, surefire, ...).

The root is ``<testsuites>`` or a single ``<testsuite>``; each ``<testcase
classname= name= [file= line=]>`` holds at most one ``<failure>``, ``<error>``
or ``<skipped>``. A test's id is ``classname::name`` (or ``name`` alone). Parsed
with defusedxml (no entity expansion). Another root element, a truncated or
malformed file, or a testcase without a name raise ``TestReportError`` naming the
file (and line and column, when the XML parser knows them).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from aces.engines.testreports.model import Outcome, TestCase, TestReport
from aces.errors import InputError

ROOTS: tuple[str, ...] = ("testsuites", "testsuite")
_HINT = "the test run may have been interrupted, or the path names another kind of file"


class TestReportError(InputError):
    """A test report that cannot be read."""

    __test__ = False


def parse_junit(data: bytes, name: str) -> TestReport:
    """The tests of the JUnit XML ``data`` of the file ``name``, in document order."""
    root = _root(data, name)
    if root.tag not in ROOTS:
        raise TestReportError(
            f"{name}: root element <{root.tag}>, expected <testsuites> or <testsuite> (JUnit XML)",
            hint=_HINT,
        )
    # pytest writes 0-based line numbers (its item.location); everyone else 1-based.
    shift = 1 if any(s.get("name") == "pytest" for s in root.iter("testsuite")) else 0
    return TestReport(name, tuple(_case(el, name, shift) for el in root.iter("testcase")))


def _root(data: bytes, name: str) -> Element:
    try:
        return SafeElementTree.fromstring(data)
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":", 1)[0]
        raise TestReportError(
            f"{name}:{line}:{column}: not well-formed XML ({reason}): cannot read the JUnit report",
            hint=_HINT,
        ) from exc
    except DefusedXmlException as exc:
        raise TestReportError(
            f"{name}: refused XML construct ({type(exc).__name__}) in a JUnit report"
        ) from exc


def _case(element: Element, name: str, shift: int) -> TestCase:
    test = element.get("name", "").strip()
    if not test:
        raise TestReportError(f"{name}: a <testcase> without a name", hint=_HINT)
    classname = element.get("classname", "").strip()
    outcome, message = _outcome(element)
    return TestCase(
        id=f"{classname}::{test}" if classname else test,
        outcome=outcome,
        message=message,
        file=element.get("file", "").replace("\\", "/"),
        line=_line(element.get("line", ""), shift),
    )


def _outcome(element: Element) -> tuple[Outcome, str]:
    """The outcome a testcase's children say, with the first line of its message."""
    for tag, outcome in (
        ("failure", Outcome.FAILED),
        ("error", Outcome.ERROR),
        ("skipped", Outcome.SKIPPED),
    ):
        child = element.find(tag)
        if child is not None:
            message = child.get("message") or ""
            if not message or message in _PYTEST_GENERIC:  # the cause is in the text
                message = _raised(child.text or "") or message or child.text or ""
            return outcome, first_line(message)
    return Outcome.PASSED, ""


_PYTEST_GENERIC = frozenset({"collection failure", "internal error"})
_RAISED = re.compile(
    r"^(?:(?:E|INTERNALERROR>)\s+)?([\w.]*?\w+(?:Error|Exception|Exit|Interrupt)\b:?.*)$",
    re.MULTILINE,
)


def _raised(text: str) -> str:
    """The last exception line of pytest's text (``E   ModuleNotFoundError: ...``,
    ``INTERNALERROR> SystemExit: 1``, a traceback's last ``SystemExit: 1``), or ''."""
    found = _RAISED.findall(text)
    return found[-1] if found else ""


def _line(raw: str, shift: int) -> int:
    return int(raw) + shift if raw.strip().isdigit() else 0


def first_line(text: str, limit: int = 300) -> str:
    """The first non-blank line of ``text``, cut to ``limit`` characters."""
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:limit]
    return ""
