"""The floors of ``src/aces``: a module imports its own floor and the floors below, never above.

Every module under ``src/aces`` is parsed with ``ast`` (nothing is imported); each ``aces`` import
counts, those inside functions too. The rules are data: ``FLOORS`` (bottom up), ``PURE_ENGINES``
(engines import neither the policy nor a tool), ``STAGE_PREFIXES`` (no stage imports another),
and no loop between packages or circle between modules. What the code breaks today is listed in
``KNOWN_*``: a new violation fails, and so does a listed one that is gone, so the lists only
shrink. ``docs/architecture.md`` groups them by the move that removes each.
"""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src"

# From the bottom up; packages on one floor may import each other.
FLOORS: tuple[frozenset[str], ...] = (
    frozenset({"aces", "errors", "model", "nesting", "trace_emitter"}),
    frozenset({"doctrine"}),
    frozenset({"policy"}),
    frozenset({"tools"}),
    frozenset({"workspace"}),
    frozenset({"engines"}),
    frozenset({"runtime"}),
    frozenset({"pipeline"}),
    frozenset({"stages"}),
    frozenset({"report", "generate"}),
    frozenset({"cli", "__main__"}),
)

# Engines are libraries over plain data: neither the policy nor an external tool.
PURE_ENGINES = frozenset({"policy", "tools"})

# Modules of ``aces.stages`` shared by every stage (``None``) or owned by one stage.
STAGE_SHARED = frozenset({"aces.stages", "aces.stages.tooling"})
STAGE_PREFIXES: tuple[tuple[str, str], ...] = (
    *(("s01", p) for p in ("s01_", "spec_", "governance", "fail_closed", "ci_model")),
    *(("s02", p) for p in ("s02_", "schema_")),
    *(("s03", p) for p in ("s03_", "static_", "generated_code")),
    *(("s04", p) for p in ("s04_", "build_")),
    *(("s05", p) for p in ("s05_", "unit_")),
    *(("s07", p) for p in ("s07_", "security_", "workflow_", "wasm_test_data")),
    *((f"s{n:02d}", f"s{n:02d}_") for n in (6, 8, 9, 10, 11, 12)),
)

UPWARD = "upward"
IMPURE_ENGINE = "impure-engine"
CROSS_STAGE = "cross-stage"

# (kind, importer, imported) as found today; every entry is removed by a move of the refactor.
KNOWN_VIOLATIONS: frozenset[tuple[str, str, str]] = frozenset(
    {
        # policy at the bottom: topology types and the effective policy move into policy/
        (UPWARD, "aces.policy.schema", "aces.runtime.topology"),
        (UPWARD, "aces.policy.topology_section", "aces.runtime.topology"),
        (UPWARD, "aces.policy.topology_checks", "aces.runtime.checks_spec"),
        (UPWARD, "aces.policy.effective", "aces.workspace.change"),
        (UPWARD, "aces.policy.effective", "aces.workspace.cienv"),
        (UPWARD, "aces.policy.effective", "aces.workspace.git"),
        (UPWARD, "aces.policy.effective", "aces.workspace.index"),
        (UPWARD, "aces.policy.effective", "aces.workspace.types"),
        # the traceability matrix reads the check registry
        (UPWARD, "aces.doctrine.matrix", "aces.pipeline.registry"),
        # stage 1 governance reads committed CI through the generator
        (UPWARD, "aces.stages.governance_ci", "aces.generate.ci"),
        (UPWARD, "aces.stages.governance_ci", "aces.generate.ci_common"),
        # pure engines: orchestration that reads the policy or runs tools moves to the stage
        (IMPURE_ENGINE, "aces.engines.patterns.project", "aces.policy.schema"),
        (IMPURE_ENGINE, "aces.engines.permissions.matrix", "aces.policy.locate"),
        (IMPURE_ENGINE, "aces.engines.proto.analysis", "aces.policy.schema"),
        (IMPURE_ENGINE, "aces.engines.proto.analysis", "aces.tools.buf"),
        (IMPURE_ENGINE, "aces.engines.proto.analysis", "aces.tools.process"),
        (IMPURE_ENGINE, "aces.engines.proto.images", "aces.tools.buf"),
        (IMPURE_ENGINE, "aces.engines.proto.images", "aces.tools.process"),
        (IMPURE_ENGINE, "aces.engines.proto.regen", "aces.tools.process"),
        (IMPURE_ENGINE, "aces.engines.proto.sources", "aces.policy.schema"),
        (IMPURE_ENGINE, "aces.engines.repro.build", "aces.tools.process"),
        (IMPURE_ENGINE, "aces.engines.repro.build", "aces.tools.rustup"),
        (IMPURE_ENGINE, "aces.engines.statemachine.cbackend", "aces.tools.process"),
        (IMPURE_ENGINE, "aces.engines.statemachine.checker", "aces.tools.process"),
        (IMPURE_ENGINE, "aces.engines.supply.source", "aces.tools.process"),
        (IMPURE_ENGINE, "aces.engines.suppressions.allowlist", "aces.policy.schema"),
        (IMPURE_ENGINE, "aces.engines.suppressions.allowlist", "aces.tools.process"),
        (IMPURE_ENGINE, "aces.engines.wasmpolicy.verify", "aces.policy.security_section"),
        # one package per stage: shared helpers move to workspace/ or engines
        (CROSS_STAGE, "aces.stages.s05_unit", "aces.stages.schema_sm"),
        (CROSS_STAGE, "aces.stages.s11_compatibility", "aces.stages.schema_proto"),
        (CROSS_STAGE, "aces.stages.schema_proto", "aces.stages.static_debt"),
        (CROSS_STAGE, "aces.stages.unit_suite", "aces.stages.static_tools"),
    }
)

# Loops between packages today, each as the set of packages in one strongly connected component.
KNOWN_PACKAGE_CYCLES: frozenset[frozenset[str]] = frozenset(
    {
        # closed by policy -> runtime, policy -> workspace, doctrine -> pipeline,
        # engines -> policy and runtime -> engines
        frozenset({"doctrine", "engines", "pipeline", "policy", "runtime", "workspace"}),
    }
)

# Circles between modules today (imports inside functions count: they only defer the circle).
KNOWN_MODULE_CYCLES: frozenset[frozenset[str]] = frozenset(
    {
        frozenset({"aces.engines.statemachine.cbackend", "aces.engines.statemachine.checker"}),
        frozenset(
            {
                "aces.engines.statemachine.compiler",
                "aces.engines.statemachine.expr",
                "aces.engines.statemachine.model",
            }
        ),
        # workspace.change and workspace.base read the policy schema, which the effective
        # policy completes from the workspace
        frozenset(
            {
                "aces.policy.build_section",
                "aces.policy.effective",
                "aces.policy.loader",
                "aces.policy.mapping",
                "aces.policy.patterns_section",
                "aces.policy.proto_section",
                "aces.policy.ratchet",
                "aces.policy.ratchet_rules",
                "aces.policy.schema",
                "aces.policy.tests_section",
                "aces.workspace.base",
                "aces.workspace.change",
            }
        ),
        frozenset(
            {
                "aces.runtime.guard",
                "aces.runtime.provider_local",
                "aces.runtime.state",
                "aces.runtime.supervisor",
            }
        ),
    }
)


@dataclass(frozen=True)
class Import:
    """One import of an ``aces`` module: who imports what, and whether inside a function."""

    importer: str
    imported: str
    in_function: bool


Imports = frozenset[Import]


def module_name(path: Path, src: Path) -> str:
    """``src/aces/x/y.py`` -> ``aces.x.y``; a package's ``__init__.py`` is the package."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(node: ast.ImportFrom, importer: str, is_package: bool, known: Set[str]) -> list[str]:
    """``from aces.x import y`` imports module ``aces.x.y`` if there is one, else ``aces.x``."""
    base = _resolve(node, importer, is_package)
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]


def _imports_in(
    tree: ast.AST, importer: str, is_package: bool, known: Set[str]
) -> Iterable[Import]:
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside.update(id(child) for child in ast.walk(node) if child is not node)
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = _targets(node, importer, is_package, known)
        for name in names:
            if name == "aces" or name.startswith("aces."):
                yield Import(importer, name, id(node) in inside)


def collect_imports(src: Path) -> frozenset[Import]:
    """Every ``aces`` import of every module under ``src/aces``, read with ``ast``."""
    paths = sorted((src / "aces").rglob("*.py"))
    known = {module_name(path, src) for path in paths}
    found: set[Import] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        found.update(_imports_in(tree, module_name(path, src), is_package, known))
    return frozenset(found)


def package_of(module: str) -> str:
    """``aces.engines.proto.x`` -> ``engines``; ``aces`` itself -> ``aces``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "aces"


def floor_of(package: str, floors: tuple[frozenset[str], ...] = FLOORS) -> int:
    """The floor index of a package; an unplaced package is an error of the floor table."""
    for index, floor in enumerate(floors):
        if package in floor:
            return index
    raise AssertionError(f"package aces.{package} has no floor: add it to FLOORS")


def stage_of(module: str) -> str | None:
    """The stage owning a module of ``aces.stages`` (``None``: shared by every stage)."""
    if module in STAGE_SHARED:
        return None
    leaf = module.split(".")[2]
    for stage, prefix in STAGE_PREFIXES:
        if leaf.startswith(prefix):
            return stage
    raise AssertionError(f"{module} belongs to no stage: add it to STAGE_PREFIXES")


def violations(imports: Iterable[Import]) -> frozenset[tuple[str, str, str]]:
    """Each import that breaks a rule, as (kind, importer, imported)."""
    found: set[tuple[str, str, str]] = set()
    for imp in imports:
        source, target = package_of(imp.importer), package_of(imp.imported)
        if floor_of(target) > floor_of(source):
            found.add((UPWARD, imp.importer, imp.imported))
        if source == "engines" and target in PURE_ENGINES:
            found.add((IMPURE_ENGINE, imp.importer, imp.imported))
        if source == target == "stages":
            owner, owned = stage_of(imp.importer), stage_of(imp.imported)
            if owned is not None and owner != owned:
                found.add((CROSS_STAGE, imp.importer, imp.imported))
    return frozenset(found)


def package_graph(imports: Iterable[Import]) -> dict[str, set[str]]:
    """Which packages each package imports (itself excluded)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        source, target = package_of(imp.importer), package_of(imp.imported)
        graph.setdefault(source, set())
        graph.setdefault(target, set())
        if source != target:
            graph[source].add(target)
    return graph


def _reachable(graph: Mapping[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def module_graph(imports: Iterable[Import]) -> dict[str, set[str]]:
    """Which modules each module imports (itself excluded)."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        graph.setdefault(imp.importer, set())
        graph.setdefault(imp.imported, set())
        if imp.importer != imp.imported:
            graph[imp.importer].add(imp.imported)
    return graph


def package_cycles(graph: Mapping[str, set[str]]) -> frozenset[frozenset[str]]:
    """The strongly connected components with more than one node (package or module): loops."""
    reach = {package: _reachable(graph, package) for package in graph}
    components: set[frozenset[str]] = set()
    for package in graph:
        members = frozenset(p for p in reach[package] if package in reach[p]) | {package}
        if len(members) > 1:
            components.add(members)
    return frozenset(components)


def _listing(entries: Iterable[object]) -> str:
    return "\n".join(f"  {entry!r}," for entry in sorted(entries, key=repr))


@pytest.fixture(scope="module")
def real_imports() -> frozenset[Import]:
    """The imports of the real tree, parsed once for the tests of this module."""
    return collect_imports(SRC)


def test_every_package_has_a_floor_and_every_stage_module_a_stage(real_imports: Imports) -> None:
    modules = {i.importer for i in real_imports} | {i.imported for i in real_imports}
    for module in modules:
        floor_of(package_of(module))
        if package_of(module) == "stages":
            stage_of(module)


def test_no_import_breaks_the_floors_outside_the_known_list(real_imports: Imports) -> None:
    found = violations(real_imports)
    new = found - KNOWN_VIOLATIONS
    assert not new, f"imports that break the floors (see docs/architecture.md):\n{_listing(new)}"


def test_every_known_violation_still_exists(real_imports: Imports) -> None:
    found = violations(real_imports)
    gone = KNOWN_VIOLATIONS - found
    assert not gone, f"fixed: remove these from KNOWN_VIOLATIONS:\n{_listing(gone)}"


def test_no_package_loop_outside_the_known_list(real_imports: Imports) -> None:
    cycles = package_cycles(package_graph(real_imports))
    assert cycles == KNOWN_PACKAGE_CYCLES, (
        f"package loops today:\n{_listing(sorted(c) for c in cycles)}\n"
        "a new loop is a defect; a loop gone or shrunk: update KNOWN_PACKAGE_CYCLES"
    )


def test_no_module_circle_outside_the_known_list(real_imports: Imports) -> None:
    cycles = package_cycles(module_graph(real_imports))
    assert cycles == KNOWN_MODULE_CYCLES, (
        f"module circles today:\n{_listing(sorted(c) for c in cycles)}\n"
        "a new circle is a defect; a circle gone or shrunk: update KNOWN_MODULE_CYCLES"
    )


def test_imports_inside_functions_are_collected(tmp_path: Path) -> None:
    module = tmp_path / "aces" / "tools" / "late.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f() -> None:\n    from aces.stages import s05_unit\n")
    (tmp_path / "aces" / "tools" / "__init__.py").write_text("from . import late\n")
    assert collect_imports(tmp_path) == {
        Import("aces.tools.late", "aces.stages", in_function=True),
        Import("aces.tools", "aces.tools.late", in_function=False),
    }


def test_the_real_tree_with_a_planted_import_and_a_fixed_one_fails_both_ways(
    tmp_path: Path,
) -> None:
    shutil.copytree(SRC / "aces", tmp_path / "aces")
    values = tmp_path / "aces" / "policy" / "values.py"
    values.write_text(values.read_text() + "\n\ndef late() -> None:\n    import aces.stages\n")
    matrix = tmp_path / "aces" / "doctrine" / "matrix.py"
    matrix.write_text(matrix.read_text().replace("from aces.pipeline.registry import", "# "))
    found = violations(collect_imports(tmp_path))
    assert found - KNOWN_VIOLATIONS == {(UPWARD, "aces.policy.values", "aces.stages")}
    assert KNOWN_VIOLATIONS - found == {(UPWARD, "aces.doctrine.matrix", "aces.pipeline.registry")}


def test_a_planted_upward_import_is_reported(tmp_path: Path) -> None:
    module = tmp_path / "aces" / "engines" / "planted.py"
    module.parent.mkdir(parents=True)
    module.write_text("from aces.pipeline.runner import run\nfrom aces.errors import AcesError\n")
    assert violations(collect_imports(tmp_path)) == {
        (UPWARD, "aces.engines.planted", "aces.pipeline.runner")
    }


def test_impure_engines_and_cross_stage_imports_are_reported() -> None:
    planted = [
        Import("aces.engines.coverage.gate", "aces.tools.process", in_function=False),
        Import("aces.stages.s03_static", "aces.stages.unit_suite", in_function=True),
        Import("aces.stages.s03_static", "aces.stages.static_debt", in_function=False),
        Import("aces.stages.s03_static", "aces.stages.tooling", in_function=False),
    ]
    assert violations(planted) == {
        (IMPURE_ENGINE, "aces.engines.coverage.gate", "aces.tools.process"),
        (CROSS_STAGE, "aces.stages.s03_static", "aces.stages.unit_suite"),
    }


def test_a_planted_loop_is_reported() -> None:
    planted = [
        Import("aces.workspace.x", "aces.tools.process", in_function=False),
        Import("aces.tools.y", "aces.workspace.index", in_function=True),
        Import("aces.cli.main", "aces.tools.y", in_function=False),
    ]
    assert package_cycles(package_graph(planted)) == {frozenset({"tools", "workspace"})}
