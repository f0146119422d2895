"""Fake external tools for the fail-closed matrix: healthy, or with one fault.

Every program a stage runs is replaced by a shell script. A healthy one prints
its recorded version line (per sub-command: ``cargo clippy --version`` answers
as clippy). The faulty one, for the sub-command under test or for every call:

- ``missing``: not installed anywhere ACES looks;
- ``crash``: killed by SIGSEGV (exit 139 in a shell);
- ``hang``: sleeps far past the check's budget;
- ``garbage``: prints bytes that are no version and no report, exit 0;
- ``wrong-version``: answers another version than ``[toolchain]`` pins.

The faulty program goes into the repository's ``.tools/bin`` (searched first);
the healthy ones go into a directory that is the run's whole PATH.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

FAULTS: tuple[str, ...] = ("missing", "crash", "hang", "garbage", "wrong-version")
# The same faults when the tool is really run, its version answered correctly.
RUN_FAULTS: tuple[str, ...] = ("crash-run", "hang-run", "garbage-run")
FAULT_BODIES: Mapping[str, str] = {
    "crash": "kill -SEGV $$",
    "hang": "exec /bin/sleep 120",
    "garbage": r"printf '\377\376 garbage {not json <xml\n'; exit 0",
}
# What the reason of the ERROR says, per fault (a tool-specific alternative after |).
CAUSES: Mapping[str, str] = {
    "missing": r"is not installed|not found",
    "crash": r"SIGSEGV",
    "hang": r"timed out after",
    "garbage": r"cannot read the version|ran no test|wrote no JUnit report",
    "wrong-version": r"found at .*, but \[toolchain\] pins",
    "crash-run": r"SIGSEGV",
    "hang-run": r"timed out after",
    "garbage-run": r".",  # each tool says in its own words that its output is not a report
}

CARGO: Mapping[str, Mapping[str, str]] = {
    "cargo": {
        "clippy": "clippy 0.1.95 (shim)",
        "fmt": "rustfmt 1.9.0-stable (shim)",
        "*": "cargo 1.95.0 (shim)",
    },
    "cargo-clippy": {"*": "clippy 0.1.95 (shim)"},
    "rustfmt": {"*": "rustfmt 1.9.0-stable (shim)"},
}
SERVERS: Mapping[str, Mapping[str, str]] = {
    "nats-server": {"*": "nats-server: v2.9.10"},
    "redis-server": {"*": "Redis server v=7.0.15 sha=00000000:0 malloc=libc bits=64"},
    "postgres": {"*": "postgres (PostgreSQL) 15.18"},
    "initdb": {"*": "initdb (PostgreSQL) 15.18"},
    "psql": {"*": "psql (PostgreSQL) 15.18"},
}
PINS: Mapping[str, str] = {
    "buf": "1.75.0",
    "ruff": "0.15.0",
    "cargo": "1.95.0",
    "clippy": "0.1.95",
    "rustfmt": "1.9.0",
    "cargo-deny": "0.14.2",
    "mix": "1.14.0",
    "git": "2.39.5",
    "nats-server": "2.9.10",
    "valkey": "7.0.15",
    "postgres": "15",
}
HEALTHY_GIT: Mapping[str, Mapping[str, str]] = {"git": {"*": "git version 2.39.5"}}


@dataclass(frozen=True)
class ToolSpec:
    """One external tool of the matrix: its programs, which one is faulty, how it is checked.

    ``target`` is the program and sub-command (None: every call) that gets the
    fault; ``wrong`` the version line it prints in the wrong-version cell (asked
    through ``version_sub``, the invocation ACES reads the version from);
    ``missing`` the program left out in the missing cell.
    """

    name: str
    stage: int
    programs: Mapping[str, Mapping[str, str]]
    target: tuple[str, str | None]
    wrong: str | None
    check: str = ""  # the check run in process; "" for tools checked through a helper
    version_sub: str | None = None
    missing: str = ""
    faults: tuple[str, ...] = FAULTS
    extra_policy: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    together: tuple[str, ...] = ()  # installed beside the faulty one (postgres and initdb)
    pins: Mapping[str, str] = field(default_factory=dict)  # pins of optional tools it uses

    @property
    def missing_program(self) -> str:
        """The program absent from the missing cell."""
        return self.missing or self.target[0]

    def cells(self) -> tuple[str, ...]:
        """The faults this tool is tested with."""
        return tuple(f for f in self.faults if f != "wrong-version" or self.wrong is not None)


def script(
    lines: Mapping[str, str], body: str | None, sub: str | None, *, at_run: bool = False
) -> str:
    """A shell script answering each sub-command with its line, ``body`` for the faulty one.

    ``at_run``: the faulty sub-command still answers ``--version`` correctly.
    """
    arms: list[str] = []
    if body is not None and sub is not None and sub not in lines:
        arms.append(f"  {sub}) {body} ;;")
    for arm, line in lines.items():
        faulty = body is not None and (sub is None or sub == arm)
        if faulty and at_run:
            arms.append(
                f'  {arm}) case " $* " in *" --version "*|*" -version "*) {_echo(line)} ;; '
                f"*) {body} ;; esac ;;"
            )
        else:
            arms.append(f"  {arm}) {body if faulty else _echo(line)} ;;")
    return '#!/bin/sh\ncase "$1" in\n' + "\n".join(arms) + "\nesac\n"


def _echo(line: str) -> str:
    return f"echo '{line}'"


def write(path: Path, text: str) -> None:
    """An executable file at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def install(spec: ToolSpec, fault: str, root: Path, path_dir: Path) -> None:
    """The spec's programs for one cell: the faulty one in .tools/bin, the rest on PATH."""
    program = spec.target[0]
    programs = {**HEALTHY_GIT, **spec.programs}
    for name, lines in programs.items():
        if fault == "missing" and name == spec.missing_program:
            continue
        local = root / ".tools/bin"
        if name == program and fault != "missing":
            body, sub = _fault_body(spec, fault), _sub(spec, fault)
            write(local / name, script(lines, body, sub, at_run=fault in RUN_FAULTS))
        else:
            beside = fault != "missing" and name in spec.together
            write((local if beside else path_dir) / name, script(lines, None, None))


def _fault_body(spec: ToolSpec, fault: str) -> str:
    if fault == "wrong-version":
        return _echo(spec.wrong or "")
    return FAULT_BODIES[fault.removesuffix("-run")]


def _sub(spec: ToolSpec, fault: str) -> str | None:
    """The sub-command that gets the fault (the version's own for a wrong version)."""
    return spec.version_sub if fault == "wrong-version" else spec.target[1]


def policy(spec: ToolSpec) -> str:
    """The cell's aces.toml: every tool pinned, plus what the tool's stage needs."""
    pinned = {**PINS, **spec.pins}
    pins = "".join(f'"{name}" = "{version}"\n' for name, version in pinned.items())
    return (
        'policy_version = "1.0.0"\ndoctrine = "aces-1.0.0"\n'
        f"{spec.extra_policy}\n[toolchain]\n{pins}"
    )
