"""A content-addressed cache of check results (``.aces/cache``).

A check that can name all of its inputs (``Check.cache_key``) is served from the
cache when those inputs, the check id and the ACES version are unchanged. ERROR
results are never stored, and an unreadable entry is a miss, never a pass.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from aces import __version__
from aces.model import CheckResult, Finding, Location, Severity, Status

CACHE_FORMAT = "1"


class ResultCache:
    """Check results on disk, keyed by a digest of the check's inputs."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, check_id: str, key: str) -> Path:
        material = "\x1f".join((CACHE_FORMAT, __version__, check_id, key))
        digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, check_id: str, key: str) -> CheckResult | None:
        """The stored result, or None on a miss or an unreadable entry."""
        path = self._path(check_id, key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            result = _result_from_dict(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if result.check_id != check_id or result.status is Status.ERROR:
            return None
        return result

    def put(self, check_id: str, key: str, result: CheckResult) -> None:
        """Store a result; a cache that cannot be written is silently skipped (a miss)."""
        if result.status is Status.ERROR:
            return
        path = self._path(check_id, key)
        data = result.to_dict()
        for stored, finding in zip(data["findings"], result.findings, strict=True):
            if finding.key:
                stored["key"] = finding.key
        text = json.dumps(data, sort_keys=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(tmp).replace(path)
        except OSError:
            return


def _result_from_dict(data: dict[str, Any]) -> CheckResult:
    return CheckResult(
        check_id=data["id"],
        stage=int(data["stage"]),
        clauses=tuple(data["clauses"]),
        status=Status(data["status"]),
        findings=tuple(_finding_from_dict(f) for f in data["findings"]),
        reason=data.get("reason", ""),
        tools=tuple(sorted(data.get("tools", {}).items())),
    )


def _finding_from_dict(data: dict[str, Any]) -> Finding:
    loc = data.get("location")
    location = (
        Location(
            path=loc["path"],
            line=loc.get("line"),
            column=loc.get("column"),
            end_line=loc.get("end_line"),
            end_column=loc.get("end_column"),
        )
        if loc
        else None
    )
    finding = Finding(
        rule_id=data["rule_id"],
        clauses=tuple(data["clauses"]),
        message=data["message"],
        location=location,
        severity=Severity(data["severity"]),
        help=data.get("help", ""),
        key=data.get("key", ""),
    )
    if finding.fingerprint != data["fingerprint"]:
        raise ValueError("fingerprint mismatch")
    return finding
