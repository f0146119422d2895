"""Cobertura XML coverage reports (coverage.py ``xml``, cargo-llvm-cov ``--cobertura``, ...).

``<coverage>`` holds ``<sources><source>`` directories and, under
``<packages><package><classes>``, one ``<class filename=...>`` per source file
with ``<lines><line number= hits= branch= condition-coverage="50% (1/2)"/>``.
File names are relative to the first ``<source>``; ACES joins them. Parsed with
defusedxml (no entity expansion); a truncated file or another root element is
``CoverageFormatError`` naming the file (and the line, when the parser knows it).
"""

from __future__ import annotations

import posixpath
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

from aces.engines.coverage.model import CoverageData, CoverageFormatError, FileCoverage

_CONDITIONS = re.compile(r"\((\d+)/(\d+)\)")


def parse_cobertura(data: bytes, name: str) -> CoverageData:
    """The coverage in the Cobertura XML ``data`` of the file ``name``."""
    root = parse_xml(data, name, "a Cobertura coverage report")
    if root.tag != "coverage":
        raise CoverageFormatError(
            f"{name}: root element <{root.tag}>, expected <coverage> (Cobertura XML)"
        )
    prefix = _source_prefix(root)
    lines: dict[str, dict[int, bool]] = {}
    branches: dict[str, list[tuple[int, int, int]]] = {}
    for cls in root.iter("class"):
        filename = cls.get("filename")
        if not filename:
            raise CoverageFormatError(f"{name}: a <class> without filename")
        path = posixpath.normpath(posixpath.join(prefix, filename)) if prefix else filename
        hits = lines.setdefault(path, {})
        found = branches.setdefault(path, [])
        for line in cls.iter("line"):
            number, count = _int(line, "number", name), _int(line, "hits", name)
            hits[number] = hits.get(number, False) or count > 0
            if line.get("branch") == "true":
                found.append((number, *_conditions(line, name)))
    files = {path: _file(path, hits, branches[path]) for path, hits in lines.items()}
    return CoverageData(dict(sorted(files.items())))


def parse_xml(data: bytes, name: str, what: str) -> Element:
    """The root of an XML document; malformed, truncated or hostile XML is an error."""
    try:
        root = SafeElementTree.fromstring(data)
    except ParseError as exc:
        line, column = exc.position
        raise CoverageFormatError(
            f"{name}:{line}:{column}: not well-formed XML ({_reason(exc)}): cannot read {what}",
            hint="regenerate the report (the run may have been interrupted)",
        ) from exc
    except DefusedXmlException as exc:
        raise CoverageFormatError(
            f"{name}: refused XML construct ({type(exc).__name__}) in {what}"
        ) from exc
    return root


def _reason(exc: ParseError) -> str:
    text = str(exc)
    return text.split(":", 1)[0] if ":" in text else text


def _source_prefix(root: Element) -> str:
    """The first ``<source>`` when it is relative (an absolute one is resolved later)."""
    for source in root.iter("source"):
        text = (source.text or "").strip()
        if text and text != ".":
            return text.replace("\\", "/")
    return ""


def _int(element: Element, attribute: str, name: str) -> int:
    raw = element.get(attribute)
    try:
        return int(raw or "")
    except ValueError:
        raise CoverageFormatError(
            f"{name}: <{element.tag}> has {attribute}={raw!r}, expected an integer"
        ) from None


def _conditions(line: Element, name: str) -> tuple[int, int]:
    """``(covered, total)`` branch outcomes from ``condition-coverage="50% (1/2)"``."""
    match = _CONDITIONS.search(line.get("condition-coverage", ""))
    if match is None:
        raise CoverageFormatError(
            f"{name}: branch line {line.get('number')} without condition-coverage"
        )
    return int(match.group(1)), int(match.group(2))


def _file(path: str, hits: dict[int, bool], branches: list[tuple[int, int, int]]) -> FileCoverage:
    uncovered = tuple(sorted(n for n, ran in hits.items() if not ran))
    total = sum(t for _, _, t in branches)
    missed = tuple(sorted(n for n, c, t in branches for _ in range(t - c)))
    # Cobertura always says whether a line is a branch: the file's branches are measured.
    return FileCoverage(path, len(hits), uncovered, total, missed, True)
