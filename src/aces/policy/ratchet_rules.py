"""The ratchet past the thresholds and the spec: runners, maintainers, limits, and the rest.

Keys whose stricter direction is known are compared by that direction: a
test runner removed or changed, a maintainer added or made senior (more people
who can approve), a ceiling raised (``patterns.max_complexity``), a floor
lowered (``state_machines.state_limit``), an exemption list grown
(``patterns.test_globs``), a wire envelope dropped. Every other key has no
known direction, so any change of it counts as a loosening: ACES fails closed
rather than guess that a new value is as strict as the old one.
"""

from __future__ import annotations

from collections.abc import Iterable

from aces.policy.policy_diff import (
    ADDED,
    CHANGED,
    REMOVED,
    Difference,
    Loosening,
    differences,
)
from aces.policy.schema import DEBT_MODES, Direction, Policy

GOVERNANCE_CLAUSE = "gov.only-stricter"
APPROVAL_CLAUSE = "gov.unanimous-major"

# Keys the ratchet compares by a known direction; everything else is "any change loosens".
MODELLED_KEYS: tuple[str, ...] = (
    "policy_version",
    "thresholds",
    "spec.required_for",
    "spec.sections",
    "spec.section_synonyms",
    "spec.placeholders",
    "spec.schema_globs",
    "paths.core_libraries",
    "paths.hot_paths",
    "change_classes",
    "allowlist",
    "maintainers",
    "tests.runners",
    "proto.envelopes",
)

# Numbers with a direction: a MAX is a ceiling (lower is stricter), a MIN a floor.
DIRECTED_NUMBERS: dict[str, tuple[Direction, str]] = {
    "patterns.max_function_lines": (Direction.MAX, "lint.complexity"),
    "patterns.max_complexity": (Direction.MAX, "lint.complexity"),
    "patterns.max_nesting": (Direction.MAX, "lint.complexity"),
    "state_machines.state_limit": (Direction.MIN, "sm.invariants"),
}

# Switches that tighten when turned on: turning one off loosens, turning it on does not.
STRICT_WHEN_ON: dict[str, str] = {
    "secrets.scan_all_files": "sec.secrets",
    "proto.require_proto3_optional": "compat.optional-fields",
}

# Choices ordered loosest first: a move towards the start loosens.
ORDERED_CHOICES: dict[str, tuple[tuple[str, ...], str]] = {
    "patterns.debt": (DEBT_MODES, "lint.forbidden-patterns"),
}

# Lists of exemptions: an item added exempts more, an item removed exempts less.
EXEMPTION_LISTS: dict[str, str] = {
    "patterns.allowed_numbers": "lint.forbidden-patterns",
    "patterns.test_globs": "lint.forbidden-patterns",
    "patterns.startup_globs": "lint.forbidden-patterns",
    "patterns.startup_markers": "lint.forbidden-patterns",
    # a context added turns its fixture secrets from blocking into information
    "secrets.info_contexts": "sec.secrets",
}

# The clause a key with no known direction serves, when one clause is clearly its own.
KEY_CLAUSES: dict[str, str] = {
    "tests.coverage_baseline": "test.coverage-drop",
    "build.size_baseline": "build.size-deviation",
    "build.commands": "build.reproducible",
    "build.artifacts": "build.reproducible",
    "proto.breaking": "schema.proto-breaking",
    "proto.lint": "schema.proto-lint",
    "architecture": "arch.layers",
    "secrets": "sec.secrets",
    "vulndb": "sec.dependency-audit",
    "topology": "topo.environment",
    "security.permissions": "sec.permission-matrix",
    "security.wasm": "sec.wasm-policy",
    "security.tls": "sec.tls",
}


def clause_of(key: str) -> str:
    """The clause of the longest prefix of ``key`` in ``KEY_CLAUSES`` (else the ratchet's)."""
    parts = key.split(".")
    for size in range(len(parts), 0, -1):
        found = KEY_CLAUSES.get(".".join(parts[:size]))
        if found is not None:
            return found
    return GOVERNANCE_CLAUSE


def modelled(key: str) -> bool:
    """Whether ``key`` is compared by a known direction."""
    known = (*MODELLED_KEYS, *DIRECTED_NUMBERS, *STRICT_WHEN_ON, *EXEMPTION_LISTS, *ORDERED_CHOICES)
    return any(key == prefix or key.startswith(prefix + ".") for prefix in known)


def more_loosenings(base: Policy, head: Policy) -> list[Loosening]:
    """Loosenings of the keys ``ratchet.compare`` does not handle itself."""
    return [
        *runners(base, head),
        *maintainers(base, head),
        *envelopes(base, head),
        *directed(differences(base, head)),
        *unknown_direction(differences(base, head)),
    ]


def runners(base: Policy, head: Policy) -> list[Loosening]:
    """A test runner removed or changed: the tests it ran may no longer run as strictly."""
    found = []
    for diff in differences(base.tests.runners, head.tests.runners, "tests.runners"):
        if diff.kind == REMOVED:
            message = f"no longer runs the test runner {diff.before}"
        elif diff.kind == CHANGED:
            message = f"{diff.describe()}; ACES cannot tell the new runner is as strict"
        else:
            continue  # a new runner is a new rule
        found.append(Loosening(diff.key, message, "test.unit"))
    return found


def maintainers(base: Policy, head: Policy) -> list[Loosening]:
    """A new maintainer, or one made senior: more people can approve what the policy gates."""
    before = {person.handle.lower(): person for person in base.maintainers}
    found = []
    for person in head.maintainers:
        known = before.get(person.handle.lower())
        if known is None:
            what = f"adds maintainer {person.handle!r}" + (" (senior)" if person.senior else "")
        elif person.senior and not known.senior:
            what = f"makes maintainer {person.handle!r} senior"
        else:
            continue
        found.append(Loosening("maintainers", f"{what}: more people can approve", APPROVAL_CLAUSE))
    return found


def envelopes(base: Policy, head: Policy) -> list[Loosening]:
    """A wire envelope no longer checked against its golden bytes."""
    kept = set(head.proto.envelopes)
    return [
        Loosening("proto.envelopes", f"no longer checks envelope {name!r}", "schema.proto-breaking")
        for name in base.proto.envelopes
        if name not in kept
    ]


def directed(found: Iterable[Difference]) -> list[Loosening]:
    """Ceilings raised, floors lowered, exemption lists grown."""
    out = []
    for diff in found:
        if diff.key in DIRECTED_NUMBERS and diff.kind == CHANGED:
            direction, clause = DIRECTED_NUMBERS[diff.key]
            before, after = float(diff.before), float(diff.after)
            if (direction is Direction.MAX and after > before) or (
                direction is Direction.MIN and after < before
            ):
                way = "maximum raised" if direction is Direction.MAX else "minimum lowered"
                out.append(Loosening(diff.key, f"{diff.before} -> {diff.after} ({way})", clause))
        elif diff.key in STRICT_WHEN_ON and diff.after == "False":
            out.append(Loosening(diff.key, "turned off", STRICT_WHEN_ON[diff.key]))
        elif diff.key in ORDERED_CHOICES and _looser_choice(diff):
            out.append(Loosening(diff.key, diff.describe(), ORDERED_CHOICES[diff.key][1]))
        elif diff.key in EXEMPTION_LISTS and diff.kind == ADDED:
            out.append(
                Loosening(diff.key, f"exempts more: adds {diff.after}", EXEMPTION_LISTS[diff.key])
            )
    return out


def _looser_choice(diff: Difference) -> bool:
    """Whether a changed choice moved towards the loose end of its order (unknown values too)."""
    order = ORDERED_CHOICES[diff.key][0]
    before, after = diff.before.strip("'\""), diff.after.strip("'\"")
    if before not in order or after not in order:
        return diff.kind == CHANGED
    return order.index(after) < order.index(before)


def unknown_direction(found: Iterable[Difference]) -> list[Loosening]:
    """Any change of a key with no known stricter direction."""
    return [
        Loosening(
            diff.key,
            f"{diff.describe()}; ACES cannot tell that this is stricter",
            clause_of(diff.key),
        )
        for diff in found
        if not modelled(diff.key)
    ]
