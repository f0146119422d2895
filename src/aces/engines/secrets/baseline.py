"""The secrets baseline: accepted findings as fingerprints, without line numbers or values.

A versioned JSON file::

    {"version": 1, "findings": [{"fingerprint": "…", "path": "tests/x.py",
                                  "rule": "sec.secrets.github-token"}]}

``fingerprint`` is the finding's fingerprint (a hash of rule, path and a hash of
the secret), so the file holds no secret and survives edits above the finding.
Entries are sorted; ``render`` and ``parse`` round-trip.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from aces.errors import InputError

BASELINE_VERSION = 1
_FINGERPRINT = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True, order=True)
class BaselineEntry:
    """One accepted finding."""

    path: str
    rule: str
    fingerprint: str


def parse(text: str, source: str) -> tuple[BaselineEntry, ...]:
    """The entries of a baseline file; InputError naming ``source`` when malformed."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at line {exc.lineno})", path=source) from exc
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION:
        raise InputError(
            f'expected a JSON object with "version": {BASELINE_VERSION}',
            path=source,
            hint="regenerate it with `aces secrets scan --write-baseline`",
        )
    raw = data.get("findings")
    if not isinstance(raw, list):
        raise InputError('expected a "findings" array', path=source)
    return tuple(sorted(_entry(item, i, source) for i, item in enumerate(raw)))


def _entry(item: object, index: int, source: str) -> BaselineEntry:
    if not isinstance(item, dict) or set(item) != {"path", "rule", "fingerprint"}:
        raise InputError(
            f"findings[{index}]: expected exactly the keys fingerprint, path, rule", path=source
        )
    values = [item["path"], item["rule"], item["fingerprint"]]
    if not all(isinstance(v, str) and v for v in values):
        raise InputError(f"findings[{index}]: values must be non-empty strings", path=source)
    if not _FINGERPRINT.fullmatch(item["fingerprint"]):
        raise InputError(f"findings[{index}]: fingerprint must be 32 hex digits", path=source)
    return BaselineEntry(item["path"], item["rule"], item["fingerprint"])


def render(entries: Iterable[BaselineEntry]) -> str:
    """The baseline file's text: sorted entries, sorted keys, a final newline."""
    findings = [
        {"fingerprint": e.fingerprint, "path": e.path, "rule": e.rule} for e in sorted(set(entries))
    ]
    body = {"version": BASELINE_VERSION, "findings": findings}
    return json.dumps(body, indent=2, sort_keys=True) + "\n"
