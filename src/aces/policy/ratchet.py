"""The ratchet: every way a head policy is looser than its base (``gov.only-stricter``).

``compare`` is pure: it takes two ``Policy`` values (typically the base branch's
and the PR's) and lists each loosening with the key it concerns and the clause
the loosened setting serves. An empty list means the change only tightens or
keeps enforcement. New allowlist entries count as loosening: an exception is
governed, so it must go through the same review as any other relaxation.
Removing a maintainer is not a loosening; adding one (or making one senior) is.
Keys past the thresholds and the spec are compared in ``ratchet_rules``.
"""

from __future__ import annotations

from aces.policy.policy_diff import Loosening
from aces.policy.ratchet_rules import more_loosenings
from aces.policy.schema import (
    THRESHOLDS,
    AllowlistEntry,
    Direction,
    Policy,
)
from aces.policy.values import number_text

__all__ = ["Loosening", "compare"]

ALLOWLIST_CLAUSE = "principle.no-manual-exceptions"


def compare(base: Policy, head: Policy) -> list[Loosening]:
    """Every loosening of ``head`` against ``base``, sorted by key then message."""
    found = [
        *thresholds(base, head),
        *spec_lists(base, head),
        *synonyms(base, head),
        *change_classes(base, head),
        *removed(
            "paths.core_libraries",
            base.paths.core_libraries,
            head.paths.core_libraries,
            "no longer holds {!r} to the core coverage threshold",
            "test.coverage-core",
        ),
        *removed(
            "paths.hot_paths",
            base.paths.hot_paths,
            head.paths.hot_paths,
            "no longer holds {!r} to the hot-path coverage threshold",
            "test.coverage-hot-paths",
        ),
        *allowlist(base.allowlist, head.allowlist),
        *more_loosenings(base, head),
    ]
    return sorted(found)


# [spec] lists whose items each add a requirement: (key, message template, clause)
SPEC_LISTS: tuple[tuple[str, str, str], ...] = (
    ("required_for", "no longer requires a spec for change class {!r}", "spec.required"),
    ("sections", "no longer requires section {!r}", "spec.sections"),
    ("placeholders", "no longer rejects placeholder {!r}", "spec.sections"),
    (
        "schema_globs",
        "no longer treats {!r} as a schema the spec must reference",
        "spec.references-schema",
    ),
)


def spec_lists(base: Policy, head: Policy) -> list[Loosening]:
    """Items removed from the ``[spec]`` lists."""
    found: list[Loosening] = []
    for name, template, clause in SPEC_LISTS:
        before, after = getattr(base.spec, name), getattr(head.spec, name)
        found += removed(f"spec.{name}", before, after, template, clause)
    return found


def thresholds(base: Policy, head: Policy) -> list[Loosening]:
    """Thresholds moved against their direction (a floor lowered, a ceiling raised)."""
    found = []
    for name, spec in sorted(THRESHOLDS.items()):
        before = base.thresholds.get(name, spec.default)
        after = head.thresholds.get(name, spec.default)
        lowered_floor = spec.direction is Direction.MIN and after < before
        raised_ceiling = spec.direction is Direction.MAX and after > before
        if lowered_floor or raised_ceiling:
            way = "minimum lowered" if lowered_floor else "maximum raised"
            found.append(
                Loosening(
                    f"thresholds.{name}",
                    f"{number_text(before)} -> {number_text(after)} ({way})",
                    spec.clause,
                )
            )
    return found


def removed(
    key: str, before: tuple[str, ...], after: tuple[str, ...], template: str, clause: str
) -> list[Loosening]:
    """One loosening per item of ``before`` that ``after`` no longer has."""
    kept = set(after)
    return [Loosening(key, template.format(item), clause) for item in before if item not in kept]


def synonyms(base: Policy, head: Policy) -> list[Loosening]:
    """New headings accepted for a section make the section easier to satisfy."""
    found = []
    for name, headings in sorted(head.spec.section_synonyms.items()):
        # a section the base did not require at all is a tightening, not a loosening
        if name not in base.spec.sections:
            continue
        known = set(base.spec.section_synonyms.get(name, ()))
        found += [
            Loosening(
                f"spec.section_synonyms.{name}",
                f"now accepts the heading {heading!r}",
                "spec.sections",
            )
            for heading in headings
            if heading not in known
        ]
    return found


def change_classes(base: Policy, head: Policy) -> list[Loosening]:
    """Globs removed from a change class: fewer changes need a spec."""
    after = head.change_classes.as_dict()
    found = []
    for name, globs in base.change_classes.as_dict().items():
        found += removed(
            f"change_classes.{name}",
            globs,
            after[name],
            "no longer marks {!r} as needing a spec",
            "spec.required",
        )
    return found


def allowlist(
    before: tuple[AllowlistEntry, ...], after: tuple[AllowlistEntry, ...]
) -> list[Loosening]:
    """Added or changed exceptions (a changed expiry or reason is a new grant)."""
    existing = set(before)
    governed = {(entry.path, entry.rule) for entry in before}
    found = []
    for entry in after:
        if entry in existing:
            continue
        verb = "changes" if (entry.path, entry.rule) in governed else "adds"
        found.append(
            Loosening(
                "allowlist",
                f"{verb} an exception for rule {entry.rule!r} on {entry.path!r} "
                f"(owner {entry.owner!r}, expires {entry.expires})",
                ALLOWLIST_CLAUSE,
            )
        )
    return found
