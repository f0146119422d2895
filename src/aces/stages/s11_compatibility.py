"""Stage 11: Backward Compatibility & API Stability Tests.

The static half of the stage, on the protobuf contract: deprecated elements are
not removed before their time (``compat.deprecation``) and new fields are
optional (``compat.optional-fields``). Both compare the head schema with the
base version, so a whole-tree run has nothing to compare and they are NOT_APPLICABLE.
"""

from __future__ import annotations

from collections.abc import Iterator

from aces.engines.proto.rules import optional_fields, removal
from aces.engines.proto.version_source import current_version
from aces.model import Finding
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.stages.schema_proto import ProtoCheck


class CompatDeprecation(ProtoCheck):
    """Deprecated protocol elements are not removed before their removal version.

    ACES III.11: an element of the base schema that head removes must have been
    ``[deprecated = true]`` in the base (``.not-deprecated``) with an
    ``@removal <version>`` (``.no-removal-version``) that the repository's current
    version has reached (``.too-early``). The current version comes from
    ``[proto] version_source``: the policy's ``policy_version``, a ``VERSION``
    file, ``Cargo.toml`` or ``pyproject.toml``.
    """

    id = "compat.deprecation"
    stage = 11
    clauses = ("compat.deprecation",)
    title = "Deprecated protocol elements are not removed before their time"
    remedy = (
        "Keep the element until its @removal version; deprecate first ([deprecated = true], "
        "@replaced-by, @removal) and remove it in a later release."
    )
    needs_base = True

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Removals that skipped deprecation or came too early."""
        settings = ctx.policy.proto
        version = current_version(
            settings.version_source, ctx.policy.policy_version, ctx.workspace.read_text
        )
        for versions in self.versions(ctx):
            if versions.base is not None:
                yield from self.report(removal.check(versions.base, versions.head, version))


class CompatOptionalFields(ProtoCheck):
    """New fields are optional: never proto2 ``required``; in proto3, ``optional`` if asked.

    ACES III.11: a field added in head may not be ``required`` (``.required``).
    With ``[proto] require_proto3_optional = true``, a new singular proto3 scalar
    field must be declared ``optional`` for explicit presence (``.proto3-presence``).
    """

    id = "compat.optional-fields"
    stage = 11
    clauses = ("compat.optional-fields",)
    title = "New protocol fields are optional"
    remedy = "Declare the new field 'optional' (never 'required')."
    needs_base = True

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """New required fields and new proto3 scalars without presence."""
        strict = ctx.policy.proto.require_proto3_optional
        for versions in self.versions(ctx):
            if versions.base is not None:
                yield from self.report(optional_fields.check(versions.base, versions.head, strict))


STAGE = StageDef(
    number=11,
    name="compatibility",
    title="Backward Compatibility & API Stability Tests",
    checks=(CompatDeprecation(), CompatOptionalFields()),
)
