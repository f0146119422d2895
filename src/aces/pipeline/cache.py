"""A content-addressed cache of check results, kept out of the work tree.

A check that can name all of its inputs (``Check.cache_key``) is served from the
cache when those inputs, the check id and the ACES version are unchanged. ERROR
results are never stored, and an unreadable entry is a miss, never a pass.

Where it lives (:func:`default_cache_dir`): ``ACES_CACHE_DIR`` when set; in a CI job,
``.aces/cache`` of the workspace, where the generated pipelines' cache steps save and
restore it (the work tree is thrown away); otherwise under the repository's git
directory (``.git/aces/cache``), or outside git in the user's cache directory
(``$XDG_CACHE_HOME/aces``, ``~/.cache/aces``). A developer's work tree never gets an
untracked cache directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aces import __version__
from aces.model import CheckResult, Finding, Location, Severity, Status
from aces.workspace import git
from aces.workspace.cienv import is_ci

CACHE_FORMAT = "1"


def default_cache_dir(root: Path, *, is_git: bool, env: Mapping[str, str]) -> Path | None:
    """Where the result cache of the workspace ``root`` lives (None: nowhere to keep one)."""
    explicit = env.get("ACES_CACHE_DIR", "")
    if explicit:
        return root / explicit  # an absolute value replaces root
    if is_ci(env):
        return root / ".aces" / "cache"
    if is_git:
        # One cache per workspace directory of the repository, shared by its worktrees.
        return git.common_dir(root) / "aces" / "cache" / _digest(git.show_prefix(root))
    home = env.get("XDG_CACHE_HOME") or (f"{env['HOME']}/.cache" if env.get("HOME") else "")
    if not home:
        return None
    return Path(home) / "aces" / _digest(str(root.resolve()))


def _digest(text: str) -> str:
    """A short name for a workspace, stable across runs."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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
