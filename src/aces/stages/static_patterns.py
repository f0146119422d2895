"""Stage 3 native checks on one tree-sitter parse per file: patterns, complexity and layers.

- ``lint.forbidden-patterns``: the rules shipped in ``aces/engines/patterns/rules``
  (``unwrap()`` outside startup and tests, ``expect()``, long functions, magic
  numbers, ``todo!()``, ``panic!`` in library code, ``unsafe`` without a SAFETY
  comment, TODO without a ticket, fail-open auth results; the Python and Elixir
  equivalents). Finding rule ids are ``lint.forbidden-patterns.<rule>``, e.g.
  ``lint.forbidden-patterns.rust.unwrap``.
- ``lint.complexity``: cyclomatic complexity and nesting depth per function over
  the ``[patterns]`` limits (``lint.complexity.cyclomatic``, ``lint.complexity.nesting``).
- ``arch.layers``: the ``[architecture]`` layers' boundaries
  (``arch.layers.dependency``, ``arch.layers.forbidden-import``).

Test and startup zones are resolved across the whole project (``docs/stage3-patterns.md``).
A file that does not parse cannot be verified: the check is ERROR, naming it.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterator
from typing import ClassVar

from aces.engines.patterns import (
    TEST,
    ParsedProject,
    PatternEngine,
    all_rules,
    check_settings,
    code_files,
    measure,
    parse_project,
    scan_all,
)
from aces.engines.patterns.imports import (
    Import,
    cargo_imports,
    crate_name,
    elixir_modules,
    mix_imports,
    source_imports,
)
from aces.engines.patterns.layers import LayerDef, LayerMap, Resolver, check_layers
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.stages.generated_code import hand_written
from aces.stages.static_debt import HoldsTheLine, changed_only

# Bumped when the checks' logic changes, so cached results of older logic are not served.
LOGIC_VERSION = "4"
NO_CODE = "no Rust, Python or Elixir source file"
NO_LAYERS = "no layers declared in the policy ([[architecture.layers]] in aces.toml)"


def parsed_project(ctx: RunContext) -> ParsedProject:
    """Every source file parsed once per run, shared by the stage 3 native checks."""
    return ctx.memo.get("stage3.patterns.project", lambda: _parse(ctx))


def _parse(ctx: RunContext) -> ParsedProject:
    ws = ctx.workspace
    # Generated code is checked against its source elsewhere, not linted as hand-written.
    files = code_files(hand_written(ctx, ws.files), ws.language_of)
    manifests = {
        path: ws.read_text(path) for path in ws.files if posixpath.basename(path) == "Cargo.toml"
    }
    # Through read_text: a source that is not UTF-8 is bad input naming the file.
    return parse_project(
        files, lambda p: ws.read_text(p).encode("utf-8"), ctx.policy.patterns, manifests
    )


class NativeCheck(Check):
    """Shared parts: applicability (source files present) and the cache key."""

    stage: ClassVar[int] = 3

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without a Rust, Python or Elixir file."""
        ws = ctx.workspace
        return None if code_files(ws.files, ws.language_of) else NotApplicable(NO_CODE)

    def cache_key(self, ctx: RunContext) -> str | None:
        """The tree state and the policy."""
        material = "\x1f".join((self.id, LOGIC_VERSION, ctx.tree_digest(), ctx.inputs_digest()))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


class ForbiddenPatterns(HoldsTheLine, NativeCheck):
    """Forbidden patterns in Rust, Python and Elixir code (rules as data, one parse per file).

    Rust: ``unwrap()`` outside startup and tests; ``expect()`` outside tests;
    functions over ``[patterns] max_function_lines``; magic numbers (outside const /
    static items, enum discriminants, array lengths, tests); ``todo!()`` /
    ``unimplemented!()``; ``panic!`` outside startup and tests; ``unsafe`` without
    ``// SAFETY:`` right above; TODO / FIXME without ``(TICKET)``; fail-open handling
    of auth / policy / permission / token results. Python: bare ``except:``,
    ``except Exception: pass``, ``assert`` in library code, long functions, magic
    numbers, TODO without ticket. Elixir: long functions, magic numbers,
    ``IO.inspect`` / ``dbg`` in library code, TODO without ticket.
    """

    id = "lint.forbidden-patterns"
    clauses = ("lint.forbidden-patterns",)
    title = "No forbidden patterns"
    remedy = "follow the finding's help; no rule can be switched off (no manual exceptions)"

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per hit, with the rule's message and help."""
        project = parsed_project(ctx)
        engine = PatternEngine(all_rules(), check_settings(ctx.policy.patterns))
        # Every file is scanned: macros are resolved project-wide; the debt is filtered after.
        for hit in scan_all(engine, project.sources.values(), project.zones):
            yield self.finding(
                hit.message,
                # the matched code's span: a long function is touched by any change to its body
                Location(
                    hit.path,
                    hit.line,
                    hit.column,
                    end_line=hit.end_line or None,
                    end_column=hit.end_column or None,
                ),
                rule_id=f"{self.id}.{hit.rule_id}",
                help=hit.help,
            )


class Complexity(HoldsTheLine, NativeCheck):
    """Cyclomatic complexity and nesting depth of every function outside test code.

    Limits: ``[patterns] max_complexity`` (default 10) and ``max_nesting`` (default 4).
    The finding is at the function's first line with the measured value.
    """

    id = "lint.complexity"
    clauses = ("lint.complexity",)
    title = "Functions stay simple"
    remedy = "split the function: extract branches and inner loops into named functions"

    def judge(self, ctx: RunContext) -> Iterator[Finding]:
        """A finding per function over a limit."""
        project = parsed_project(ctx)
        limits = ctx.policy.patterns
        scanned = set(changed_only(ctx, project.sources))
        for path, source in sorted(project.sources.items()):
            if path not in scanned:
                continue
            zones = project.zones[path]
            for metrics in measure(source):
                if TEST in zones.at(metrics.start_byte):
                    continue
                # The whole function: a change to its body is a change to what is measured.
                end = metrics.end_line or None
                where = Location(path, metrics.line, metrics.column, end_line=end)
                if metrics.cyclomatic > limits.max_complexity:
                    yield self.finding(
                        f"function `{metrics.name}` has cyclomatic complexity "
                        f"{metrics.cyclomatic}, more than {limits.max_complexity}",
                        where,
                        rule_id=f"{self.id}.cyclomatic",
                    )
                if metrics.nesting > limits.max_nesting:
                    yield self.finding(
                        f"function `{metrics.name}` nests control blocks {metrics.nesting} "
                        f"deep, more than {limits.max_nesting}",
                        where,
                        rule_id=f"{self.id}.nesting",
                    )


class Layers(NativeCheck):
    """Declared architecture layers are respected (``[architecture]`` in the policy).

    A file in a layer may not depend on a layer it names in ``may_not_depend_on``
    (Rust ``use`` / ``mod`` / ``extern crate`` / paths, Cargo path dependencies,
    Python imports, Elixir ``alias`` / ``import`` / ``use`` / ``require``, mix path
    dependencies), nor use a name its ``forbidden_imports`` lists (``reqwest``,
    ``urllib.request``). The finding is at the offending import.
    """

    id = "arch.layers"
    clauses = ("arch.layers",)
    title = "Layer boundaries hold"
    remedy = "move the code to a layer allowed to depend on the target, or invert the dependency"

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without declared layers."""
        if not ctx.policy.architecture.layers:
            return NotApplicable(NO_LAYERS, enable=("architecture.layers",))
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """A finding per boundary crossing."""
        layer_map = LayerMap(
            [
                LayerDef(x.name, x.paths, x.may_not_depend_on, x.forbidden_imports)
                for x in ctx.policy.architecture.layers
            ]
        )
        ws = ctx.workspace
        has_code = bool(code_files(ws.files, ws.language_of))
        project = parsed_project(ctx) if has_code else ParsedProject({}, {})
        imports, crates = _manifest_imports(ctx)
        modules: dict[str, str] = {}
        for source in project.of_language("elixir"):
            modules.update((name, source.path) for name in elixir_modules(source))
            if posixpath.basename(source.path) == "mix.exs":
                imports.extend(mix_imports(source))
        for source in project.sources.values():
            imports.extend(source_imports(source))
        resolver = Resolver(ws.files, modules, crates)
        for violation in check_layers(imports, layer_map, resolver):
            yield self.finding(
                violation.message,
                Location(violation.path, violation.line),
                rule_id=violation.rule_id,
            )


def _manifest_imports(ctx: RunContext) -> tuple[list[Import], dict[str, str]]:
    """The dependencies of every ``Cargo.toml`` and the workspace crates by name."""
    imports: list[Import] = []
    crates: dict[str, str] = {}
    for path in ctx.workspace.files:
        if posixpath.basename(path) != "Cargo.toml":
            continue
        text = ctx.workspace.read_text(path)
        directory = posixpath.dirname(path)
        crates[posixpath.basename(directory).replace("-", "_")] = directory
        name = crate_name(path, text)
        if name is not None:
            crates[name] = directory
        imports.extend(cargo_imports(path, text))
    return imports, crates


PATTERN_CHECKS: tuple[Check, ...] = (ForbiddenPatterns(), Complexity(), Layers())
