"""New fields are optional (``compat.optional-fields``).

A field added to the schema may not be proto2 ``required`` (old writers never set
it, so new readers reject their bytes). In proto3, when the policy sets
``require_proto3_optional``, a new singular scalar field (numbers, strings, bytes,
bools and enums; not messages, repeated fields, maps or oneof members) must be
declared ``optional`` so readers can tell "unset" from the zero value.
"""

from __future__ import annotations

from aces.engines.proto.model import SchemaIndex
from aces.engines.proto.violation import Violation, at

RULE_REQUIRED = "compat.optional-fields.required"
RULE_PRESENCE = "compat.optional-fields.proto3-presence"


def check(base: SchemaIndex, head: SchemaIndex, require_proto3_optional: bool) -> list[Violation]:
    """Violations for new required fields and, if asked, new proto3 scalars without presence."""
    found: list[Violation] = []
    for field in head.ordered():
        if field.kind != "field" or field.key in base.elements:
            continue
        if field.required:
            found.append(
                at(field, RULE_REQUIRED,
                   f"new field {field.full_name} is 'required'; new fields must be optional")
            )  # fmt: skip
        elif require_proto3_optional and _needs_presence(field.syntax, field.scalar,
                                                          field.repeated, field.in_oneof,
                                                          field.proto3_optional):  # fmt: skip
            found.append(
                at(field, RULE_PRESENCE,
                   f"new proto3 scalar field {field.full_name} must be declared 'optional' "
                   "(explicit presence)")
            )  # fmt: skip
    return found


def _needs_presence(
    syntax: str, scalar: bool, repeated: bool, in_oneof: bool, proto3_optional: bool
) -> bool:
    """Whether a proto3 field lacks the explicit presence the policy requires."""
    return syntax == "proto3" and scalar and not repeated and not in_oneof and not proto3_optional
