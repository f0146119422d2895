"""Compatibility comments: every added or changed element names the version it appeared in.

An element is added when its key is new, changed when its own descriptor (children
left out) differs from the base's. With no base (a whole-tree run) every element
is checked. The marker is the policy's (``@since`` by default) followed by a SemVer.
"""

from __future__ import annotations

from aces.engines.proto.annotations import has_marker, marker_version
from aces.engines.proto.model import Element, SchemaIndex
from aces.engines.proto.violation import Violation, at

RULE_MISSING = "schema.compat-comments.missing"
RULE_VERSION = "schema.compat-comments.version"
CHECKED_KINDS = ("message", "field", "enum", "enum_value", "service", "rpc")
_WORDS = {"enum_value": "enum value", "rpc": "RPC"}


def check(base: SchemaIndex | None, head: SchemaIndex, marker: str) -> list[Violation]:
    """Violations for added / changed elements without ``<marker> <version>``."""
    found: list[Violation] = []
    for element in head.ordered():
        if element.kind not in CHECKED_KINDS or not _is_new_or_changed(element, base):
            continue
        word = _WORDS.get(element.kind, element.kind)
        state = "new" if base is None or element.key not in base.elements else "changed"
        if not has_marker(element.comment, marker):
            found.append(
                at(element, RULE_MISSING,
                   f"{state} {word} {element.full_name} has no '{marker} <version>' in its "
                   "leading comment")
            )  # fmt: skip
        elif marker_version(element.comment, marker) is None:
            found.append(
                at(element, RULE_VERSION,
                   f"{word} {element.full_name}: '{marker}' is not followed by a version "
                   "such as 1.2.0")
            )  # fmt: skip
    return found


def _is_new_or_changed(element: Element, base: SchemaIndex | None) -> bool:
    """True with no base, for a new key, or when the element's own descriptor changed."""
    if base is None:
        return True
    old = base.elements.get(element.key)
    return old is None or old.digest != element.digest
