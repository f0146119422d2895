"""Clock reads that decide a Python test, and sleeps that wait for asynchronous work.

A clock read is a hazard only when its value decides something: it reaches an
``assert``, an ``if`` / ``while`` / conditional-expression test, a comparison,
or an ``assert*`` call (``self.assertLess``, ``mock.assert_called_with``),
directly or through local variables that carry it (``start = time.monotonic()``
then ``elapsed = time.monotonic() - start`` then ``assert elapsed < 1``). A
value carries the clock through arithmetic, numeric conversions (``int``,
``round``) and methods of the value (``now.isoformat()``); into a local list that
collects such values (``samples.append(elapsed)``) and out of the list's reductions
(``max``, ``sum``, ``sorted``, ``statistics.mean``): a latency percentile asserted
in a test is the clock deciding it. It does not carry through data built from it
(``{"ts": time.time()}``, ``Event(ts=now)``): a timestamp stamped on data and
never compared decides nothing.

A sleep (``time.sleep``, ``asyncio.sleep``, ``anyio.sleep``, ``trio.sleep``)
is a hazard when an assertion follows it in the same test, with no wait on an
event, a task or a condition (``wait_for``, ``.wait()``, ``.join()``, ``gather``)
in between, and it is not part of a polling loop (a ``while`` loop, or a ``for``
loop that can ``break``): a fixed wait for asynchronous work, which a slow
machine outruns. ``sleep(0)`` only yields to the event loop and is not reported.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence

from aces.engines.determinism.model import Hazard, Kind
from aces.engines.determinism.pynames import dotted, local_key

CLOCK = frozenset(
    {
        "time.time",
        "time.time_ns",
        "time.monotonic",
        "time.monotonic_ns",
        "time.perf_counter",
        "time.perf_counter_ns",
        "time.localtime",
        "time.gmtime",
        "time.ctime",
        "datetime.datetime.now",
        "datetime.datetime.utcnow",
        "datetime.datetime.today",
        "datetime.date.today",
    }
)
SLEEP = frozenset({"time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep"})
# conversions whose result is still the clock's value
_CARRYING_BUILTINS = frozenset(
    {"int", "float", "round", "abs", "min", "max", "divmod", "sum", "sorted"}
)
# reductions of a list of clock values that are still the clock's value
_CARRYING_MODULES = ("statistics.",)
# list methods whose argument joins the collection (the element is the last argument)
_COLLECTING = frozenset({"append", "appendleft", "add", "insert"})
# calls that wait on an event, a task or a condition: after one, the assertion does not rely
# on the sleep's duration
_WAITS = frozenset({"wait", "wait_for", "join", "gather", "result", "wait_until", "until"})
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)

Sources = frozenset[ast.Call]


def clock_hazards(tree: ast.Module, names: dict[str, str], path: str) -> list[Hazard]:
    """Deciding clock reads and waiting sleeps, per function and at module level."""
    bodies: list[Sequence[ast.stmt]] = [tree.body]
    bodies += [
        n.body for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    found: list[Hazard] = []
    for body in bodies:
        found.extend(_deciding_clock_reads(body, names, path))
        found.extend(_waiting_sleeps(body, names, path))
    return found


def _own_nodes(body: Sequence[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a scope's body, not descending into nested functions or classes."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, _SCOPES):
            continue
        yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


class _Taint:
    """Which local names carry the value of which clock calls, within one scope."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.carried: dict[str, Sources] = {}

    def carries(self, node: ast.expr) -> Sources:
        """The clock calls whose value ``node``'s value is (arithmetic, conversions, methods)."""
        key = local_key(node)
        if key is not None and key in self.carried:
            return self.carried[key]
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.BinOp):
            return self.carries(node.left) | self.carries(node.right)
        if isinstance(node, ast.UnaryOp | ast.Await):
            return self.carries(node.operand if isinstance(node, ast.UnaryOp) else node.value)
        if isinstance(node, ast.IfExp):
            return self.carries(node.body) | self.carries(node.orelse)
        if isinstance(node, ast.Attribute | ast.NamedExpr):
            return self.carries(node.value)
        return frozenset()

    def _call(self, node: ast.Call) -> Sources:
        if dotted(node.func, self.names) in CLOCK:
            return frozenset({node})
        name = dotted(node.func, self.names) or ""
        carrying = name.startswith(_CARRYING_MODULES)
        if carrying or (isinstance(node.func, ast.Name) and node.func.id in _CARRYING_BUILTINS):
            return frozenset().union(*(self.carries(a) for a in node.args))
        if isinstance(node.func, ast.Attribute):
            return self.carries(node.func.value)
        return frozenset()

    def mentioned(self, node: ast.AST) -> Sources:
        """Clock calls read anywhere inside ``node``, directly or through carrying names."""
        found: set[ast.Call] = set()
        for child in ast.walk(node):
            if isinstance(child, ast.Call) and dotted(child.func, self.names) in CLOCK:
                found.add(child)
            elif isinstance(child, ast.Name | ast.Attribute):
                key = local_key(child)
                if key is not None:
                    found |= self.carried.get(key, frozenset())
        return frozenset(found)

    def learn(self, body: Sequence[ast.stmt]) -> None:
        """Propagate through the scope's assignments until nothing changes."""
        assignments = [n for n in _own_nodes(body) if _assigned(n) is not None]
        for _ in range(len(assignments) + 1):
            changed = False
            for node in assignments:
                targets, value = _assigned(node) or ((), None)
                sources = self.carries(value) if value is not None else frozenset()
                if isinstance(node, ast.AugAssign):
                    sources |= self.carries(node.target)
                for key in targets:
                    before = self.carried.get(key, frozenset())
                    if sources - before:
                        self.carried[key] = before | sources
                        changed = True
            if not changed:
                return


def _assigned(node: ast.AST) -> tuple[tuple[str, ...], ast.expr | None] | None:
    """(target keys, value) of an assignment node, None for anything else; a value
    collected into a list (``xs.append(v)``) is assigned to the list."""
    collected = _collected(node)
    if collected is not None:
        return collected
    if isinstance(node, ast.Assign):
        targets = [t for target in node.targets for t in _flat(target)]
    elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
        targets = _flat(node.target)
    else:
        return None
    keys = tuple(k for t in targets if (k := local_key(t)) is not None)
    return keys, node.value


def _collected(node: ast.AST) -> tuple[tuple[str, ...], ast.expr] | None:
    """(the list's key, the element) of ``xs.append(v)`` (``appendleft``, ``add``,
    ``insert``) as a statement, None for anything else."""
    call = node.value if isinstance(node, ast.Expr) else None
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    if call.func.attr not in _COLLECTING or not call.args or call.keywords:
        return None
    key = local_key(call.func.value)
    return ((key,) if key is not None else (), call.args[-1])


def _flat(target: ast.expr) -> list[ast.expr]:
    if isinstance(target, ast.Tuple | ast.List):
        return [t for element in target.elts for t in _flat(element)]
    return [target]


def _decisions(body: Sequence[ast.stmt]) -> Iterator[ast.AST]:
    """The expressions whose value decides an assertion or a branch."""
    for node in _own_nodes(body):
        if isinstance(node, ast.Assert | ast.If | ast.While | ast.IfExp):
            yield node.test
        elif isinstance(node, ast.comprehension):
            yield from node.ifs
        elif isinstance(node, ast.Compare):
            yield node
        elif isinstance(node, ast.Call) and _is_assert_call(node):
            yield from node.args
            yield from (k.value for k in node.keywords)


def _name(node: ast.Call) -> str:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name if isinstance(name, str) else ""


def _is_assert_call(node: ast.Call) -> bool:
    return _name(node).startswith("assert")


def _deciding_clock_reads(
    body: Sequence[ast.stmt], names: dict[str, str], path: str
) -> Iterator[Hazard]:
    taint = _Taint(names)
    taint.learn(body)
    deciding: set[ast.Call] = set()
    for expr in _decisions(body):
        deciding |= taint.mentioned(expr)
    for call in deciding:
        what = dotted(call.func, names) or "clock"
        yield Hazard(
            path,
            call.lineno,
            call.col_offset + 1,
            Kind.CLOCK,
            "wall-clock",
            what,
            f"{what}() decides an assertion or a branch, so the test depends on the clock "
            "(inject a fixed time instead)",
        )


def _waiting_sleeps(body: Sequence[ast.stmt], names: dict[str, str], path: str) -> Iterator[Hazard]:
    asserts = sorted(
        n.lineno
        for n in _own_nodes(body)
        if isinstance(n, ast.Assert) or (isinstance(n, ast.Call) and _is_assert_call(n))
    )
    waits = sorted(
        n.lineno for n in _own_nodes(body) if isinstance(n, ast.Call) and _name(n) in _WAITS
    )
    for call in _sleeps_outside_loops(body, names):
        after = next((line for line in asserts if line > call.lineno), None)
        if after is None or any(call.lineno < line <= after for line in waits):
            continue  # no assertion follows, or a real wait comes first
        what = dotted(call.func, names) or "sleep"
        yield Hazard(
            path,
            call.lineno,
            call.col_offset + 1,
            Kind.CLOCK,
            "sleep",
            what,
            f"{what}() waits a fixed time for asynchronous work before the assertion at line "
            f"{after} (wait on the event or condition instead, or fake the clock)",
        )


def _sleeps_outside_loops(body: Sequence[ast.stmt], names: dict[str, str]) -> Iterator[ast.Call]:
    in_loops = {id(n) for loop in _own_nodes(body) if _polling(loop) for n in ast.walk(loop)}
    for node in _own_nodes(body):
        if (
            isinstance(node, ast.Call)
            and id(node) not in in_loops
            and dotted(node.func, names) in SLEEP
            and not _zero(node)
        ):
            yield node


def _polling(node: ast.AST) -> bool:
    """A ``while`` loop, or a ``for`` loop that can ``break`` (a bounded retry)."""
    if isinstance(node, ast.While):
        return True
    return isinstance(node, ast.For | ast.AsyncFor) and any(
        isinstance(n, ast.Break) for n in ast.walk(node)
    )


def _zero(call: ast.Call) -> bool:
    """``sleep(0)``: a yield to the event loop, not a wait."""
    return bool(call.args) and isinstance(call.args[0], ast.Constant) and call.args[0].value == 0
