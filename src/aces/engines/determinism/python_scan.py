"""Unseeded randomness and wall-clock use in Python test code, from the ``ast``.

Clock reads and sleeps are judged by ``python_clock`` (only those that decide a
test or wait for asynchronous work).

Calls are resolved through the file's imports (``import random as r``, ``from
time import sleep``), so aliases are found and a local function that happens
to be called ``sleep`` is not. Randomness is seeded when ``random.seed(x)``
(or ``numpy.random.seed(x)`` for numpy's global generator) runs at module level,
earlier in the same test function, or in a fixture the test uses (an autouse
fixture, or one it names as a parameter) of the file or of a ``conftest.py``
passed in. ``random.Random()`` and ``numpy.random.default_rng()`` without a seed
are unseeded generators. Hypothesis tests (``@given``) need ``@seed(...)`` or
``derandomize=True`` (on the test, or in a registered settings profile).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from aces.engines.determinism.model import Hazard, Kind
from aces.engines.determinism.pynames import dotted
from aces.engines.determinism.pynames import imports as _imports
from aces.engines.determinism.python_clock import clock_hazards

_RANDOM_CALLS = frozenset(
    f"random.{name}"
    for name in (
        "random",
        "randint",
        "randrange",
        "choice",
        "choices",
        "shuffle",
        "sample",
        "uniform",
        "gauss",
        "normalvariate",
        "getrandbits",
        "randbytes",
        "triangular",
        "betavariate",
        "expovariate",
    )
)
_NUMPY_SEEDED_BY_GLOBAL = "numpy.random."
_GENERATORS = frozenset({"random.Random", "numpy.random.default_rng", "numpy.random.RandomState"})
_SEEDS = {"random.seed": "random", "numpy.random.seed": "numpy.random"}


@dataclass
class _Seeds:
    """Where randomness is seeded: module level, and by which fixtures."""

    module: set[str] = field(default_factory=set)
    autouse: set[str] = field(default_factory=set)
    fixtures: dict[str, set[str]] = field(default_factory=dict)
    derandomized: bool = False


def scan_python(path: str, text: str, conftests: Sequence[str] = ()) -> list[Hazard]:
    """Hazards in the test file ``path``; ``conftests`` are the texts of its conftest.py files.

    A file that is not valid Python yields nothing here (other stages report syntax).
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    names = _imports(tree)
    seeds = _Seeds()
    for source in conftests:
        try:
            conf = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        _collect_seeds(conf, _imports(conf), seeds, module_level=False)
    _collect_seeds(tree, names, seeds, module_level=True)
    hazards = list(_scan(tree, names, seeds, path))
    hazards.extend(clock_hazards(tree, names, path))
    return sorted(set(hazards))


def _seed_family(call: ast.Call, names: dict[str, str]) -> str | None:
    """``random`` for ``random.seed(x)`` (with an argument), likewise numpy; else None."""
    target = dotted(call.func, names)
    if target in _SEEDS and (call.args or call.keywords):
        return _SEEDS[target]
    return None


def _collect_seeds(
    tree: ast.Module, names: dict[str, str], seeds: _Seeds, *, module_level: bool
) -> None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            fixture = _fixture(node, names)
            if fixture is not None:
                families = {f for c in _calls(node) if (f := _seed_family(c, names))}
                if families:
                    seeds.fixtures[node.name] = families
                    if fixture:
                        seeds.autouse |= families
        elif module_level:
            for call in _calls(node):
                family = _seed_family(call, names)
                if family:
                    seeds.module.add(family)
    for call in _calls(tree):
        if dotted(call.func, names) == "hypothesis.settings.register_profile" and any(
            k.arg == "derandomize" and _is_true(k.value) for k in call.keywords
        ):
            seeds.derandomized = True


def _fixture(node: ast.FunctionDef | ast.AsyncFunctionDef, names: dict[str, str]) -> bool | None:
    """None when not a pytest fixture, else whether it is autouse."""
    for deco in node.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if dotted(target, names) in ("pytest.fixture", "_pytest.fixtures.fixture"):
            if isinstance(deco, ast.Call):
                return any(k.arg == "autouse" and _is_true(k.value) for k in deco.keywords)
            return False
    return None


def _is_true(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is True


def _calls(node: ast.AST) -> Iterator[ast.Call]:
    for child in ast.walk(node):
        if isinstance(child, ast.Call):
            yield child


def _scan(tree: ast.Module, names: dict[str, str], seeds: _Seeds, path: str) -> Iterator[Hazard]:
    """Every hazard: in functions with their seeding scope, and at module level."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _function(node, names, seeds, path)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield from _calls_in(node, names, seeds.module, path)


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, names: dict[str, str], seeds: _Seeds, path: str
) -> Iterator[Hazard]:
    seeded = set(seeds.module) | seeds.autouse
    for arg in node.args.args:
        seeded |= seeds.fixtures.get(arg.arg, set())
    yield from _hypothesis(node, names, seeds, path)
    for stmt in node.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue  # scanned on its own
        yield from _calls_in(stmt, names, seeded, path)
        seeded |= {f for c in _calls(stmt) if (f := _seed_family(c, names))}


def _calls_in(
    stmt: ast.AST, names: dict[str, str], seeded: set[str], path: str
) -> Iterator[Hazard]:
    for call in _calls(stmt):
        target = dotted(call.func, names)
        if target is None:
            continue
        hazard = _classify(call, target, seeded, path)
        if hazard is not None:
            yield hazard


def _classify(call: ast.Call, target: str, seeded: set[str], path: str) -> Hazard | None:
    where = (path, call.lineno, call.col_offset + 1)
    if target in _RANDOM_CALLS and "random" not in seeded:
        return Hazard(
            *where,
            Kind.RANDOMNESS,
            "unseeded",
            target,
            f"{target}() draws from the global generator, which this test never seeds "
            "(call random.seed(<fixed>) first, in the test or a fixture)",
        )
    if (
        target.startswith(_NUMPY_SEEDED_BY_GLOBAL)
        and target not in _GENERATORS
        and target not in _SEEDS
        and "numpy.random" not in seeded
    ):
        return Hazard(
            *where,
            Kind.RANDOMNESS,
            "unseeded",
            target,
            f"{target}() draws from numpy's global generator, which this test never seeds",
        )
    if target in _GENERATORS and not (call.args or call.keywords):
        return Hazard(
            *where,
            Kind.RANDOMNESS,
            "unseeded",
            target,
            f"{target}() without a seed is seeded from the operating system",
        )
    return None


def _hypothesis(
    node: ast.FunctionDef | ast.AsyncFunctionDef, names: dict[str, str], seeds: _Seeds, path: str
) -> Iterator[Hazard]:
    given = None
    fixed = seeds.derandomized
    for deco in node.decorator_list:
        target = dotted(deco.func if isinstance(deco, ast.Call) else deco, names)
        if target == "hypothesis.given":
            given = deco
        elif target == "hypothesis.seed":
            fixed = True
        elif target == "hypothesis.settings" and isinstance(deco, ast.Call):
            fixed = fixed or any(
                k.arg == "derandomize" and _is_true(k.value) for k in deco.keywords
            )
    if given is not None and not fixed:
        yield Hazard(
            path,
            given.lineno,
            given.col_offset + 1,
            Kind.RANDOMNESS,
            "property-seed",
            "hypothesis.given",
            f"property test {node.name!r} runs with a random seed (add @seed(<fixed>) or "
            "@settings(derandomize=True))",
        )
