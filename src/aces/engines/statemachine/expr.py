"""The expression language of guards, actions and invariants: parse, whitelist, type-check.

Text is parsed with Python's ``ast`` (never evaluated); only a small set of node types is
accepted and each is turned into a typed tree (``Expr``). The quantifier form
``all(p in S: body)`` is not Python syntax, so its colon is first rewritten to a comma (same
length, so columns stay exact); the generator form ``all(body for p in S)`` is accepted too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from aces.engines.statemachine.model import SetDecl, Variable

TypeKind = Literal["bool", "int", "enum", "elem"]
QUANTIFIERS = ("all", "any", "count")
BOOL_NAMES = {"true": True, "false": False, "True": True, "False": False}
STATE_NAME = "state"

_QUANT_COLON = re.compile(r"\b(all|any|count)(\s*\(\s*[A-Za-z_]\w*\s+in\s+[A-Za-z_]\w*\s*):")


@dataclass(frozen=True)
class Type:
    """A value type: ``values`` for an enum, ``set`` for an element of a declared set."""

    kind: TypeKind
    values: tuple[str, ...] = ()
    set: str = ""

    def describe(self) -> str:
        """How the type reads in an error message."""
        if self.kind == "enum":
            return "enum (" + ", ".join(self.values) + ")"
        if self.kind == "elem":
            return f"element of {self.set}"
        return self.kind


BOOL = Type("bool")
INT = Type("int")


@dataclass(frozen=True)
class Lit:
    """A constant: an int, a bool (0/1), an enum value's code or a set element's index."""

    value: int
    type: Type


@dataclass(frozen=True)
class Index:
    """An array index: a bound parameter (``param``) or a constant element index."""

    param: str | None
    const: int


@dataclass(frozen=True)
class Field:
    """A read of a variable (``index`` for an array element); ``state`` is the control state."""

    var: str
    index: Index | None
    type: Type


@dataclass(frozen=True)
class Param:
    """A bound parameter (from ``for`` or a quantifier): an element of ``set``."""

    name: str
    type: Type


@dataclass(frozen=True)
class Unary:
    """``not e`` or ``-e``."""

    op: Literal["not", "neg"]
    operand: Expr
    type: Type


@dataclass(frozen=True)
class BoolOp:
    """``a and b and ...`` / ``a or b or ...``."""

    op: Literal["and", "or"]
    items: tuple[Expr, ...]
    type: Type


@dataclass(frozen=True)
class Arith:
    """``a + b`` / ``a - b`` over ints."""

    op: Literal["+", "-"]
    left: Expr
    right: Expr
    type: Type


@dataclass(frozen=True)
class Cmp:
    """A binary comparison (chains are split into ``and``)."""

    op: Literal["==", "!=", "<", "<=", ">", ">="]
    left: Expr
    right: Expr
    type: Type


@dataclass(frozen=True)
class Quant:
    """``all``/``any``/``count`` over the elements of a set, ``binder`` bound in ``body``."""

    kind: Literal["all", "any", "count"]
    binder: str
    set: str
    body: Expr
    type: Type


Expr = Lit | Field | Param | Unary | BoolOp | Arith | Cmp | Quant


@dataclass(frozen=True)
class Assign:
    """One action statement ``target = value``; ``target.index`` may use the parameter."""

    target: Field
    value: Expr
    line: int
    column: int


@dataclass(frozen=True)
class _Pending:
    """A bare name whose type is known only from the other side of a comparison."""

    name: str
    node: ast.AST


class ExprError(Exception):
    """A parse or type error at a 1-based (line, column) of the machine file."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


#: Maps an ``ast`` position (1-based line, 0-based column in the text) to the file's position.
Locator = Callable[[int, int], tuple[int, int]]

_CMP_OPS: dict[type[ast.cmpop], Literal["==", "!=", "<", "<=", ">", ">="]] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
ALLOWED = (
    "and/or/not, == != < <= > >=, in (...), + -, names, integer and true/false constants, "
    "x[p] subscripts, all/any/count(p in SET: ...)"
)


class Scope:
    """What names mean while checking one expression: variables, sets, states, parameters."""

    def __init__(
        self,
        variables: Mapping[str, Variable],
        sets: Mapping[str, SetDecl],
        states: tuple[str, ...],
        locate: Locator,
        params: Mapping[str, str] | None = None,
    ) -> None:
        self.variables = variables
        self.sets = sets
        self.states = states
        self.locate = locate
        self.params: dict[str, str] = dict(params or {})
        self.literals = _literal_names(variables, sets, states)

    def error(self, node: ast.AST, message: str) -> ExprError:
        """An ``ExprError`` at ``node``'s position."""
        line, column = self.locate(getattr(node, "lineno", 1), getattr(node, "col_offset", 0))
        return ExprError(message, line, column)

    def bind(self, name: str, set_name: str) -> Scope:
        """A child scope with ``name`` bound to elements of ``set_name``."""
        child = Scope(self.variables, self.sets, self.states, self.locate, self.params)
        child.params[name] = set_name
        return child


def _literal_names(
    variables: Mapping[str, Variable], sets: Mapping[str, SetDecl], states: tuple[str, ...]
) -> frozenset[str]:
    names = set(states)
    for var in variables.values():
        names.update(var.values)
    for decl in sets.values():
        names.update(decl.elements)
    return frozenset(names)


def variable_type(var: Variable) -> Type:
    """The type of one element of ``var``."""
    if var.kind == "enum":
        return Type("enum", values=var.values)
    return BOOL if var.kind == "bool" else INT


def rewrite_quantifiers(text: str) -> str:
    """``all(p in S: e)`` -> ``all(p in S, e)``: Python syntax, same length."""
    return _QUANT_COLON.sub(r"\1\2,", text)


def parse_expression(text: str, scope: Scope, want: Type = BOOL) -> Expr:
    """Parse and type-check one expression that must have type ``want``."""
    try:
        tree = ast.parse(rewrite_quantifiers(text), mode="eval")
    except SyntaxError as exc:
        line, column = scope.locate(exc.lineno or 1, max((exc.offset or 1) - 1, 0))
        raise ExprError(f"syntax error in expression: {exc.msg}", line, column) from None
    result = _check(tree.body, scope, want)
    if isinstance(result, _Pending):
        raise scope.error(tree.body, f"cannot tell what '{result.name}' is here")
    _require(scope, tree.body, result, want)
    return result


def parse_action(text: str, scope: Scope) -> tuple[Assign, ...]:
    """Parse and type-check ``x = e; a[p] = e`` statements (``Assign`` only)."""
    try:
        module = ast.parse(rewrite_quantifiers(text), mode="exec")
    except SyntaxError as exc:
        line, column = scope.locate(exc.lineno or 1, max((exc.offset or 1) - 1, 0))
        raise ExprError(f"syntax error in action: {exc.msg}", line, column) from None
    assigns: list[Assign] = []
    seen: set[tuple[str, Index | None]] = set()
    for stmt in module.body:
        assign = _check_assign(stmt, scope)
        key = (assign.target.var, assign.target.index)
        if key in seen:
            raise scope.error(stmt, f"'{_target_text(assign.target, scope)}' is assigned twice")
        seen.add(key)
        assigns.append(assign)
    return tuple(assigns)


def _target_text(target: Field, scope: Scope) -> str:
    if target.index is None:
        return target.var
    if target.index.param is not None:
        return f"{target.var}[{target.index.param}]"
    var = scope.variables[target.var]
    elements = scope.sets[var.index or ""].elements
    return f"{target.var}[{elements[target.index.const]}]"


def _check_assign(stmt: ast.stmt, scope: Scope) -> Assign:
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        raise scope.error(stmt, "an action is a list of assignments 'x = expr' or 'a[p] = expr'")
    target_node = stmt.targets[0]
    if isinstance(target_node, ast.Name):
        target = _scalar_target(target_node, scope)
    elif isinstance(target_node, ast.Subscript):
        target = _subscript(target_node, scope)
    else:
        raise scope.error(target_node, "only a variable or an array element can be assigned")
    value = _check(stmt.value, scope, target.type)
    if isinstance(value, _Pending):
        value = _resolve(value, target.type, scope)
    _require(scope, stmt.value, value, target.type)
    line, column = scope.locate(stmt.lineno, stmt.col_offset)
    return Assign(target, value, line, column)


def _scalar_target(node: ast.Name, scope: Scope) -> Field:
    if node.id == STATE_NAME:
        raise scope.error(node, "'state' cannot be assigned; the transition's 'to' sets it")
    var = scope.variables.get(node.id)
    if var is None:
        raise scope.error(node, f"unknown variable '{node.id}'")
    if var.index is not None:
        raise scope.error(node, f"array '{node.id}' needs an index, e.g. {node.id}[p]")
    return Field(var.name, None, variable_type(var))


def _require(scope: Scope, node: ast.AST, expr: Expr, want: Type) -> None:
    if not _compatible(expr.type, want):
        raise scope.error(node, f"expected {want.describe()}, got {expr.type.describe()}")


def _compatible(have: Type, want: Type) -> bool:
    if have.kind != want.kind:
        return False
    if have.kind == "enum":
        return have.values == want.values
    return have.kind != "elem" or have.set == want.set


def _check(node: ast.expr, scope: Scope, want: Type | None) -> Expr | _Pending:
    """Type-check ``node``; ``want`` resolves bare enum values and set elements."""
    handler = _HANDLERS.get(type(node))
    if handler is None:
        raise scope.error(node, f"'{type(node).__name__}' is not allowed (allowed: {ALLOWED})")
    return handler(node, scope, want)


def _checked(node: ast.expr, scope: Scope, want: Type) -> Expr:
    result = _check(node, scope, want)
    if isinstance(result, _Pending):
        result = _resolve(result, want, scope)
    _require(scope, node, result, want)
    return result


def _name(node: ast.expr, scope: Scope, want: Type | None) -> Expr | _Pending:
    assert isinstance(node, ast.Name)
    name = node.id
    if name in scope.params:
        return Param(name, Type("elem", set=scope.params[name]))
    if name in BOOL_NAMES:
        return Lit(int(BOOL_NAMES[name]), BOOL)
    if name == STATE_NAME:
        return Field(STATE_NAME, None, Type("enum", values=scope.states))
    var = scope.variables.get(name)
    if var is not None:
        if var.index is not None:
            raise scope.error(node, f"array '{name}' needs an index, e.g. {name}[p]")
        return Field(name, None, variable_type(var))
    if name not in scope.literals:
        raise scope.error(node, f"unknown name '{name}'")
    pending = _Pending(name, node)
    return pending if want is None else _resolve(pending, want, scope)


def _resolve(pending: _Pending, want: Type, scope: Scope) -> Expr:
    """A bare name read as a value of ``want`` (an enum value or a set element)."""
    if want.kind == "enum" and pending.name in want.values:
        return Lit(want.values.index(pending.name), want)
    if want.kind == "elem" and pending.name in scope.sets[want.set].elements:
        return Lit(scope.sets[want.set].elements.index(pending.name), want)
    raise scope.error(pending.node, f"'{pending.name}' is not a value of {want.describe()}")


def _constant(node: ast.expr, scope: Scope, want: Type | None) -> Expr:
    assert isinstance(node, ast.Constant)
    if isinstance(node.value, bool):
        return Lit(int(node.value), BOOL)
    if isinstance(node.value, int):
        return Lit(node.value, INT)
    raise scope.error(node, f"constant {node.value!r} is not allowed (only integers and booleans)")


def _subscript(node: ast.expr, scope: Scope, want: Type | None = None) -> Field:
    assert isinstance(node, ast.Subscript)
    if not isinstance(node.value, ast.Name) or node.value.id not in scope.variables:
        raise scope.error(node, "only a declared array variable can be indexed")
    var = scope.variables[node.value.id]
    if var.index is None:
        raise scope.error(node, f"'{var.name}' is not an array")
    return Field(var.name, _index(node.slice, var, scope), variable_type(var))


def _index(node: ast.expr, var: Variable, scope: Scope) -> Index:
    set_name = var.index or ""
    if isinstance(node, ast.Name):
        if node.id in scope.params:
            if scope.params[node.id] != set_name:
                raise scope.error(
                    node,
                    f"'{node.id}' ranges over {scope.params[node.id]}, "
                    f"but '{var.name}' is indexed by {set_name}",
                )
            return Index(node.id, 0)
        if node.id in scope.sets[set_name].elements:
            return Index(None, scope.sets[set_name].elements.index(node.id))
    raise scope.error(
        node,
        f"the index of '{var.name}' must be a parameter over {set_name} or one of its elements",
    )


def _unary(node: ast.expr, scope: Scope, want: Type | None) -> Expr:
    assert isinstance(node, ast.UnaryOp)
    if isinstance(node.op, ast.Not):
        return Unary("not", _checked(node.operand, scope, BOOL), BOOL)
    if isinstance(node.op, ast.USub):
        return Unary("neg", _checked(node.operand, scope, INT), INT)
    raise scope.error(node, f"operator '{type(node.op).__name__}' is not allowed")


def _boolop(node: ast.expr, scope: Scope, want: Type | None) -> Expr:
    assert isinstance(node, ast.BoolOp)
    op: Literal["and", "or"] = "and" if isinstance(node.op, ast.And) else "or"
    return BoolOp(op, tuple(_checked(value, scope, BOOL) for value in node.values), BOOL)


def _binop(node: ast.expr, scope: Scope, want: Type | None) -> Expr:
    assert isinstance(node, ast.BinOp)
    if isinstance(node.op, ast.Add):
        op: Literal["+", "-"] = "+"
    elif isinstance(node.op, ast.Sub):
        op = "-"
    else:
        raise scope.error(
            node, f"operator '{type(node.op).__name__}' is not allowed (only + and -)"
        )
    return Arith(op, _checked(node.left, scope, INT), _checked(node.right, scope, INT), INT)


def _compare(node: ast.expr, scope: Scope, want: Type | None) -> Expr:
    assert isinstance(node, ast.Compare)
    parts: list[Expr] = []
    left_node = node.left
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        parts.append(_compare_pair(node, left_node, op, right_node, scope))
        left_node = right_node
    return parts[0] if len(parts) == 1 else BoolOp("and", tuple(parts), BOOL)


def _compare_pair(
    node: ast.Compare, left_node: ast.expr, op: ast.cmpop, right_node: ast.expr, scope: Scope
) -> Expr:
    if isinstance(op, ast.In | ast.NotIn):
        return _membership(node, left_node, op, right_node, scope)
    symbol = _CMP_OPS.get(type(op))
    if symbol is None:
        raise scope.error(node, f"comparison '{type(op).__name__}' is not allowed")
    left, right = _pair(left_node, right_node, scope)
    if symbol not in ("==", "!=") and left.type.kind != "int":
        raise scope.error(left_node, f"'{symbol}' needs ints, got {left.type.describe()}")
    if not _compatible(right.type, left.type):
        raise scope.error(
            right_node, f"cannot compare {left.type.describe()} with {right.type.describe()}"
        )
    return Cmp(symbol, left, right, BOOL)


def _pair(left_node: ast.expr, right_node: ast.expr, scope: Scope) -> tuple[Expr, Expr]:
    """Both sides of a comparison, a bare literal typed by the other side."""
    left = _check(left_node, scope, None)
    if isinstance(left, _Pending):
        right = _check(right_node, scope, None)
        if isinstance(right, _Pending):
            raise scope.error(left_node, f"cannot tell what '{left.name}' is here")
        return _resolve(left, right.type, scope), right
    right = _check(right_node, scope, left.type)
    if isinstance(right, _Pending):
        right = _resolve(right, left.type, scope)
    return left, right


def _membership(
    node: ast.Compare, left_node: ast.expr, op: ast.cmpop, right_node: ast.expr, scope: Scope
) -> Expr:
    """``x in (a, b)`` is ``x == a or x == b``; ``not in`` its negation."""
    if not isinstance(right_node, ast.Tuple | ast.List) or not right_node.elts:
        raise scope.error(right_node, "'in' needs a literal list, e.g. x in (a, b)")
    equal = ast.Eq()
    items = tuple(
        _compare_pair(node, left_node, equal, element, scope) for element in right_node.elts
    )
    either: Expr = items[0] if len(items) == 1 else BoolOp("or", items, BOOL)
    return Unary("not", either, BOOL) if isinstance(op, ast.NotIn) else either


def _call(node: ast.expr, scope: Scope, want: Type | None) -> Expr:
    assert isinstance(node, ast.Call)
    if not isinstance(node.func, ast.Name) or node.func.id not in QUANTIFIERS or node.keywords:
        raise scope.error(node, "the only calls allowed are all/any/count(p in SET: expr)")
    kind: Literal["all", "any", "count"] = node.func.id  # type: ignore[assignment]
    binder_node, set_node, body = _quantifier_parts(node, scope)
    binder = binder_node.id
    if binder in scope.variables or binder in scope.params or binder == STATE_NAME:
        raise scope.error(binder_node, f"'{binder}' is already a name here; pick another")
    if set_node.id not in scope.sets:
        raise scope.error(set_node, f"unknown set '{set_node.id}'")
    inner = _checked(body, scope.bind(binder, set_node.id), BOOL)
    return Quant(kind, binder, set_node.id, inner, INT if kind == "count" else BOOL)


def _quantifier_parts(node: ast.Call, scope: Scope) -> tuple[ast.Name, ast.Name, ast.expr]:
    args = node.args
    if len(args) == 1 and isinstance(args[0], ast.GeneratorExp):
        gen = args[0].generators
        if (
            len(gen) == 1
            and not gen[0].ifs
            and isinstance(gen[0].target, ast.Name)
            and isinstance(gen[0].iter, ast.Name)
        ):
            return gen[0].target, gen[0].iter, args[0].elt
    if len(args) == 2 and isinstance(args[0], ast.Compare):
        head = args[0]
        if (
            isinstance(head.left, ast.Name)
            and len(head.ops) == 1
            and isinstance(head.ops[0], ast.In)
            and isinstance(head.comparators[0], ast.Name)
        ):
            return head.left, head.comparators[0], args[1]
    raise scope.error(node, "write a quantifier as all(p in SET: expr)")


_HANDLERS: dict[type[ast.AST], Callable[[ast.expr, Scope, Type | None], Expr | _Pending]] = {
    ast.Name: _name,
    ast.Constant: _constant,
    ast.Subscript: _subscript,
    ast.UnaryOp: _unary,
    ast.BoolOp: _boolop,
    ast.BinOp: _binop,
    ast.Compare: _compare,
    ast.Call: _call,
}
