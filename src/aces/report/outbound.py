"""What leaves aces: every report, console line and error message, redacted and printable.

This is the one gate between what aces learned and what it prints or writes:

- ``clean_text`` masks every secret the secret engine's built-in detectors find
  (``aces.engines.secrets.redact``: ``ghp_****``) and makes the text printable
  (``printable``). Every public renderer of ``aces.report`` returns its text
  through it, the console prints through it, and so does the CLI's error line.
- ``clean_report`` is a copy of a ``RunReport`` whose texts are cleaned and
  whose paths are escaped, for the renderers that read the model directly; the
  JSON and SARIF renderers clean their data with ``clean_data`` (their
  fingerprints are those of the unchanged findings).
- ``escape_path`` is how a file name is shown: bytes that are not UTF-8 (kept by
  Python as surrogates) as ``\\xNN``, a backslash as ``\\\\``, LF / CR / TAB as
  ``\\n`` / ``\\r`` / ``\\t``, other control or invisible characters as
  ``\\xNN`` (below U+0100) or ``\\uNNNN``. It is deterministic and reversible, so
  the name can be recovered from what a report shows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aces.engines.secrets.redact import default_redactor
from aces.model import ChangeSummary, CheckResult, Finding, RuleInfo, RunReport, StageResult

_NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Line breaks and tabs are part of free text (a multi-line reason); other controls are not.
_TEXT_KEEPS = frozenset("\n\t")


def escape_path(path: str) -> str:
    """A file name as every report and the console show it (see the module docstring)."""
    if path.isprintable() and "\\" not in path:
        return path
    return "".join(_escaped(ch) if ch in _NAMED or not ch.isprintable() else ch for ch in path)


def printable(text: str) -> str:
    """Free text with undecodable bytes as ``\\xNN`` and control characters escaped.

    Line breaks and tabs stay: they are part of a multi-line reason; each format
    folds or escapes them its own way.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch in _TEXT_KEEPS or ch.isprintable() or _visible(ch) else _escaped(ch) for ch in text
    )


def encodable(text: str) -> str:
    """Text UTF-8 can carry: undecodable bytes (surrogates) as ``\\xNN``, nothing else touched.

    JSON escapes control characters itself, so the JSON formats keep a tool's
    output as it was apart from those bytes.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join(_escaped(ch) if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def clean_text(text: str) -> str:
    """``text`` with every secret masked, then printable: what may leave the process."""
    return printable(default_redactor().redact(text))


def clean_data(value: Any) -> Any:
    """JSON-like data (or JSON text) with every string redacted and made ``encodable``."""
    return _clean_data(value, {})


def _clean_data(value: Any, done: dict[str, str]) -> Any:
    # A large log repeats the same keys and values thousands of times; cleaning is a
    # pure function of the string, so each distinct string is cleaned once.
    if isinstance(value, str):
        cleaned = done.get(value)
        if cleaned is None:
            cleaned = done[value] = encodable(default_redactor().redact(value))
        return cleaned
    if isinstance(value, dict):
        return {_clean_data(k, done): _clean_data(v, done) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_data(item, done) for item in value]
    return value


def clean_report(report: RunReport) -> RunReport:
    """A copy of ``report`` whose texts are cleaned and whose paths are escaped.

    Fingerprints are computed from paths and messages, so this copy is for
    renderers that do not show them (console, Markdown, JUnit, annotations).
    """
    return replace(
        report,
        policy_source=clean_path(report.policy_source),
        policy_version=clean_text(report.policy_version),
        stages=tuple(_stage(stage) for stage in report.stages),
        change=_change(report.change) if report.change is not None else None,
        notes=tuple(clean_text(note) for note in report.notes),
        rules=tuple(_rule(rule) for rule in report.rules),
    )


def clean_path(path: str) -> str:
    """A path as shown: secrets masked, then escaped."""
    return escape_path(default_redactor().redact(path))


def _stage(stage: StageResult) -> StageResult:
    return replace(
        stage,
        title=clean_text(stage.title),
        reason=clean_text(stage.reason),
        checks=tuple(_check(check) for check in stage.checks),
    )


def _check(check: CheckResult) -> CheckResult:
    return replace(
        check,
        reason=clean_text(check.reason),
        findings=tuple(_finding(f) for f in check.findings),
        tools=tuple((clean_text(name), clean_text(version)) for name, version in check.tools),
    )


def _finding(finding: Finding) -> Finding:
    location = finding.location
    return replace(
        finding,
        message=clean_text(finding.message),
        help=clean_text(finding.help),
        location=replace(location, path=clean_path(location.path)) if location else None,
    )


def _change(change: ChangeSummary) -> ChangeSummary:
    return replace(
        change,
        base=clean_text(change.base) if change.base else change.base,
        head=clean_text(change.head) if change.head else change.head,
        changed_files=tuple(clean_path(p) for p in change.changed_files),
        nested_projects=tuple(clean_path(p) for p in change.nested_projects),
        classes=tuple(
            (clean_text(name), tuple(clean_path(p) for p in paths))
            for name, paths in change.classes
        ),
    )


def _rule(rule: RuleInfo) -> RuleInfo:
    return replace(
        rule,
        title=clean_text(rule.title),
        help=clean_text(rule.help),
        description=clean_text(rule.description),
    )


def _visible(ch: str) -> bool:
    """A space character other than U+0020 (a no-break space) reads as a space: keep it."""
    return ch.isspace() and ch not in "\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"


def _escaped(ch: str) -> str:
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
