"""Deprecated elements are not removed before their time (``compat.deprecation``).

An element of the base that the head no longer has must have been deprecated in
the base, with an ``@removal`` version no later than the repository's current
version (read from the policy's version source). Only the outermost removed
element is reported: the fields of a removed message go with it.
"""

from __future__ import annotations

from aces.engines.proto.annotations import Version, removal_version
from aces.engines.proto.model import Element, SchemaIndex
from aces.engines.proto.violation import Violation, removed_at

RULE_NOT_DEPRECATED = "compat.deprecation.not-deprecated"
RULE_TOO_EARLY = "compat.deprecation.too-early"
RULE_NO_VERSION = "compat.deprecation.no-removal-version"


def check(base: SchemaIndex, head: SchemaIndex, current: Version) -> list[Violation]:
    """Violations for removals that skipped deprecation or came too early."""
    found: list[Violation] = []
    for old in base.ordered():
        if old.key in head.elements or _parent_removed(old, base, head):
            continue
        if old.kind == "enum_value" and _number_kept(old, head):
            continue  # a renamed value: schema.no-field-rename reports it
        parent = head.elements.get(old.parent) if old.parent else None
        found.extend(_judge(old, parent, current))
    return found


def _parent_removed(old: Element, base: SchemaIndex, head: SchemaIndex) -> bool:
    """Whether a container of ``old`` is itself gone from head."""
    return bool(old.parent) and old.parent in base.elements and old.parent not in head.elements


def _number_kept(old: Element, head: SchemaIndex) -> bool:
    """Whether the head enum still has a value with this number."""
    return any(
        e.kind == "enum_value" and e.parent == old.parent and e.number == old.number
        for e in head.elements.values()
    )


def _judge(old: Element, parent: Element | None, current: Version) -> list[Violation]:
    """The violation of one removal, if any."""
    what = f"{old.kind.replace('_', ' ')} {old.full_name}"
    if not old.deprecated:
        return [
            removed_at(parent, old, RULE_NOT_DEPRECATED,
                       f"{what} was removed without being deprecated first "
                       "(mark it [deprecated = true] with @removal <version> in a release)")
        ]  # fmt: skip
    due = removal_version(old.comment)
    if due is None:
        return [
            removed_at(parent, old, RULE_NO_VERSION,
                       f"deprecated {what} was removed, but its deprecation named no @removal "
                       "version")
        ]  # fmt: skip
    if current < due:
        return [
            removed_at(parent, old, RULE_TOO_EARLY,
                       f"deprecated {what} was removed in version {current}, before its "
                       f"@removal version {due}")
        ]  # fmt: skip
    return []
