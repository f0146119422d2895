"""What a native rule reports: a rule id, a message and a place in the head schema."""

from __future__ import annotations

from dataclasses import dataclass

from aces.engines.proto.model import Element


@dataclass(frozen=True)
class Violation:
    """One violation of a native protobuf rule."""

    rule_id: str
    message: str
    path: str
    line: int | None = None
    column: int | None = None
    key: str = ""


def at(element: Element, rule_id: str, message: str) -> Violation:
    """A violation placed at ``element`` and identified by its key."""
    return Violation(rule_id, message, element.path, element.line, element.column, element.key)


def removed_at(head_parent: Element | None, base: Element, rule_id: str, message: str) -> Violation:
    """A violation about an element gone from head: placed at its head container when it
    still exists, else at the base file (no line: the element is not in head)."""
    if head_parent is not None:
        return Violation(
            rule_id, message, head_parent.path, head_parent.line, head_parent.column, base.key
        )
    return Violation(rule_id, message, base.path, None, None, base.key)
