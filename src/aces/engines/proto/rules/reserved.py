"""Reserve before delete: a removed field or enum value has its number and name reserved.

Deleting a field frees its number; a later field reusing it makes old bytes decode
into the wrong field. So the head version of the message (or enum) must reserve
both the number and the name of every field (or value) the base had and the head
dropped. Only containers present in both versions are checked: removing a whole
message is ``buf breaking``'s business.
"""

from __future__ import annotations

from aces.engines.proto.model import Element, SchemaIndex
from aces.engines.proto.violation import Violation, removed_at

RULE_NUMBER = "schema.reserved-tags.number"
RULE_NAME = "schema.reserved-tags.name"


def check(base: SchemaIndex, head: SchemaIndex) -> list[Violation]:
    """Violations for every removed field / enum value whose number or name is not reserved."""
    found: list[Violation] = []
    head_numbers = _numbers_by_container(head)
    for element in base.ordered():
        if element.kind not in ("field", "enum_value") or element.number is None:
            continue
        container = head.elements.get(element.parent)
        if container is None or element.number in head_numbers.get(element.parent, set()):
            continue
        found.extend(_unreserved(element, container, head))
    return found


def _numbers_by_container(index: SchemaIndex) -> dict[str, set[int]]:
    """Container key -> numbers its fields / values use."""
    out: dict[str, set[int]] = {}
    for element in index.elements.values():
        if element.kind in ("field", "enum_value") and element.number is not None:
            out.setdefault(element.parent, set()).add(element.number)
    return out


def _unreserved(removed: Element, container: Element, head: SchemaIndex) -> list[Violation]:
    """The missing reservations of one removed element."""
    reserved = head.reserved.get(container.key)
    what = "field" if removed.kind == "field" else "enum value"
    out: list[Violation] = []
    assert removed.number is not None
    if reserved is None or not reserved.has_number(removed.number):
        out.append(
            removed_at(
                container,
                removed,
                RULE_NUMBER,
                f"{what} {removed.short_name} = {removed.number} was removed from "
                f"{container.full_name} but its number is not reserved "
                f"(add: reserved {removed.number};)",
            )
        )
    if reserved is None or removed.short_name not in reserved.names:
        out.append(
            removed_at(
                container,
                removed,
                RULE_NAME,
                f"{what} {removed.short_name} = {removed.number} was removed from "
                f'{container.full_name} but its name is not reserved (add: reserved "'
                f'{removed.short_name}";)',
            )
        )
    return out
