"""The SemVer rule of the policy (``gov.policy-semver``): which bump a change needs.

Every change of the policy file bumps ``policy_version``: MAJOR for anything
looser (any item of the ratchet), MINOR for a new rule (an entry added: a
runner, a required section, a core library path), PATCH for the rest (a value
made stricter, an exception removed, a comment edited). The new version must
be the next version at that level or above (``1.4.2`` -> ``1.4.3``, ``1.5.0``
or ``2.0.0``), never a skip, a step back or an unreset lower part.
"""

from __future__ import annotations

import re
from enum import IntEnum

from aces.policy.policy_diff import ADDED, differences
from aces.policy.ratchet import compare
from aces.policy.schema import Policy

_CORE = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:[-+].*)?")


class Bump(IntEnum):
    """How much a version moved, in increasing order."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3


def required_bump(base: Policy, head: Policy, *, file_changed: bool) -> Bump:
    """The smallest bump the change from ``base`` to ``head`` needs."""
    if compare(base, head):
        return Bump.MAJOR
    found = [d for d in differences(base, head) if d.key != "policy_version"]
    if any(d.kind == ADDED for d in found):
        return Bump.MINOR
    return Bump.PATCH if found or file_changed else Bump.NONE


def core(version: str) -> tuple[int, int, int] | None:
    """``(major, minor, patch)`` of a SemVer version (pre-release and build left out)."""
    match = _CORE.fullmatch(version)
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def actual_bump(before: str, after: str) -> Bump | None:
    """The bump from ``before`` to ``after``; None when it is not a next version of it."""
    old, new = core(before), core(after)
    if old is None or new is None:
        return None
    if new == old:
        return Bump.NONE
    steps = {
        (old[0] + 1, 0, 0): Bump.MAJOR,
        (old[0], old[1] + 1, 0): Bump.MINOR,
        (old[0], old[1], old[2] + 1): Bump.PATCH,
    }
    return steps.get(new)


def bump_problem(before: str, after: str, needed: Bump) -> str | None:
    """Why ``after`` is not a right version after ``before`` for a change needing ``needed``."""
    if needed is Bump.NONE:
        return None
    done = actual_bump(before, after)
    if done is None:
        return (
            f"policy_version {after!r} is not a next version of {before!r}: "
            f"expected {next_version(before, needed)!r} (a {needed.name} bump) or higher"
        )
    if done < needed:
        what = "is unchanged" if done is Bump.NONE else f"is a {done.name} bump"
        return (
            f"policy_version {before!r} -> {after!r} {what}, but the change needs a "
            f"{needed.name} bump: expected {next_version(before, needed)!r}"
        )
    return None


def next_version(version: str, level: Bump) -> str:
    """The next version of ``version`` at ``level`` (``version`` itself for NONE)."""
    parts = core(version) or (1, 0, 0)
    major, minor, patch = parts
    if level is Bump.MAJOR:
        return f"{major + 1}.0.0"
    if level is Bump.MINOR:
        return f"{major}.{minor + 1}.0"
    if level is Bump.PATCH:
        return f"{major}.{minor}.{patch + 1}"
    return version
