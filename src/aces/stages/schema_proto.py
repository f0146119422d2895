"""Stage 2 checks of the protobuf contract (``schema.*``).

buf is the engine of lint and breaking; the ArqonBus ruleset
(``aces.engines.proto.rules``) runs natively on the descriptor images buf builds
for head and base. Rules that compare base and head are NOT_APPLICABLE in a
whole-tree run (there is no base version); lint, deprecation annotations,
compatibility comments and golden vectors apply to every file (``docs/proto.md``).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import ClassVar

from google.protobuf import descriptor_pb2 as pb

from aces.engines.proto import golden
from aces.engines.proto.analysis import (
    ModuleVersions,
    load_versions,
    module_config,
    open_buf,
    proto_modules,
)
from aces.engines.proto.images import base_proto_names
from aces.engines.proto.model import SchemaIndex
from aces.engines.proto.roots import roots_note
from aces.engines.proto.rules import compat_comments, deprecation, rename, reserved
from aces.engines.proto.sources import ProtoModule, module_of, stray_protos
from aces.engines.proto.violation import Violation
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.pipeline.locations import policy_file
from aces.stages.static_debt import hold_the_line
from aces.stages.tooling import require_tool, tools_fingerprint
from aces.tools.buf import Buf, BufDiagnostic
from aces.workspace.roles import is_product, product_files
from aces.workspace.scratch import scratch_parent

# Bumped when the checks' logic changes, so cached results of older logic are not served.
LOGIC_VERSION = "3"
NO_PROTOS = "no .proto files in the repository"
NO_BASE = "whole-tree run: there is no base version to compare with"


def resolved_buf(ctx: RunContext) -> Buf:
    """buf as the run resolved it: found, version-checked against ``[toolchain]``, once."""
    budget = min(ctx.policy.check_timeout_seconds, ctx.options.check_timeout_seconds)
    return open_buf(ctx.workspace, ctx.processes, require_tool(ctx, "buf").path, budget)


class ProtoCheck(Check):
    """Shared parts of the protobuf checks."""

    stage = 2
    tools: ClassVar[tuple[str, ...]] = ("buf",)
    needs_base: ClassVar[bool] = False

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without .proto files, and (for base-vs-head rules) without a base."""
        if not any(f.endswith(".proto") for f in ctx.workspace.files):
            return NotApplicable(NO_PROTOS)
        if self.needs_base:
            return base_missing(ctx)
        return None

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree state, the Change, the policy and, when the check applies, buf as resolved."""
        buf = "" if self.applies(ctx) is not None else tools_fingerprint(ctx, ("buf",))
        if buf is None:
            return None
        material = "\x1f".join(
            (self.id, LOGIC_VERSION, ctx.tree_digest(), ctx.inputs_digest(), buf)
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def versions(self, ctx: RunContext) -> tuple[ModuleVersions, ...]:
        """Head and base of every module."""
        return ctx.memo.get(
            "stage2.proto-versions",
            lambda: load_versions(
                ctx.workspace, ctx.change, ctx.policy, ctx.processes, buf=resolved_buf(ctx)
            ),
        )

    def report(self, violations: Iterable[Violation]) -> Iterator[Finding]:
        """Findings of native-rule violations."""
        for v in violations:
            yield self.finding(
                v.message,
                Location(v.path, v.line, v.column),
                rule_id=v.rule_id,
                key=f"{v.rule_id}\x1f{v.key}",
            )


def base_missing(ctx: RunContext) -> NotApplicable | None:
    """Why base-vs-head rules cannot run: no base, or no module existing at the base."""
    change, modules = ctx.change, proto_modules(ctx.workspace, ctx.policy)
    inferred = "" if ctx.policy.paths.proto else f" ({roots_note(modules)})"
    if change.whole_tree or change.base is None:
        return NotApplicable(NO_BASE + inferred)
    for module in modules:
        top = f"{ctx.workspace.git_prefix}{module.directory}".rstrip("/")
        names = base_proto_names(ctx.processes, ctx.workspace.root, change.base, top)
        inside = f"{module.directory}/" if module.directory else ""
        # test data and nested modules' files at the base are not this module's protocol
        if module_of(module.directory, [inside + n for n in names], module.excludes):
            return None
    dirs = ", ".join(f"{m.source}/" for m in modules)
    return NotApplicable(
        f"the base {change.base_ref or change.base[:12]} has no .proto files under {dirs}: "
        f"every element is new{inferred}"
    )


def diagnostic_finding(
    check: Check, d: BufDiagnostic, path: str, rule_id: str, help: str | None = None
) -> Finding:
    """A finding of one buf diagnostic at ``path``."""
    return check.finding(
        f"{d.type}: {d.message}" if not d.is_compile_error else f"does not compile: {d.message}",
        Location(path, d.line, d.column),
        rule_id=rule_id,
        key=f"{d.type}\x1f{d.message}",
        help=help,
    )


class ProtoLint(ProtoCheck):
    """``buf lint`` passes, with the policy's categories (default STANDARD).

    ACES III.2: every .proto file passes buf lint. Each directory of ``[paths] proto``
    is one buf module (its own ``buf.yaml`` honoured); without it, every product .proto
    is linted in its inferred module. A file that does not compile is
    ``schema.proto-lint.compile`` at buf's file:line:column; a .proto file outside
    every proto directory is ``schema.proto-lint.outside`` (ACES cannot build it).
    In a PR, a style violation off the changed lines is counted debt (as in stage 3).
    """

    id = "schema.proto-lint"
    clauses = ("schema.proto-lint",)
    title = "buf lint passes"
    remedy = "Fix the lint violation as buf's rule describes (https://buf.build/docs/lint/rules)."

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """buf's lint violations and compile errors, and stray .proto files."""
        ws = ctx.workspace
        modules = proto_modules(ws, ctx.policy)
        for path in stray_protos(product_files(ws.files), modules):  # test data is no protocol
            yield self.finding(
                f"{path} is outside the proto directories ({', '.join(ctx.policy.paths.proto)})"
                " and cannot be checked",
                Location(path, 1),
                rule_id="schema.proto-lint.outside",
                help="Move the file under a proto directory or add its directory to "
                "[paths] proto in aces.toml.",
                key=path,
            )
        if not modules:
            return
        buf = resolved_buf(ctx)
        style: list[Finding] = []  # in a PR, those outside the changed lines are counted debt
        for module in modules:
            config, _ = module_config(ws.root, module, ctx.policy)
            found = buf.lint(ws.root, module.source, config)
            for d in found:
                if is_product(d.path) and d.is_compile_error:  # blocks wherever it shows
                    yield diagnostic_finding(self, d, d.path, "schema.proto-lint.compile")
                elif is_product(d.path):  # test data is judged by the tests that read it
                    style.append(diagnostic_finding(self, d, d.path, self.id))
            yield from self._unbuilt(module, found)
        yield from hold_the_line(self, ctx, style)

    def _unbuilt(self, module: ProtoModule, found: Iterable[BufDiagnostic]) -> Iterator[Finding]:
        """Test data the module's own buf.yaml builds does not compile: nothing was linted."""
        broken = sorted({d.path for d in found if d.is_compile_error and not is_product(d.path)})
        if broken:
            yield self.finding(
                f"buf cannot build the test data {broken[0]} ({len(broken)} file(s)), which "
                f"{module.repo_config or module.source} builds: the module went unlinted",
                Location(module.repo_config or broken[0], 1),
                rule_id="schema.proto-lint.compile",
                help="Add the test-data directory to the excludes of the module's buf.yaml.",
                key=f"unbuilt\x1f{module.directory}",
            )


class ProtoBreaking(ProtoCheck):
    """``buf breaking`` against the base finds no breaking change (category FILE).

    ACES III.2: no backward-incompatible proto change. The head and base images
    are built by buf (the base from a git worktree of the Change's base commit)
    and compared with ``buf breaking`` under the policy's category, FILE (the
    strictest). Not applicable in a whole-tree run or when the base has no .proto
    files.
    """

    id = "schema.proto-breaking"
    clauses = ("schema.proto-breaking",)
    title = "No backward-incompatible proto change (buf breaking)"
    remedy = (
        "Restore compatibility (re-add the element, reserve numbers and names, keep types), "
        "or introduce a new package version (pkg.v2) for the incompatible shape."
    )
    needs_base = True

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """buf breaking on head vs base images, per module with a base."""
        buf = resolved_buf(ctx)
        for versions in self.versions(ctx):
            if versions.base is None:
                continue
            with tempfile.TemporaryDirectory(prefix="aces-breaking-", dir=scratch_parent()) as tmp:
                head, base = Path(tmp) / "head.binpb", Path(tmp) / "base.binpb"
                head.write_bytes(versions.head_data)
                base.write_bytes(versions.base_data)
                found = buf.breaking(Path(tmp), str(head), str(base), versions.breaking_config)
            prefix = f"{versions.module.directory}/" if versions.module.directory else ""
            for d in found:
                yield diagnostic_finding(self, d, prefix + d.path, self.id)


class ReservedTags(ProtoCheck):
    """A removed field or enum value has both its number and its name reserved.

    ACES III.2 "reserve before delete": a deleted field frees its number, and a
    later field reusing it would make old bytes decode into the wrong field. For
    every field / enum value of the base that the head dropped from a message or
    enum that still exists, the head must ``reserved`` its number
    (``schema.reserved-tags.number``) and its name (``schema.reserved-tags.name``).
    The finding points at the message / enum in head.
    """

    id = "schema.reserved-tags"
    clauses = ("schema.reserved-tags",)
    title = "Removed fields and enum values have their numbers and names reserved"
    remedy = 'Add `reserved <number>;` and `reserved "<name>";` to the message or enum.'
    needs_base = True

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Unreserved numbers and names of removed fields / values."""
        for versions in self.versions(ctx):
            if versions.base is not None:
                yield from self.report(reserved.check(versions.base, versions.head))


class NoFieldRename(ProtoCheck):
    """A field number keeps its name and JSON name; an enum number keeps its name.

    ACES III.2: the wire would survive a rename, but JSON, text format and every
    generated client would not. Flags ``schema.no-field-rename.field``,
    ``.json-name`` and ``.enum-value`` at the element in head.
    """

    id = "schema.no-field-rename"
    clauses = ("schema.no-field-rename",)
    title = "A field number keeps its name"
    remedy = (
        "Keep the old name; to change it, add a new field with a new number, deprecate the "
        "old one, and reserve it when it is removed."
    )
    needs_base = True

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Renamed fields, JSON names and enum values."""
        for versions in self.versions(ctx):
            if versions.base is not None:
                yield from self.report(rename.check(versions.base, versions.head))


class DeprecationRules(ProtoCheck):
    """Deprecated elements are marked ``[deprecated = true]`` and name replacement and removal.

    ACES III.2: a deprecated message, field, enum, enum value, service or RPC
    carries ``[deprecated = true]`` and a leading comment with
    ``@replaced-by <name>`` (``.replacement``) and ``@removal <version>``
    (``.removal-version``), the earliest version that may remove it. A comment
    with those tags on an element without the option is ``.option``. Applies to
    every file of the head schema.
    """

    id = "schema.deprecation-rules"
    clauses = ("schema.deprecation-rules",)
    title = "Deprecations are annotated and name replacement and removal version"
    remedy = (
        "Mark the element [deprecated = true] and write '@replaced-by <name>' and "
        "'@removal <version>' in its leading comment; see docs/proto.md."
    )

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Incomplete deprecations of the head schema."""
        for versions in self.versions(ctx):
            yield from self.report(deprecation.check(versions.head))


class CompatComments(ProtoCheck):
    """Every added or changed message, field, enum, enum value, service and RPC names its version.

    ACES III.2: changed protocol elements carry the compatibility comment, here a
    leading comment with the policy's marker and a version (default
    ``@since 1.2.0``). With a base, only elements new in head or whose own
    descriptor changed are checked; in a whole-tree run, every element.
    ``.missing`` when the marker is absent, ``.version`` when no version follows it.
    """

    id = "schema.compat-comments"
    clauses = ("schema.compat-comments",)
    title = "Added and changed protocol elements carry the compatibility comment"
    remedy = "Add a leading comment line '@since <version>' (the policy's marker) to the element."

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Elements without the marker."""
        marker = ctx.policy.proto.compat_marker
        for versions in self.versions(ctx):
            base = versions.base if versions.base_state == "present" else None
            if versions.base_state == "absent":
                base = SchemaIndex()  # the base had no .proto files: every element is new
            yield from self.report(compat_comments.check(base, versions.head, marker))


class GoldenVectors(ProtoCheck):
    """Recorded bytes of every wire envelope still decode with the head schema.

    Enforces ``schema.proto-breaking`` on the wire itself: for each message of
    ``[proto] envelopes`` there are ``*.binpb`` fixtures under
    ``<golden_dir>/<message full name>/`` (``.missing`` when there are none), and
    each parses with the head schema (``.decode``) leaving no unknown field
    (``.unknown-fields``: the head lost or retyped a field the old bytes carry).
    ``.no-message`` when a listed envelope is not in the schema.
    """

    id = "schema.golden-vectors"
    clauses = ("schema.proto-breaking",)
    title = "Wire envelopes' golden vectors still decode"
    remedy = (
        "Restore the field the vector uses, or (for a new envelope) record a vector: "
        "serialize a representative message to <golden_dir>/<full name>/<case>.binpb."
    )
    tools = ("buf", "protoc")

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without .proto files or without envelopes in the policy."""
        skip = super().applies(ctx)
        if skip is None and not ctx.policy.proto.envelopes:
            return NotApplicable(
                "the policy lists no wire envelopes ([proto] envelopes)",
                enable=("proto.envelopes",),
            )
        return skip

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Missing and undecodable vectors."""
        ws, settings = ctx.workspace, ctx.policy.proto
        everything = self.versions(ctx)
        pool = golden.build_pool(_merged(everything))
        problems = golden.check_vectors(
            pool, settings.envelopes, settings.golden_dir, ws.files, ws.read_bytes
        )
        for problem in problems:
            yield self.finding(
                problem.message,
                _vector_location(
                    problem, everything, policy_file(ctx.loaded_policy, ctx.workspace)
                ),
                rule_id=f"schema.golden-vectors.{problem.kind}",
                key=f"{problem.envelope}\x1f{problem.path}\x1f{problem.kind}",
            )


def _merged(everything: tuple[ModuleVersions, ...]) -> pb.FileDescriptorSet:
    """One image of every module (files listed once, in order)."""
    merged = pb.FileDescriptorSet()
    seen: set[str] = set()
    for versions in everything:
        for proto in versions.head_image.file:
            if proto.name not in seen:
                seen.add(proto.name)
                merged.file.append(proto)
    return merged


def _vector_location(
    problem: golden.VectorProblem, everything: tuple[ModuleVersions, ...], policy: str | None
) -> Location | None:
    """The vector file, else the envelope message in head, else the policy file."""
    if problem.path:
        return Location(problem.path)
    for versions in everything:
        element = versions.head.elements.get(problem.envelope)
        if element is not None:
            return Location(element.path, element.line, element.column)
    return Location(policy) if policy else None


PROTO_CHECKS: tuple[Check, ...] = (
    ProtoLint(),
    ProtoBreaking(),
    ReservedTags(),
    NoFieldRename(),
    DeprecationRules(),
    CompatComments(),
    GoldenVectors(),
)
