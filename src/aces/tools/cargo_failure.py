"""What cargo says when it stops before running anything: its own first error line.

``cargo test`` that cannot resolve or fetch a dependency (ACES runs it with
``--offline``), or cannot compile the crate, exits 101 having run no test.
Its verdict is then cargo's first top-level ``error:`` line; when that error is
about getting a dependency, the way out is named too.
"""

from __future__ import annotations

import posixpath
import re

_ERROR = re.compile(r"^error(?:\[[A-Z0-9]+\])?: (?P<what>.+)$", re.MULTILINE)
_TARGET = re.compile(r"the `(?P<target>[\w.-]+)` target may not be installed")
_DEPENDENCY = re.compile(
    r"no matching package|failed to get .* as a dependency|failed to select a version"
    r"|failed to load source|offline mode|failed to download|Unable to update",
    re.IGNORECASE,
)


def cargo_failure_cause(output: str) -> str | None:
    """cargo's first ``error:`` line of ``output`` (with what to do about a dependency it
    could not get offline or a target that is not installed), or None when cargo printed
    no error line."""
    setup = cargo_setup_cause(output)
    if setup is not None:
        return setup
    match = _ERROR.search(output)
    return None if match is None else f"cargo stopped before any test ran: {match['what']}"


def cargo_setup_cause(output: str) -> str | None:
    """Why cargo could not start building, when it is a dependency it could not get
    offline or a target that is not installed; else None."""
    match = _ERROR.search(output)
    if match is None:
        return None
    what = match.group("what").strip()
    target = _TARGET.search(output)
    if target is not None:
        name = target.group("target")
        return (
            f"the Rust target {name} is not installed, and rustup does not download it "
            f"during a run: {what} (rustup target add {name})"
        )
    if _DEPENDENCY.search(output[match.start() :]):
        return (
            f"cargo could not get the dependencies offline: {what} (fetch them before the "
            "run: `cargo fetch`, or vendor them)"
        )
    return None


def is_cargo(program: str) -> bool:
    """Whether a runner's program is cargo (a bare name or a path ending in it)."""
    return posixpath.basename(program) == "cargo"
