"""Deprecation annotations: a deprecated element is marked so and says what replaces it.

An element with ``[deprecated = true]`` carries a leading comment with
``@replaced-by <name>`` (or ``none``) and ``@removal <version>`` (the earliest
version that may remove it). A comment with those tags on an element without the
option is flagged too: generated code would not warn its users. Applies to every
element of the head schema, with or without a base.
"""

from __future__ import annotations

from aces.engines.proto.annotations import (
    REMOVAL,
    REPLACED_BY,
    mentions_deprecation,
    removal_version,
    replacement,
)
from aces.engines.proto.model import SchemaIndex
from aces.engines.proto.violation import Violation, at

RULE_REPLACEMENT = "schema.deprecation-rules.replacement"
RULE_REMOVAL = "schema.deprecation-rules.removal-version"
RULE_OPTION = "schema.deprecation-rules.option"


def check(head: SchemaIndex) -> list[Violation]:
    """Violations for incomplete or half-made deprecations."""
    found: list[Violation] = []
    for element in head.ordered():
        comment = element.comment
        if element.deprecated:
            if replacement(comment) is None:
                found.append(
                    at(element, RULE_REPLACEMENT,
                       f"deprecated {element.kind} {element.full_name} does not name its "
                       f"replacement ('{REPLACED_BY} <name>' or '{REPLACED_BY} none')")
                )  # fmt: skip
            if removal_version(comment) is None:
                found.append(
                    at(element, RULE_REMOVAL,
                       f"deprecated {element.kind} {element.full_name} does not name the "
                       f"earliest version of its removal ('{REMOVAL} <version>')")
                )  # fmt: skip
        elif mentions_deprecation(comment):
            found.append(
                at(element, RULE_OPTION,
                   f"{element.kind} {element.full_name} is documented as deprecated but lacks "
                   "[deprecated = true]")
            )  # fmt: skip
    return found
