"""Stage 1: Specification Validation (the ``spec.*`` clauses).

Every PR that changes a protocol, a state machine, a public API or core
behaviour needs a spec that covers it; the spec lives under a spec directory or
is linked from the PR body, has the five required sections with real content,
references every changed .proto / schema file, and binds each acceptance
criterion to a test that exists. The notations are in ``docs/specs.md``.
Before those, the governance checks (``aces.stages.governance*``) hold the
policy itself to ACES VI-VII.

Which spec covers a changed file: every spec the PR body links, and every spec
in a spec directory whose coverage declaration matches the file's path or, for
a .proto file, its package.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from aces.engines.publicapi import changed_public_api
from aces.engines.specdoc import (
    PrLink,
    SectionState,
    SpecDocument,
    TestIndex,
    parse_spec,
    pr_links,
    proto_package,
    section_statuses,
    spec_kind,
    spec_paths,
    unresolved_markers,
)
from aces.engines.specdoc.coverage import CoverageIndex
from aces.engines.specdoc.discovery import speckit_folder
from aces.errors import InputError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.pipeline.registry import StageDef
from aces.stages.fail_closed import FailClosedCommands
from aces.stages.governance import OnlyStricter, PolicySemver, UnanimousMajor
from aces.stages.governance_ci import PipelineAuthority
from aces.stages.governance_revert import PolicyReversible
from aces.stages.spec_companions import companion_findings, companion_paths, companion_view
from aces.workspace import git
from aces.workspace.globs import compile_spec
from aces.workspace.protocol_packages import infer_core_behaviour
from aces.workspace.roles import is_product, product_files

# Bumped when the checks' logic changes, so cached results of older logic are not served.
LOGIC_VERSION = "4"

CLASS_WORDS = {
    "protocol": "a protocol",
    "state_machine": "a state machine",
    "public_api": "a public API",
    "core_behaviour": "core behaviour",
}
NOTHING_RELEVANT = (
    "no change touches protocol, state machine, public API or core behaviour "
    "([change_classes] in aces.toml)"
)


@dataclass(frozen=True)
class SpecView:
    """What stage 1 knows about a run: the specs, the PR links and what needs covering."""

    specs: dict[str, SpecDocument]
    dir_specs: tuple[str, ...]
    links: tuple[PrLink, ...]
    linked: tuple[str, ...]
    relevant: dict[str, tuple[str, ...]]
    schema_changes: tuple[str, ...]
    packages: dict[str, str | None]
    changed_live: tuple[str, ...]
    index: CoverageIndex

    def covering(self, path: str) -> tuple[str, ...]:
        """Specs covering ``path``: every linked spec, and dir specs declaring it."""
        package = self.packages.get(path)
        candidates = self.index.candidates(path, package)
        declared = [p for p in candidates if self.specs[p].covers(path, package)]
        return tuple(sorted(set(self.linked) | set(declared)))

    def to_check(self) -> tuple[str, ...]:
        """Specs whose content is checked: covering ones, linked ones and changed ones."""
        chosen = set(self.linked)
        chosen.update(p for p in self.dir_specs if p in self.changed_live)
        # a spec-kit spec whose tasks.md / plan.md changed: its bindings changed
        chosen.update(p for p in self.dir_specs if set(companion_paths(p)) & set(self.changed_live))
        for path in (*self.relevant, *self.schema_changes):
            chosen.update(self.covering(path))
        return tuple(sorted(chosen))


def build_view(ctx: RunContext) -> SpecView:
    """The run's ``SpecView``, built once and shared by the stage 1 checks."""
    return ctx.memo.get("stage1.spec-view", lambda: _build_view(ctx))


def test_index(ctx: RunContext) -> TestIndex:
    """The run's test index, shared so each test file is read and parsed at most once."""
    return ctx.memo.get(
        "stage1.test-index", lambda: TestIndex(ctx.workspace.files, ctx.workspace.read_text)
    )


def _build_view(ctx: RunContext) -> SpecView:
    """Read the specs and the Change into a ``SpecView`` (raises ``InputError`` on bad files)."""
    ws, change, policy = ctx.workspace, ctx.change, ctx.policy
    dirs = policy.paths.specs
    unread = ws.unread_links_under(dirs)
    if unread:
        path, why = unread[0]
        raise InputError(f"{why}; ACES does not read it", path=path, hint="replace it with a file")
    dir_specs = spec_paths(ws.files, dirs)
    links = pr_links(change.pr.body)
    linked = tuple(sorted(link.target for link in links if ws.exists(link.target)))
    specs = {path: _read_spec(ctx, path) for path in sorted({*dir_specs, *linked})}
    live = tuple(f.path for f in change.files if f.status != "D" and ws.exists(f.path))
    relevant = _relevant(ctx, set(specs))
    schema = _schema_changes(product_files(change.paths), policy.spec.schema_globs)
    packages = {
        p: proto_package(ws.read_text(p))
        for p in sorted({*relevant, *schema})
        if p.endswith(".proto") and p in live
    }
    index = CoverageIndex.build({p: specs[p].coverage for p in dir_specs})
    return SpecView(specs, dir_specs, links, linked, relevant, schema, packages, live, index)


def _read_spec(ctx: RunContext, path: str) -> SpecDocument:
    """Parse one spec, refusing files beyond the policy's size limit."""
    limit = ctx.policy.spec.max_spec_bytes
    data = ctx.workspace.read_bytes(path)
    if len(data) > limit:
        raise InputError(
            f"spec is {len(data)} bytes, more than spec.max_spec_bytes ({limit})",
            path=path,
            hint="split the spec, or raise spec.max_spec_bytes in aces.toml",
        )
    return parse_spec(path, ctx.workspace.read_text(path))


def _relevant(ctx: RunContext, spec_files: set[str]) -> dict[str, tuple[str, ...]]:
    """Changed path -> the change classes (of ``spec.required_for``) that mark it.

    Without ``public_api`` globs in the policy, the public API is inferred from the code
    (``aces.engines.publicapi``) in a PR: the changed files whose public surface changed.
    """
    out: dict[str, list[str]] = {}
    for name in ctx.policy.spec.required_for:
        paths = ctx.change.in_class(name)
        if name == "public_api" and not ctx.policy.change_classes.public_api:
            paths = _inferred_public_api(ctx)
        elif name == "core_behaviour" and not ctx.policy.change_classes.core_behaviour:
            paths = _inferred_core_behaviour(ctx)
        for path in paths:
            if path not in spec_files:
                out.setdefault(path, []).append(name)
    return {path: tuple(out[path]) for path in sorted(out)}


def _inferred_public_api(ctx: RunContext) -> tuple[str, ...]:
    """Changed product files whose public surface differs from the base (none in a whole tree)."""
    change, ws = ctx.change, ctx.workspace
    if change.whole_tree or change.base is None:
        return ()
    base = change.base
    changed = [p for f in change.files for p in (f.path, f.old_path) if p and is_product(p)]
    return changed_public_api(
        changed,
        ws.files,
        lambda p: ws.read_text(p) if ws.exists(p) else None,
        lambda p: git.show_file(ws.root, base, p),
    )


def _inferred_core_behaviour(ctx: RunContext) -> tuple[str, ...]:
    """Changed files of the packages that hold the protocol modules (``protocol_packages``)."""
    globs = infer_core_behaviour(ctx.workspace.files)
    if not globs:
        return ()
    spec = compile_spec(globs)
    changed = {p for f in ctx.change.files for p in (f.path, f.old_path) if p}
    return tuple(sorted(p for p in changed if spec.match_file(p) and is_product(p)))


def _schema_changes(paths: Iterable[str], globs: tuple[str, ...]) -> tuple[str, ...]:
    """Changed paths matched by ``spec.schema_globs``."""
    if not globs:
        return ()
    spec = compile_spec(globs)
    return tuple(sorted(p for p in set(paths) if spec.match_file(p)))


class SpecCheck(Check):
    """Shared parts of the stage 1 checks."""

    stage = 1

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree state, the Change (PR body included) and the policy."""
        material = "\x1f".join(
            (
                self.id,
                LOGIC_VERSION,
                ctx.tree_digest(),
                ctx.inputs_digest(),
            )
        )
        return hashlib.sha256(material.encode("utf-8")).hexdigest()

    def spec_location(self, doc: SpecDocument) -> Location:
        """Where document-level findings about a spec point."""
        return Location(doc.path, doc.title_line)


# What a finding says when the public API was inferred rather than named by the policy.
INFERRED_API = (
    "The public API was inferred from the code ([change_classes] public_api names none): "
    "exported Python names and signatures, Rust pub items reachable from a library crate's "
    "root, .proto files."
)


# What a finding says when core behaviour was inferred rather than named by the policy.
INFERRED_CORE = (
    "Core behaviour was inferred from the code ([change_classes] core_behaviour names none): "
    "the Python packages holding the protocol's modules ({globs})."
)


class SpecRequired(SpecCheck):
    """Every changed file of a class that needs a spec is covered by one.

    ACES III.1: a PR that modifies protocols, state machines, public APIs or core
    behaviour must come with a spec. The policy's ``[change_classes]`` globs say
    which files are in which class and ``spec.required_for`` which classes need a
    spec (all four, under the doctrine). A changed file is covered by every spec
    the PR body links, and by each spec in a spec directory whose coverage
    declaration (``covers:`` globs, ``proto_packages:``) matches it. Without a
    covering spec there is no contract the change can be held to.

    Also reported here: a coverage declaration that cannot be read
    (``spec.required.declaration``), since it cannot make the spec cover anything.
    """

    id = "spec.required"
    clauses = ("spec.required",)
    title = "A spec covers every protocol, state machine, public API and core change"
    remedy = (
        "Add a spec under specs/ whose front matter lists the file in 'covers:' (or its proto "
        "package in 'proto_packages:'), or link the spec from the PR body; see docs/specs.md."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when nothing relevant changed and no spec is linked or changed
        (a changed spec still has its coverage declaration checked)."""
        view = build_view(ctx)
        changed_specs = [p for p in view.dir_specs if p in view.changed_live]
        if not view.relevant and not view.links and not changed_specs:
            return NotApplicable(NOTHING_RELEVANT, enable=("change_classes",))
        return None

    def _help(self, ctx: RunContext, classes: tuple[str, ...]) -> str | None:
        """The remedy, with what was inferred when the policy named no globs for a class."""
        said = []
        if "public_api" in classes and not ctx.policy.change_classes.public_api:
            said.append(INFERRED_API)
        if "core_behaviour" in classes and not ctx.policy.change_classes.core_behaviour:
            globs = ", ".join(infer_core_behaviour(ctx.workspace.files))
            said.append(INFERRED_CORE.format(globs=globs))
        return " ".join((self.remedy, *said)) if said else None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per changed file without a covering spec."""
        view = build_view(ctx)
        for path, classes in view.relevant.items():
            if not view.covering(path):
                what = " and ".join(CLASS_WORDS.get(c, c) for c in classes)
                line = 1 if path in view.changed_live else None
                yield self.finding(
                    f"{path} changes {what} but no spec covers it",
                    Location(path, line),
                    key=path,
                    help=self._help(ctx, classes),
                )
        for path in view.to_check():
            for problem in view.specs[path].problems:
                yield self.finding(
                    f"coverage declaration of {path}: {problem.message}",
                    Location(path, problem.line),
                    rule_id="spec.required.declaration",
                    help="Fix the front matter / Covers line; see docs/specs.md.",
                    key=problem.message,
                )


class SpecLocation(SpecCheck):
    """Specs live in a spec directory or are linked from the PR body.

    ACES III.1: a spec is ``specs/<feature>.md`` (or a spec-kit folder
    ``specs/NNN-feature/spec.md``) or is linked via the PR template. This check
    flags a link in the PR body to a ``.md`` file that does not exist
    (``spec.location.missing-link``), a document outside the spec directories that
    declares coverage like a spec but is not linked (``spec.location.outside-specs``;
    it covers nothing until it is moved or linked), and a changed file of a
    spec-kit folder that has no ``spec.md`` (``spec.location.layout``).
    """

    id = "spec.location"
    clauses = ("spec.location",)
    title = "Specs are under specs/ or linked from the PR body"
    remedy = (
        "Move the spec to specs/<feature>.md (or specs/NNN-feature/spec.md), or link it from "
        "the PR body with its repository path; fix links that point to missing files."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the PR links nothing and no Markdown file changed."""
        if pr_links(ctx.change.pr.body):
            return None
        if any(p.lower().endswith(".md") for p in ctx.change.paths):
            return None
        return NotApplicable("no spec is linked from the PR body and no Markdown file changed")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Missing link targets, stray specs and spec-kit folders without spec.md."""
        view = build_view(ctx)
        ws = ctx.workspace
        for link in view.links:
            if not ws.exists(link.target):
                yield self.finding(
                    f"PR body line {link.line} links spec {link.target}, which does not exist",
                    None,  # the PR body is no file of the repository, nor is the missing target
                    rule_id="spec.location.missing-link",
                    key=link.target,
                )
        yield from self._stray(ctx, view)
        yield from self._layout(ctx, view)

    def _stray(self, ctx: RunContext, view: SpecView) -> Iterator[Finding]:
        """Changed documents outside the spec dirs that declare coverage, unlinked."""
        dirs = ctx.policy.paths.specs
        for path in view.changed_live:
            if not path.lower().endswith(".md") or path in view.linked:
                continue
            if spec_kind(path, dirs) != "outside":
                continue
            doc = _try_parse(ctx, path)
            if doc is not None and doc.coverage.declared:
                line = doc.coverage.lines[0] if doc.coverage.lines else 1
                yield self.finding(
                    f"{path} declares coverage like a spec but is outside "
                    f"{', '.join(d + '/' for d in dirs)} and not linked from the PR body",
                    Location(path, line),
                    rule_id="spec.location.outside-specs",
                    key=path,
                )

    def _layout(self, ctx: RunContext, view: SpecView) -> Iterator[Finding]:
        """Changed files of a spec-kit folder that has no spec.md."""
        dirs = ctx.policy.paths.specs
        reported: set[str] = set()
        for path in view.changed_live:
            if spec_kind(path, dirs) != "companion" or not path.lower().endswith(".md"):
                continue
            folder = speckit_folder(path, dirs)
            if folder is None or folder in reported or ctx.workspace.exists(f"{folder}/spec.md"):
                continue
            reported.add(folder)
            yield self.finding(
                f"spec-kit folder {folder}/ has no spec.md, so its documents are not a spec",
                Location(path, 1),
                rule_id="spec.location.layout",
                key=folder,
            )


def _try_parse(ctx: RunContext, path: str) -> SpecDocument | None:
    """Parse a Markdown file that may or may not be a spec; None when it cannot be read
    (a file that cannot be read declares nothing)."""
    try:
        data = ctx.workspace.read_bytes(path)
        if len(data) > ctx.policy.spec.max_spec_bytes:
            return None
        return parse_spec(path, ctx.workspace.read_text(path))
    except InputError:
        return None


class SpecSections(SpecCheck):
    """Every spec has the five required sections, each with real content.

    ACES III.1: a spec must include acceptance criteria, failure modes, security
    implications, performance constraints and invariants; a missing or incomplete
    spec fails. A section is recognised by its heading, compared with the
    policy's ``spec.section_synonyms`` (case, numbering, emoji and trailing
    "(mandatory)" ignored). A section whose body holds only placeholders
    (``spec.placeholders``: TBD, TODO, N/A without a reason, ...), template text
    (``[Describe ...]``), comments or "ACTION REQUIRED" markers is a placeholder
    (``spec.sections.placeholder``). An unresolved ``[NEEDS CLARIFICATION ...]``
    anywhere is ``spec.sections.unresolved``. Checked for every spec that covers
    the Change, is linked from the PR body, or changed under a spec directory.
    """

    id = "spec.sections"
    clauses = ("spec.sections",)
    title = "Specs have acceptance criteria, failure modes, security, performance, invariants"
    remedy = (
        "Add the missing section under one of its accepted headings and write its content "
        "(for a section that truly does not apply, say why: 'N/A: <reason>')."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when there is no spec to check."""
        return _no_spec_to_check(build_view(ctx))

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Missing, placeholder and unresolved sections of every spec to check."""
        view = build_view(ctx)
        spec_policy = ctx.policy.spec
        for path in view.to_check():
            doc = view.specs[path]
            statuses = section_statuses(
                doc.doc,
                spec_policy.sections,
                spec_policy.section_synonyms,
                spec_policy.placeholders,
            )
            for status in statuses:
                label = status.name.replace("_", " ")
                accepted = ", ".join(
                    repr(s) for s in spec_policy.section_synonyms.get(status.name, ())
                )
                if status.state is SectionState.MISSING:
                    yield self.finding(
                        f"{path} has no {label} section (accepted headings: {accepted})",
                        self.spec_location(doc),
                        rule_id="spec.sections.missing",
                        key=status.name,
                    )
                elif status.state is SectionState.PLACEHOLDER:
                    yield self.finding(
                        f"{path}: the {label} section has no content, only placeholders or "
                        "template text",
                        Location(path, status.line),
                        rule_id="spec.sections.placeholder",
                        key=status.name,
                    )
            for line in unresolved_markers(doc.doc):
                yield self.finding(
                    f"{path} still holds a [NEEDS CLARIFICATION] marker",
                    Location(path, line),
                    rule_id="spec.sections.unresolved",
                    key=doc.doc.lines[line - 1].strip(),
                )


def _no_spec_to_check(view: SpecView) -> NotApplicable | None:
    """NotApplicable when no spec covers the Change, is linked or changed."""
    if view.to_check():
        return None
    return NotApplicable(
        "no spec (under [paths] specs) covers the change, is linked from the PR body or changed",
        enable=("paths.specs",),
    )


class SpecReferencesSchema(SpecCheck):
    """The covering spec references every changed .proto / schema file.

    ACES III.1 fails a PR whose spec does not reference its .proto / schema
    changes. Each changed file matched by ``spec.schema_globs`` must be named by
    at least one spec that covers it: by path, by file name, or (for .proto) by
    its ``package``. The coverage declaration itself does not count: the spec's
    text has to say what changes in the contract. With no covering spec at all,
    the finding is at the schema file (``spec.references-schema.no-spec``).
    """

    id = "spec.references-schema"
    clauses = ("spec.references-schema",)
    title = "The spec references every changed .proto / schema file"
    remedy = (
        "Name the changed schema file in the covering spec's text (its path, file name or "
        "proto package) and describe the change to that contract."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when no schema file changed."""
        if _schema_changes(ctx.change.paths, ctx.policy.spec.schema_globs):
            return None
        return NotApplicable("no .proto or schema file changed")

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per changed schema file no covering spec names."""
        view = build_view(ctx)
        for path in view.schema_changes:
            package = view.packages.get(path)
            covering = view.covering(path)
            if not covering:
                yield self.finding(
                    f"{path} changed but no spec covers it, so none references it",
                    Location(path, 1 if path in view.changed_live else None),
                    rule_id="spec.references-schema.no-spec",
                    key=path,
                )
                continue
            if any(view.specs[s].references(path, package) for s in covering):
                continue
            names = f"{path}" + (f" (package {package})" if package else "")
            first = view.specs[covering[0]]
            specs = ", ".join(covering)
            yield self.finding(
                f"no covering spec ({specs}) references the changed schema file {path}: "
                f"name {names} in the spec text",
                self.spec_location(first),
                key=path,
            )


class SpecVerifiableCriteria(SpecCheck):
    """Every acceptance criterion has an ID and is bound to tests that exist.

    ACES III.1 fails a PR whose acceptance criteria are not machine-verifiable.
    Here that means: each criterion carries an ID (``AC-1``; spec-kit acceptance
    scenarios are numbered ``US<story>-AS<n>``) that is unique in the spec
    (``.no-id``, ``.duplicate-id``), and a ``Verified by:`` line naming at least
    one test (``.no-binding``) in a notation ACES understands (``.bad-binding``):
    ``tests/test_x.py::test_y``, ``rust: crate::mod::tests::t``, ``exunit: "name"``.
    Every named test must exist (``.missing-test``). An acceptance section without
    any criterion is ``.none``.
    """

    id = "spec.verifiable-criteria"
    clauses = ("spec.verifiable-criteria",)
    title = "Acceptance criteria have IDs and are bound to existing tests"
    remedy = (
        "Give the criterion an ID (AC-1) and a line 'Verified by: tests/test_x.py::test_y' "
        "(or 'rust: crate::mod::tests::t', 'exunit: \"name\"') naming a test that exists."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when there is no spec to check."""
        return _no_spec_to_check(build_view(ctx))

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """Criteria without ID, binding or existing test, for every spec to check."""
        view = build_view(ctx)
        index = test_index(ctx)
        synonyms = ctx.policy.spec.section_synonyms
        for path in view.to_check():
            yield from self._spec_findings(ctx, view.specs[path], synonyms, index)

    def _spec_findings(
        self,
        ctx: RunContext,
        doc: SpecDocument,
        synonyms: dict[str, tuple[str, ...]],
        index: TestIndex,
    ) -> Iterator[Finding]:
        """The findings of one spec (bindings of its spec-kit tasks and plan included)."""
        criteria = doc.criteria(synonyms)
        if criteria is None:
            return  # no acceptance section: spec.sections reports it
        path = doc.path
        companions = companion_view(ctx, path, criteria)
        yield from companion_findings(self, companions, index)
        if not criteria:
            yield self.finding(
                f"{path}: the acceptance criteria section lists no criterion",
                self.spec_location(doc),
                rule_id="spec.verifiable-criteria.none",
            )
            return
        counts = Counter(c.id for c in criteria if c.id)
        for criterion in criteria:
            where = Location(path, criterion.line)
            label = criterion.id or _excerpt(criterion.text)
            if criterion.id is None:
                yield self.finding(
                    f"acceptance criterion {label!r} has no ID (e.g. AC-1)",
                    where,
                    rule_id="spec.verifiable-criteria.no-id",
                    key=criterion.text,
                )
            elif counts[criterion.id] > 1:
                yield self.finding(
                    f"acceptance criterion ID {criterion.id} is used more than once",
                    where,
                    rule_id="spec.verifiable-criteria.duplicate-id",
                    key=criterion.id,
                )
            if not criterion.bound and not companions.bound(criterion):
                yield self.finding(
                    f"acceptance criterion {label} is bound to no test (add 'Verified by: ...')",
                    where,
                    rule_id="spec.verifiable-criteria.no-binding",
                    key=f"{label}",
                )
            for bad in criterion.bad_refs:
                yield self.finding(
                    f"acceptance criterion {label}: cannot read binding {bad.text!r}: {bad.reason}",
                    where,
                    rule_id="spec.verifiable-criteria.bad-binding",
                    key=f"{label}\x1f{bad.text}",
                )
            for ref in criterion.refs:
                result = index.lookup(ref)
                if not result.found:
                    yield self.finding(
                        f"acceptance criterion {label} is bound to {ref.text}, which does not "
                        f"exist: {result.reason}",
                        where,
                        rule_id="spec.verifiable-criteria.missing-test",
                        key=f"{label}\x1f{ref.text}",
                    )


def _excerpt(text: str, limit: int = 60) -> str:
    """The start of a criterion's text, for messages."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


STAGE = StageDef(
    number=1,
    name="spec",
    title="Specification Validation",
    checks=(
        # Governance first: the policy every other check reads must be the one in force.
        OnlyStricter(),
        PolicySemver(),
        UnanimousMajor(),
        PolicyReversible(),
        PipelineAuthority(),
        SpecRequired(),
        SpecLocation(),
        SpecSections(),
        SpecReferencesSchema(),
        SpecVerifiableCriteria(),
        FailClosedCommands(),
    ),
)
