"""Writes the file reports of a run into an output directory, atomically.

Each file is written to a temporary file in the same directory and renamed over
its final name, so a reader (a later ``aces report``, a CI upload step) sees
either the previous file or the complete new one, never half of it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from aces.errors import InputError
from aces.model import RunReport
from aces.report.codequality import render_codequality
from aces.report.json_report import render_json
from aces.report.junit import render_junit
from aces.report.markdown import render_markdown
from aces.report.sarif import render_sarif


@dataclass(frozen=True)
class ReportFormat:
    """One report format: its ``--format`` name, the file a run writes, its renderer."""

    name: str
    file: str
    render: Callable[[RunReport], str]


# Every report format, once: ``aces run`` writes each file and prints any one on request.
REPORT_FORMATS: tuple[ReportFormat, ...] = (
    ReportFormat("json", "report.json", render_json),
    ReportFormat("sarif", "report.sarif", render_sarif),
    ReportFormat("junit", "junit.xml", render_junit),
    ReportFormat("markdown", "summary.md", render_markdown),
    ReportFormat("codequality", "codequality.json", render_codequality),
)


def write_reports(
    report: RunReport, out_dir: Path, *, source_root: Path | None = None
) -> tuple[Path, ...]:
    """Write the file of every format (``REPORT_FORMATS``); return their paths.

    ``source_root``, the repository the findings point into, lets the SARIF log
    carry GitHub's line fingerprints (``aces.report.line_hash``).
    """
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _write_error(out_dir, exc) from exc
    renderers = {f.file: f.render for f in REPORT_FORMATS}
    renderers["report.sarif"] = partial(render_sarif, source_root=source_root)
    written = []
    for name, render in renderers.items():
        path = out_dir / name
        write_atomic(path, render(report))
        written.append(path)
    return tuple(written)


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text to ``path`` through a temporary file and a rename."""
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        # mkstemp creates 0600; reports are meant to be read by upload steps and people.
        tmp.chmod(0o644)
        # newline="" keeps "\n" on every platform: the bytes must not depend on the OS.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
        raise _write_error(path, exc) from exc


def _write_error(path: Path, exc: OSError) -> InputError:
    detail = exc.strerror or str(exc)
    return InputError(
        f"cannot write the report: {detail}",
        path=str(path),
        hint="choose a writable output directory",
    )
