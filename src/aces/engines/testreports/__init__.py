"""Test reports: JUnit XML and libtest's plain output, read into per-test results.

A library with no knowledge of stages. ``parse_junit`` and ``parse_libtest``
return a ``TestReport``; anything they cannot read is ``TestReportError`` (an
``InputError``) naming the file and, where known, the line.
"""

from __future__ import annotations

from aces.engines.testreports.junit import ROOTS, TestReportError, parse_junit
from aces.engines.testreports.libtest import parse_libtest
from aces.engines.testreports.model import Outcome, TestCase, TestReport

__all__ = [
    "ROOTS",
    "Outcome",
    "TestCase",
    "TestReport",
    "TestReportError",
    "parse_junit",
    "parse_libtest",
]
