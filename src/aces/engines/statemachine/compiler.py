"""Compiling a machine once: bit layout of the packed state and specialised successor code.

A state (control state + every variable element) is packed into one integer, each element in
its own bit field. Every transition is unrolled over its parameter's elements ("instances"),
and quantifiers over their sets, so each field access is a constant shift and mask. The same
instance blocks are rendered as Python source (the reference backend) and as C source (the
compiled backend, see ``cbackend``); user text never reaches either, only indices and numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from aces.engines.statemachine.expr import (
    STATE_NAME,
    Arith,
    Assign,
    BoolOp,
    Cmp,
    Expr,
    Field,
    Lit,
    Param,
    Quant,
    Unary,
)

if TYPE_CHECKING:
    from aces.engines.statemachine.model import Machine, Value, Variable

Dialect = Literal["py", "c"]
ExpandFn = Callable[[int, list[tuple[int, int, int]]], list[tuple[int, int]]]


@dataclass(frozen=True)
class Slot:
    """The bit field of one variable element (``element`` is -1 for a scalar)."""

    var: str
    element: int
    offset: int
    width: int
    minimum: int

    @property
    def mask(self) -> int:
        """The field's mask, before shifting."""
        return (1 << self.width) - 1


@dataclass(frozen=True)
class Instance:
    """One transition for one parameter value (``element`` -1 when not parameterised)."""

    transition: int
    element: int
    group: int
    source: int
    target: int


@dataclass(frozen=True)
class Block:
    """The dialect-neutral parts of one instance's code."""

    instance: int
    guard: str
    temps: tuple[tuple[str, str], ...]
    checks: tuple[tuple[str, int, int, int], ...]
    successor: str


class Layout:
    """Where each variable element lives in the packed state; the control state is at bit 0."""

    def __init__(self, machine: Machine) -> None:
        sets = {decl.name: decl.elements for decl in machine.sets}
        self.state_width = _width(len(machine.states))
        self.slots: dict[tuple[str, int], Slot] = {}
        self.ordered: list[Slot] = []
        offset = self.state_width
        for var in machine.variables:
            width = _width(var.cardinality)
            elements = range(len(sets[var.index])) if var.index else [-1]
            for element in elements:
                slot = Slot(var.name, element, offset, width, var.minimum)
                self.slots[(var.name, element)] = slot
                self.ordered.append(slot)
                offset += width
        self.bits = offset
        self.all_mask = (1 << offset) - 1
        self.state_mask = (1 << self.state_width) - 1

    def slot(self, var: str, element: int) -> Slot:
        """The slot of ``var`` (element -1 for a scalar)."""
        return self.slots[(var, element)]


def _width(cardinality: int) -> int:
    return max(cardinality - 1, 0).bit_length()


@dataclass(frozen=True)
class Program:
    """A compiled machine: layout, unrolled instances and generated code."""

    layout: Layout
    instances: tuple[Instance, ...]
    groups: tuple[tuple[str, int], ...]
    initial: int
    final_codes: frozenset[int]
    nondet_states: frozenset[int]
    invariant_count: int
    blocks_by_state: tuple[tuple[Block, ...], ...]
    invariant_exprs: tuple[str, ...]
    invariant_exprs_c: tuple[str, ...]
    blocks_by_state_c: tuple[tuple[Block, ...], ...]
    python_source: str
    expand: tuple[ExpandFn, ...]
    invariants: Callable[[int], int]

    def decode(
        self, machine: Machine, packed: int
    ) -> tuple[str, dict[str, Value | dict[str, Value]]]:
        """The control state and variable values of a packed state."""
        sets = {decl.name: decl.elements for decl in machine.sets}
        values: dict[str, Value | dict[str, Value]] = {}
        for var in machine.variables:
            if var.index is None:
                values[var.name] = _value_of(var, self.layout.slot(var.name, -1), packed)
            else:
                values[var.name] = {
                    element: _value_of(var, self.layout.slot(var.name, i), packed)
                    for i, element in enumerate(sets[var.index])
                }
        return machine.states[packed & self.layout.state_mask], values


def _value_of(var: Variable, slot: Slot, packed: int) -> Value:
    code = (packed >> slot.offset) & slot.mask
    if var.kind == "bool":
        return bool(code)
    if var.kind == "enum":
        return var.values[code]
    return code + var.minimum


class Emitter:
    """Renders typed expressions as Python or C over the packed state ``s``."""

    def __init__(self, layout: Layout, dialect: Dialect, sets: dict[str, tuple[str, ...]]) -> None:
        self.layout = layout
        self.dialect = dialect
        self.sets = sets

    def expr(self, node: Expr, env: dict[str, int]) -> str:
        """Source text of ``node`` with parameters fixed by ``env``."""
        if isinstance(node, Lit):
            return str(node.value) if node.value >= 0 else f"({node.value})"
        if isinstance(node, Param):
            return str(env[node.name])
        if isinstance(node, Field):
            return self.read(node, env)
        if isinstance(node, Unary):
            inner = self.expr(node.operand, env)
            if node.op == "neg":
                return f"(-{inner})"
            return f"(not {inner})" if self.dialect == "py" else f"(!{inner})"
        if isinstance(node, BoolOp):
            return self._join(node.op, [self.expr(item, env) for item in node.items])
        if isinstance(node, Arith | Cmp):
            return f"({self.expr(node.left, env)} {node.op} {self.expr(node.right, env)})"
        return self._quant(node, env)

    def _join(self, op: str, parts: list[str]) -> str:
        word = (
            {"and": " and ", "or": " or "}
            if self.dialect == "py"
            else {"and": " && ", "or": " || "}
        )
        return "(" + word[op].join(parts) + ")"

    def _quant(self, node: Quant, env: dict[str, int]) -> str:
        parts = [
            self.expr(node.body, {**env, node.binder: i}) for i in range(len(self.sets[node.set]))
        ]
        if node.kind == "count":
            return "(" + " + ".join(parts) + ")"
        return self._join("and" if node.kind == "all" else "or", parts)

    def element(self, field: Field, env: dict[str, int]) -> int:
        """Which element of an array ``field`` reads (-1 for a scalar)."""
        if field.index is None:
            return -1
        return env[field.index.param] if field.index.param is not None else field.index.const

    def read(self, field: Field, env: dict[str, int]) -> str:
        """A field read: shift, mask, and the minimum added back for ints."""
        if field.var == STATE_NAME:
            raw = f"(s & {self.layout.state_mask})"
            return f"((int64_t){raw})" if self.dialect == "c" else raw
        slot = self.layout.slot(field.var, self.element(field, env))
        if slot.width == 0:
            return str(slot.minimum) if slot.minimum >= 0 else f"({slot.minimum})"
        raw = f"((s >> {slot.offset}) & {slot.mask})"
        if self.dialect == "c":
            raw = f"((int64_t){raw})"
        return raw if slot.minimum == 0 else f"({raw} + {slot.minimum})"


def compile_machine(
    machine: Machine,
    guards: list[Expr | None],
    actions: list[tuple[Assign, ...]],
    invariants: list[Expr],
) -> Program:
    """Compile ``machine`` (with its typed guards, actions and invariants) once."""
    layout = Layout(machine)
    sets = {decl.name: decl.elements for decl in machine.sets}
    instances, groups = _instances(machine, sets)
    by_dialect: dict[Dialect, tuple[tuple[Block, ...], ...]] = {}
    for dialect in ("py", "c"):
        emitter = Emitter(layout, dialect, sets)
        blocks = [
            _block(emitter, index, inst, machine, guards, actions)
            for index, inst in enumerate(instances)
        ]
        by_dialect[dialect] = tuple(
            tuple(b for b in blocks if instances[b.instance].source == code)
            for code in range(len(machine.states))
        )
    py = Emitter(layout, "py", sets)
    c = Emitter(layout, "c", sets)
    inv_py = tuple(py.expr(expr, {}) for expr in invariants)
    inv_c = tuple(c.expr(expr, {}) for expr in invariants)
    source = python_source(by_dialect["py"], inv_py)
    namespace: dict[str, object] = {}
    exec(compile(source, f"<machine {machine.path}>", "exec"), namespace)  # generated code only
    expand = tuple(namespace[f"_expand_{k}"] for k in range(len(machine.states)))
    return Program(
        layout=layout,
        instances=tuple(instances),
        groups=tuple(groups),
        initial=_initial(machine, layout),
        final_codes=frozenset(
            machine.states.index(f) for f in machine.finals if f in machine.states
        ),
        nondet_states=_nondet_states(instances),
        invariant_count=len(invariants),
        blocks_by_state=by_dialect["py"],
        invariant_exprs=inv_py,
        invariant_exprs_c=inv_c,
        blocks_by_state_c=by_dialect["c"],
        python_source=source,
        expand=expand,  # type: ignore[arg-type]
        invariants=namespace["_invariants"],  # type: ignore[arg-type]
    )


def _instances(
    machine: Machine, sets: dict[str, tuple[str, ...]]
) -> tuple[list[Instance], list[tuple[str, int]]]:
    """Unroll parameterised transitions; transitions naming undeclared states are left out."""
    instances: list[Instance] = []
    groups: dict[tuple[str, int], int] = {}
    for index, transition in enumerate(machine.transitions):
        if transition.source not in machine.states or transition.target not in machine.states:
            continue
        elements = range(len(sets[transition.param])) if transition.param else [-1]
        for element in elements:
            group = groups.setdefault((transition.event, element), len(groups))
            instances.append(
                Instance(
                    index,
                    element,
                    group,
                    machine.states.index(transition.source),
                    machine.states.index(transition.target),
                )
            )
    return instances, list(groups)


def _nondet_states(instances: list[Instance]) -> frozenset[int]:
    """Control states where two instances share an event instance (so may both be enabled)."""
    seen: set[tuple[int, int]] = set()
    flagged: set[int] = set()
    for inst in instances:
        key = (inst.source, inst.group)
        if key in seen:
            flagged.add(inst.source)
        seen.add(key)
    return frozenset(flagged)


def _block(
    emitter: Emitter,
    index: int,
    inst: Instance,
    machine: Machine,
    guards: list[Expr | None],
    actions: list[tuple[Assign, ...]],
) -> Block:
    transition = machine.transitions[inst.transition]
    env = {transition.binder: inst.element} if transition.binder else {}
    guard_expr = guards[inst.transition]
    guard = emitter.expr(guard_expr, env) if guard_expr is not None else "1"
    layout = emitter.layout
    cleared = layout.state_mask
    parts = [str(inst.target)] if inst.target else []
    temps: list[tuple[str, str]] = []
    checks: list[tuple[str, int, int, int]] = []
    for number, assign in enumerate(actions[inst.transition]):
        slot = layout.slot(assign.target.var, emitter.element(assign.target, env))
        value = emitter.expr(assign.value, env)
        cleared |= slot.mask << slot.offset
        if assign.target.type.kind == "int":
            temp = f"v{number}"
            temps.append((temp, value))
            var = next(v for v in machine.variables if v.name == assign.target.var)
            checks.append((temp, var.minimum, var.maximum, layout.ordered.index(slot)))
            value = f"({temp} - {slot.minimum})" if slot.minimum else temp
        if slot.width:
            cast = "(uint64_t)" if emitter.dialect == "c" else ""
            parts.append(f"({cast}{value} << {slot.offset})")
    keep = layout.all_mask & ~cleared
    successor = " | ".join([f"(s & {keep}{'ULL' if emitter.dialect == 'c' else ''})", *parts])
    return Block(index, guard, tuple(temps), tuple(checks), successor)


def _initial(machine: Machine, layout: Layout) -> int:
    packed = machine.states.index(machine.initial)
    for var in machine.variables:
        for position, value in enumerate(var.init):
            slot = layout.slot(var.name, position if var.index else -1)
            if var.kind == "bool":
                code = int(bool(value))
            elif var.kind == "enum":
                code = var.values.index(str(value))
            else:
                code = int(value) - var.minimum
            packed |= code << slot.offset
    return packed


def python_source(
    blocks_by_state: tuple[tuple[Block, ...], ...], invariants: tuple[str, ...]
) -> str:
    """The reference backend: one expand function per control state, one invariant function.

    ``_expand_k(s, bound)`` returns ``[(instance, successor), ...]`` and appends
    ``(instance, slot, value)`` to ``bound`` for an int assignment out of its bounds.
    ``_invariants(s)`` returns a bit mask of the violated invariants.
    """
    lines: list[str] = []
    for code, blocks in enumerate(blocks_by_state):
        lines.append(f"def _expand_{code}(s, bound):")
        lines.append("    out = []")
        for block in blocks:
            lines.append(f"    if {block.guard}:")
            indent = "        "
            for temp, value in block.temps:
                lines.append(f"{indent}{temp} = {value}")
            if block.checks:
                failed = " or ".join(f"{t} < {lo} or {t} > {hi}" for t, lo, hi, _ in block.checks)
                lines.append(f"{indent}if {failed}:")
                for temp, low, high, slot in block.checks:
                    lines.append(f"{indent}    if {temp} < {low} or {temp} > {high}:")
                    lines.append(
                        f"{indent}        bound.append(({block.instance}, {slot}, {temp}))"
                    )
                lines.append(f"{indent}else:")
                indent += "    "
            lines.append(f"{indent}out.append(({block.instance}, {block.successor}))")
        lines.append("    return out")
        lines.append("")
    lines.append("def _invariants(s):")
    lines.append("    bad = 0")
    for number, text in enumerate(invariants):
        lines.append(f"    if not {text}:")
        lines.append(f"        bad |= {1 << number}")
    lines.append("    return bad")
    return "\n".join(lines) + "\n"
