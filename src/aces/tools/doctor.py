"""What ``aces doctor`` finds: each external tool, where it is, its version against the pin.

``diagnose`` probes every adapter through the ``ProcessRunner`` and returns a
plain ``DoctorReport``; ``render_text`` and ``render_json`` are pure functions of
that report. A tool blocks (exit code 2) only when a check that is implemented
needs it and it is missing, mis-versioned or unreadable; everything else is
reported without failing, so the command is useful before the stages are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from aces.errors import ToolError
from aces.tools.adapter import ToolAdapter, VersionCheck
from aces.tools.resolve import ToolResolver

EXIT_READY = 0
EXIT_NOT_READY = 2


class ToolStatus(StrEnum):
    """The state of one tool on this machine."""

    OK = "ok"
    MISSING = "missing"
    MISMATCH = "version mismatch"
    NOT_PINNED = "not pinned"
    ERROR = "error"  # found, but its version could not be read: fail closed


class Need(StrEnum):
    """Why the tool matters right now."""

    NOW = "now"  # an implemented check needs it
    LATER = "later"  # only stages whose checks are not implemented yet
    OPTIONAL = "optional"  # used when present, never required


# Tools the run itself needs before any check: git reads the Change in stage 1.
NEEDED_BY_THE_RUN: Mapping[str, tuple[int, ...]] = {"git": (1,)}
_BLOCKING = (ToolStatus.MISSING, ToolStatus.MISMATCH, ToolStatus.ERROR)
_VERSION_STATUS = {
    VersionCheck.OK: ToolStatus.OK,
    VersionCheck.MISMATCH: ToolStatus.MISMATCH,
    VersionCheck.NOT_PINNED: ToolStatus.NOT_PINNED,
}


@dataclass(frozen=True)
class ToolReport:
    """One tool: the stages that use it, what was found and how it compares to the pin."""

    name: str
    stages: tuple[int, ...]
    need: Need
    status: ToolStatus
    path: str | None
    version: str | None
    pinned: str | None
    install_hint: str
    detail: str = ""

    @property
    def blocking(self) -> bool:
        """True when an implemented check needs this tool and it is not usable as pinned."""
        return self.need is Need.NOW and self.status in _BLOCKING

    def as_dict(self) -> dict[str, object]:
        """Plain data for the JSON output."""
        return {
            "name": self.name,
            "stages": list(self.stages),
            "need": self.need.value,
            "status": self.status.value,
            "path": self.path,
            "version": self.version,
            "pinned": self.pinned,
            "install_hint": self.install_hint,
            "detail": self.detail,
            "blocking": self.blocking,
        }


@dataclass(frozen=True)
class DoctorReport:
    """Every tool of the catalog on this machine, for one repository and its policy."""

    root: str
    policy_source: str
    tools: tuple[ToolReport, ...]
    unknown_pins: tuple[str, ...] = ()

    @property
    def blocking(self) -> tuple[ToolReport, ...]:
        """Tools that stop an implemented check from running."""
        return tuple(t for t in self.tools if t.blocking)

    @property
    def exit_code(self) -> int:
        """0 when every tool an implemented check needs is usable, else 2."""
        return EXIT_NOT_READY if self.blocking else EXIT_READY


def diagnose(
    resolver: ToolResolver,
    *,
    required: Mapping[str, tuple[int, ...]],
    cwd: Path,
    root: str,
    policy_source: str,
) -> DoctorReport:
    """Probe each tool; ``required`` maps a tool to the stages of implemented checks using it.

    The resolver is the one ``aces run`` uses: same directories, same version
    commands, same pins, so doctor and the stages agree by construction.
    """
    needed = {
        name: tuple(sorted({*required.get(name, ()), *NEEDED_BY_THE_RUN.get(name, ())}))
        for name in {*required, *NEEDED_BY_THE_RUN}
    }
    reports = [
        probe(resolver, tool, required_stages=needed.get(tool.name, ()), cwd=cwd)
        for tool in resolver.tools
    ]
    reports.sort(key=lambda r: (r.stages[0] if r.stages else 0, r.name))
    known = {tool.name for tool in resolver.tools}
    return DoctorReport(
        root=root,
        policy_source=policy_source,
        tools=tuple(reports),
        unknown_pins=tuple(sorted(set(resolver.pins) - known)),
    )


def probe(
    resolver: ToolResolver,
    tool: ToolAdapter,
    *,
    required_stages: tuple[int, ...],
    cwd: Path,
) -> ToolReport:
    """Find one tool, read its version and compare it with the pin."""
    stages = tuple(sorted(set(tool.stages) | set(required_stages)))
    pinned = resolver.pin_of(tool.name)
    executable = resolver.locate(tool.name)
    # An optional tool is used, and so must be usable, once it is installed or pinned:
    # the stages decide the same way (aces.stages.build_tools.optional_tool).
    used = not tool.optional or pinned is not None or executable is not None
    need = Need.NOW if required_stages and used else Need.OPTIONAL if tool.optional else Need.LATER

    def report(status: ToolStatus, **found: str | None) -> ToolReport:
        return ToolReport(
            name=tool.name,
            stages=stages,
            need=need,
            status=status,
            path=found.get("path"),
            version=found.get("version"),
            pinned=pinned,
            install_hint=tool.install_hint,
            detail=found.get("detail") or "",
        )

    if executable is None:
        return report(ToolStatus.MISSING)
    try:
        version = resolver.read_version(tool.name, executable, cwd)
    except ToolError as exc:
        return report(ToolStatus.ERROR, path=str(executable), detail=exc.diagnostics())
    status = _VERSION_STATUS[tool.check_version(version, pinned)]
    return report(status, path=str(executable), version=version)


def render_text(report: DoctorReport) -> str:
    """The human-readable table, then what to fix and the verdict."""
    lines = [f"aces doctor: {report.root}", f"policy: {report.policy_source}", ""]
    lines.extend(_table(report.tools))
    lines.extend(_fixes(report.tools))
    lines.extend(_notes(report))
    lines.append("")
    lines.append(_verdict(report))
    return "\n".join(lines) + "\n"


def render_json(report: DoctorReport) -> str:
    """The report as JSON with sorted keys (stable across runs on the same machine)."""
    data = {
        "root": report.root,
        "policy": report.policy_source,
        "ready": report.exit_code == EXIT_READY,
        "tools": [t.as_dict() for t in report.tools],
        "unknown_pins": list(report.unknown_pins),
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def _table(tools: Sequence[ToolReport]) -> list[str]:
    header = ("stages", "tool", "need", "status", "version", "pinned", "path")
    rows = [header] + [
        (
            ",".join(str(s) for s in t.stages),
            t.name,
            t.need.value,
            t.status.value,
            t.version or "-",
            t.pinned or "-",
            t.path or "-",
        )
        for t in tools
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _fixes(tools: Sequence[ToolReport]) -> list[str]:
    lines = []
    for t in tools:
        if t.status is ToolStatus.MISSING:
            lines.append(f"  {t.name}: missing; install: {t.install_hint}")
        elif t.status is ToolStatus.MISMATCH:
            lines.append(
                f"  {t.name}: found {t.version}, policy pins {t.pinned}; install: {t.install_hint}"
            )
        elif t.status is ToolStatus.ERROR:
            detail = t.detail.replace("\n", "\n    ")
            lines.append(f"  {t.name}: cannot read its version: {detail}")
    return ["", "to fix:", *lines] if lines else []


def _notes(report: DoctorReport) -> list[str]:
    lines = []
    unpinned = [t.name for t in report.tools if t.status is ToolStatus.NOT_PINNED]
    if unpinned:
        lines.append(
            f"  not pinned in [toolchain] of aces.toml (infra.locked-toolchains): "
            f"{', '.join(unpinned)}"
        )
    if report.unknown_pins:
        lines.append(
            f"  [toolchain] pins tools that no check uses: {', '.join(report.unknown_pins)}"
        )
    return ["", "notes:", *lines] if lines else []


def _verdict(report: DoctorReport) -> str:
    blocking = report.blocking
    if not blocking:
        return "ready: every tool an implemented check needs is usable"
    names = ", ".join(t.name for t in blocking)
    return f"not ready: implemented checks need {names}"
