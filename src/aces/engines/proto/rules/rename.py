"""No rename: a field number keeps its name and JSON name, an enum number its name.

The binary wire format would survive a rename, but JSON, text format, generated
code and every reader of the schema would not; a number is an identity.
"""

from __future__ import annotations

from aces.engines.proto.model import SchemaIndex
from aces.engines.proto.violation import Violation, at

RULE_FIELD = "schema.no-field-rename.field"
RULE_JSON = "schema.no-field-rename.json-name"
RULE_ENUM_VALUE = "schema.no-field-rename.enum-value"


def check(base: SchemaIndex, head: SchemaIndex) -> list[Violation]:
    """Violations for renamed fields, changed JSON names and renamed enum values."""
    found: list[Violation] = []
    for old in base.ordered():
        if old.kind != "field":
            continue
        new = head.elements.get(old.key)
        if new is None:
            continue
        if new.short_name != old.short_name:
            found.append(
                at(new, RULE_FIELD,
                   f"field {old.number} of {old.parent} was renamed from {old.short_name} to "
                   f"{new.short_name}; a field number keeps its name")
            )  # fmt: skip
        elif new.json_name != old.json_name:
            found.append(
                at(new, RULE_JSON,
                   f"field {old.number} ({new.short_name}) of {old.parent} changed its JSON "
                   f"name from {old.json_name!r} to {new.json_name!r}")
            )  # fmt: skip
    found.extend(_enum_values(base, head))
    return found


def _enum_values(base: SchemaIndex, head: SchemaIndex) -> list[Violation]:
    """Enum numbers whose base names are no longer all present in head."""
    head_names: dict[tuple[str, int], set[str]] = {}
    for element in head.elements.values():
        if element.kind == "enum_value" and element.number is not None:
            head_names.setdefault((element.parent, element.number), set()).add(element.short_name)
    found: list[Violation] = []
    for old in base.ordered():
        if old.kind != "enum_value" or old.number is None:
            continue
        names = head_names.get((old.parent, old.number))
        if not names or old.short_name in names:
            continue  # removed (reserved-tags' business) or kept
        new = next(
            e for e in head.ordered()
            if e.kind == "enum_value" and e.parent == old.parent and e.number == old.number
        )  # fmt: skip
        found.append(
            at(new, RULE_ENUM_VALUE,
               f"enum value {old.number} of {old.parent} was renamed from {old.short_name} "
               f"to {new.short_name}")
        )  # fmt: skip
    return found
