"""``load_machine``: a ``.sm.yaml`` file -> a validated, compiled ``Machine``.

Schema errors, expression errors and unbounded variables raise ``MachineError`` with the
file's line and column. Transitions that name undeclared states or events are kept: they are
contract findings (``sm.unknown-state`` / ``sm.unknown-event``), reported by ``static_issues``.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

import yaml

from aces.engines.statemachine.compiler import Program, compile_machine
from aces.engines.statemachine.expr import (
    BOOL,
    BOOL_NAMES,
    QUANTIFIERS,
    STATE_NAME,
    Assign,
    Expr,
    ExprError,
    Scope,
    parse_action,
    parse_expression,
)
from aces.engines.statemachine.model import (
    Handling,
    Invariant,
    Machine,
    MachineError,
    SetDecl,
    Transition,
    Value,
    Variable,
)
from aces.engines.statemachine.yamlsrc import Source, boolean, items, position
from aces.nesting import parse_bounded

TOP_KEYS = (
    "name",
    "description",
    "sets",
    "states",
    "initial",
    "final",
    "events",
    "variables",
    "transitions",
    "ignore",
    "reject",
    "invariants",
)
TRANSITION_KEYS = ("from", "on", "to", "guard", "do", "for", "description")
VARIABLE_KEYS = ("type", "values", "min", "max", "index", "init", "description")
RESERVED = frozenset({STATE_NAME, *QUANTIFIERS, *BOOL_NAMES})
WILDCARD = "*"
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EVENT = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
_FOR = re.compile(r"\s*([A-Za-z_]\w*)\s+as\s+([A-Za-z_]\w*)\s*")


@dataclass
class _Parsed:
    """Everything read from the file, before the ``Machine`` is frozen."""

    name: str = ""
    sets: dict[str, SetDecl] = field(default_factory=dict)
    states: dict[str, tuple[int, int]] = field(default_factory=dict)
    initial: str = ""
    finals: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    variables: dict[str, Variable] = field(default_factory=dict)
    transitions: list[Transition] = field(default_factory=list)
    handled: dict[tuple[str, str], Handling] = field(default_factory=dict)
    invariants: list[Invariant] = field(default_factory=list)
    references: list[tuple[str, str, int, int]] = field(default_factory=list)
    guards: list[Expr | None] = field(default_factory=list)
    actions: list[tuple[Assign, ...]] = field(default_factory=list)
    invariant_exprs: list[Expr] = field(default_factory=list)


def load_machine(path: str, text: str) -> Machine:
    """Parse, validate and compile one machine; ``MachineError`` names file:line:column."""

    def nesting(message: str) -> MachineError:
        return MachineError(message, path=path, line=1, column=1)

    return parse_bounded(lambda body: _load(path, body), text, path, "yaml", nesting)


def _load(path: str, text: str) -> Machine:
    source = Source(path, text)
    root = source.compose()
    sections = {key: (key_node, value) for key, key_node, value in items(source, root, "the file")}
    for key, (key_node, _value) in sections.items():
        if key not in TOP_KEYS:
            raise source.error(
                key_node, f"unknown key '{key}'", hint="allowed: " + ", ".join(TOP_KEYS)
            )
    for required in ("name", "states", "initial", "events"):
        if required not in sections or _is_null(sections[required][1]):
            raise source.error(root, f"missing required key '{required}'")
    parsed = _Parsed()
    # an optional section left empty (``transitions:``) is the same as an absent one
    present = {key: value for key, (_k, value) in sections.items() if not _is_null(value)}
    reader = _Reader(source, parsed, present)
    reader.read_all()
    program = compile_machine(
        parsed_machine := _freeze(parsed, path, root),
        parsed.guards,
        parsed.actions,
        parsed.invariant_exprs,
    )
    return _with_program(parsed_machine, program)


def _freeze(parsed: _Parsed, path: str, root: yaml.Node) -> Machine:
    line, column = position(root)
    return Machine(
        name=parsed.name,
        path=path,
        states=tuple(parsed.states),
        state_lines={name: pos[0] for name, pos in parsed.states.items()},
        state_columns={name: pos[1] for name, pos in parsed.states.items()},
        initial=parsed.initial,
        finals=tuple(parsed.finals),
        events=tuple(parsed.events),
        transitions=tuple(parsed.transitions),
        handled=dict(parsed.handled),
        invariants=tuple(parsed.invariants),
        variables=tuple(parsed.variables.values()),
        sets=tuple(parsed.sets.values()),
        references=tuple(parsed.references),
        line=line,
        column=column,
    )


def _with_program(machine: Machine, program: Program) -> Machine:
    # the dataclass is frozen; the program is derived data attached once at load time
    object.__setattr__(machine, "program", program)
    return machine


class _Reader:
    """Reads the sections in dependency order: sets, states, events, variables, the rest."""

    def __init__(self, source: Source, parsed: _Parsed, sections: dict[str, yaml.Node]) -> None:
        self.source = source
        self.parsed = parsed
        self.sections = sections

    def read_all(self) -> None:
        """Fill ``parsed`` from every section."""
        self.parsed.name = self.source.string(self.sections["name"], "'name'")
        self._read_sets()
        self._read_states()
        self._read_events()
        self._read_variables()
        self._read_transitions()
        self._read_handling()
        self._read_invariants()

    def _ident(self, node: yaml.Node, what: str, pattern: re.Pattern[str] = _IDENT) -> str:
        text = self.source.string(node, what)
        if not pattern.fullmatch(text) or keyword.iskeyword(text):
            raise self.source.error(node, f"{what} '{text}' is not a valid name")
        return text

    def _read_sets(self) -> None:
        node = self.sections.get("sets")
        if node is None:
            return
        for name, key, value in items(self.source, node, "'sets'"):
            self._check_new_name(key, name, "set")
            line, column = position(key)
            elements = self._set_elements(name, value)
            self.parsed.sets[name] = SetDecl(name, elements, line, column)

    def _set_elements(self, name: str, node: yaml.Node) -> tuple[str, ...]:
        if isinstance(node, yaml.MappingNode):
            pairs = dict(_pairs(self.source, node))
            if set(pairs) != {"size"}:
                raise self.source.error(node, f"set '{name}' takes a list or {{size: N}}")
            size = self.source.integer(pairs["size"], f"the size of set '{name}'")
            if size < 1:
                raise self.source.error(pairs["size"], f"set '{name}' must have at least 1 element")
            return tuple(f"{name.lower()}{i}" for i in range(1, size + 1))
        elements = [
            self._ident(item, f"element of set '{name}'")
            for item in self.source.sequence(node, f"set '{name}'")
        ]
        if not elements:
            raise self.source.error(node, f"set '{name}' must have at least 1 element")
        self._no_duplicates(node, elements, f"set '{name}'")
        return tuple(elements)

    def _no_duplicates(self, node: yaml.Node, names: list[str], what: str) -> None:
        seen: set[str] = set()
        for item_node, name in zip(_item_nodes(node), names, strict=False):
            if name in seen:
                raise self.source.error(item_node, f"'{name}' appears twice in {what}")
            seen.add(name)

    def _check_new_name(self, node: yaml.Node, name: str, what: str) -> None:
        if not _IDENT.fullmatch(name) or keyword.iskeyword(name):
            raise self.source.error(node, f"{what} name '{name}' is not a valid name")
        if name in RESERVED:
            raise self.source.error(node, f"'{name}' is reserved; pick another {what} name")
        if name in self.parsed.sets or name in self.parsed.variables:
            raise self.source.error(node, f"'{name}' is already declared")

    def _read_states(self) -> None:
        node = self.sections["states"]
        for item in self.source.sequence(node, "'states'"):
            name = self._ident(item, "state")
            if name in self.parsed.states:
                raise self.source.error(item, f"state '{name}' is declared twice")
            self.parsed.states[name] = position(item)
        if not self.parsed.states:
            raise self.source.error(node, "'states' must list at least one state")
        initial_node = self.sections["initial"]
        self.parsed.initial = self.source.string(initial_node, "'initial'")
        if self.parsed.initial not in self.parsed.states:
            raise self.source.error(
                initial_node, f"initial state '{self.parsed.initial}' is not in 'states'"
            )
        final_node = self.sections.get("final")
        if final_node is not None:
            for name, item in self.source.strings(final_node, "'final'"):
                self.parsed.finals.append(name)
                self._reference("state", name, item)

    def _reference(self, kind: str, name: str, node: yaml.Node) -> None:
        line, column = position(node)
        self.parsed.references.append((kind, name, line, column))

    def _read_events(self) -> None:
        node = self.sections["events"]
        names = [
            self._ident(item, "event", _EVENT) for item in self.source.sequence(node, "'events'")
        ]
        self._no_duplicates(node, names, "'events'")
        self.parsed.events = names

    def _read_variables(self) -> None:
        node = self.sections.get("variables")
        if node is None:
            return
        for name, key, value in items(self.source, node, "'variables'"):
            self._check_new_name(key, name, "variable")
            variable = _VariableReader(self.source, self.parsed.sets).read(name, key, value)
            self.parsed.variables[name] = variable
        self._check_shadowing()

    def _check_shadowing(self) -> None:
        # a variable named like an enum value, a set element or a state would hide it
        literals = set(self.parsed.states)
        for decl in self.parsed.sets.values():
            literals.update(decl.elements)
        for var in self.parsed.variables.values():
            literals.update(var.values)
        for var in self.parsed.variables.values():
            if var.name in literals:
                raise MachineError(
                    f"variable '{var.name}' has the name of a state, enum value or set element",
                    path=self.source.path,
                    line=var.line,
                    column=var.column,
                )

    def _scope(self, node: yaml.Node, params: dict[str, str] | None = None) -> Scope:
        return Scope(
            self.parsed.variables,
            self.parsed.sets,
            tuple(self.parsed.states),
            self.source.locator(node),
            params,
        )

    def _raise(self, exc: ExprError) -> MachineError:
        return MachineError(exc.message, path=self.source.path, line=exc.line, column=exc.column)

    def _read_transitions(self) -> None:
        node = self.sections.get("transitions")
        if node is None:
            return
        seen_ids: dict[str, int] = {}
        param_of_event: dict[str, tuple[str | None, yaml.Node]] = {}
        for item in self.source.sequence(node, "'transitions'"):
            for transition, guard, action in self._transition(item, param_of_event):
                count = seen_ids.get(transition.id, 0) + 1
                seen_ids[transition.id] = count
                if count > 1:
                    transition = _renamed(transition, f"{transition.id} #{count}")
                self.parsed.transitions.append(transition)
                self.parsed.guards.append(guard)
                self.parsed.actions.append(action)

    def _transition(
        self, node: yaml.Node, param_of_event: dict[str, tuple[str | None, yaml.Node]]
    ) -> list[tuple[Transition, Expr | None, tuple[Assign, ...]]]:
        fields = {key: value for key, _k, value in items(self.source, node, "a transition")}
        for key, key_node, _v in items(self.source, node, "a transition"):
            if key not in TRANSITION_KEYS:
                raise self.source.error(
                    key_node,
                    f"unknown transition key '{key}'",
                    hint="allowed: " + ", ".join(TRANSITION_KEYS),
                )
        for required in ("from", "on", "to"):
            if required not in fields:
                raise self.source.error(node, f"a transition needs '{required}'")
        event = self.source.string(fields["on"], "'on'")
        self._reference("event", event, fields["on"])
        target = self.source.string(fields["to"], "'to'")
        self._reference("state", target, fields["to"])
        param, binder = self._param(fields.get("for"))
        self._same_param(event, param, fields["on"], param_of_event)
        params = {binder: param} if binder and param else None
        guard_text, guard = self._guard(fields.get("guard"), params)
        action_text, action = self._action(fields.get("do"), params)
        line, column = position(node)
        result = []
        for source_state, source_node in self.source.strings(fields["from"], "'from'"):
            self._reference("state", source_state, source_node)
            ident = f"{source_state} --{event}--> {target}" + (f"[{param}]" if param else "")
            transition = Transition(
                ident,
                source_state,
                event,
                target,
                guard_text,
                action_text,
                param,
                line,
                column,
                binder,
            )
            result.append((transition, guard, action))
        return result

    def _param(self, node: yaml.Node | None) -> tuple[str | None, str | None]:
        if node is None:
            return None, None
        text = self.source.string(node, "'for'")
        match = _FOR.fullmatch(text)
        if match is None:
            raise self.source.error(node, "'for' must read '<SET> as <name>', e.g. 'RM as r'")
        set_name, binder = match.groups()
        if set_name not in self.parsed.sets:
            raise self.source.error(node, f"unknown set '{set_name}' in 'for'")
        if binder in RESERVED or binder in self.parsed.variables or keyword.iskeyword(binder):
            raise self.source.error(node, f"'{binder}' is already a name here; pick another")
        return set_name, binder

    def _same_param(
        self,
        event: str,
        param: str | None,
        node: yaml.Node,
        seen: dict[str, tuple[str | None, yaml.Node]],
    ) -> None:
        # an event instance is (event, parameter value): all transitions on it must agree
        if event in seen and seen[event][0] != param:
            first = seen[event][0] or "no set"
            raise self.source.error(
                node,
                f"event '{event}' is parameterised over {param or 'no set'} here "
                f"but over {first} at line {position(seen[event][1])[0]}",
            )
        seen.setdefault(event, (param, node))

    def _guard(
        self, node: yaml.Node | None, params: dict[str, str] | None
    ) -> tuple[str | None, Expr | None]:
        if node is None:
            return None, None
        text = self.source.expression(node, "'guard'")
        try:
            return text, parse_expression(text, self._scope(node, params), BOOL)
        except ExprError as exc:
            raise self._raise(exc) from None

    def _action(
        self, node: yaml.Node | None, params: dict[str, str] | None
    ) -> tuple[str | None, tuple[Assign, ...]]:
        if node is None:
            return None, ()
        parts = [node] if isinstance(node, yaml.ScalarNode) else self.source.sequence(node, "'do'")
        texts: list[str] = []
        assigns: list[Assign] = []
        for part in parts:
            text = self.source.expression(part, "'do'")
            try:
                assigns.extend(parse_action(text, self._scope(part, params)))
            except ExprError as exc:
                raise self._raise(exc) from None
            texts.append(text.strip())
        targets = [(a.target.var, a.target.index) for a in assigns]
        if len(set(targets)) != len(targets):
            raise self.source.error(node, "a variable is assigned twice in 'do'")
        return "; ".join(texts), tuple(assigns)

    def _read_handling(self) -> None:
        # explicit entries first, so a '*' only fills the pairs nothing else handles
        wildcards: list[tuple[Handling, str, yaml.Node]] = []
        for kind in ("ignore", "reject"):
            node = self.sections.get(kind)
            if node is None:
                continue
            for state, key, value in items(self.source, node, f"'{kind}'"):
                self._reference("state", state, key)
                for event, event_node in self.source.strings(value, f"'{kind}' of '{state}'"):
                    handling: Handling = "ignore" if kind == "ignore" else "reject"
                    if event == WILDCARD:
                        wildcards.append((handling, state, event_node))
                    else:
                        self._handle(handling, state, event, event_node)
        for handling, state, node in wildcards:
            self._handle(handling, state, WILDCARD, node)

    def _handle(self, kind: Handling, state: str, event: str, node: yaml.Node) -> None:
        if event == WILDCARD:
            sourced = {t.event for t in self.parsed.transitions if t.source == state}
            names = [e for e in self.parsed.events if e not in sourced]
            names = [e for e in names if (state, e) not in self.parsed.handled]
        else:
            self._reference("event", event, node)
            names = [event]
        for name in names:
            previous = self.parsed.handled.get((state, name))
            if previous is not None and previous != kind:
                raise self.source.error(
                    node, f"event '{name}' in state '{state}' is both ignored and rejected"
                )
            self.parsed.handled[(state, name)] = kind

    def _read_invariants(self) -> None:
        node = self.sections.get("invariants")
        if node is None:
            return
        for name, key, value in items(self.source, node, "'invariants'"):
            text = self.source.expression(value, f"invariant '{name}'")
            try:
                expr = parse_expression(text, self._scope(value), BOOL)
            except ExprError as exc:
                raise self._raise(exc) from None
            line, column = position(key)
            self.parsed.invariants.append(Invariant(name, text, line, column))
            self.parsed.invariant_exprs.append(expr)


def _renamed(transition: Transition, ident: str) -> Transition:
    return Transition(
        ident,
        transition.source,
        transition.event,
        transition.target,
        transition.guard,
        transition.action,
        transition.param,
        transition.line,
        transition.column,
        transition.binder,
    )


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _item_nodes(node: yaml.Node) -> list[yaml.Node]:
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _pairs(source: Source, node: yaml.Node) -> list[tuple[str, yaml.Node]]:
    return [(key, value) for key, _k, value in items(source, node, "a mapping")]


class _VariableReader:
    """One variable declaration: ``{type, values | min/max, index, init}``."""

    def __init__(self, source: Source, sets: dict[str, SetDecl]) -> None:
        self.source = source
        self.sets = sets

    def read(self, name: str, key: yaml.Node, node: yaml.Node) -> Variable:
        """The ``Variable`` declared by ``node``."""
        if isinstance(node, yaml.ScalarNode) and node.value == "bool":
            fields: dict[str, yaml.Node] = {"type": node}
        else:
            fields = dict(_pairs(self.source, node))
            for field_name, field_key, _v in items(self.source, node, f"variable '{name}'"):
                if field_name not in VARIABLE_KEYS:
                    raise self.source.error(
                        field_key,
                        f"unknown key '{field_name}' in variable '{name}'",
                        hint="allowed: " + ", ".join(VARIABLE_KEYS),
                    )
        if "type" not in fields:
            raise self.source.error(node, f"variable '{name}' needs a 'type' (bool, enum or int)")
        kind = self.source.string(fields["type"], f"the type of '{name}'")
        if kind not in ("bool", "enum", "int"):
            raise self.source.error(fields["type"], f"type '{kind}' is not bool, enum or int")
        values, low, high = self._domain(name, kind, node, fields)
        index = self._index(name, fields.get("index"))
        line, column = position(key)
        draft = Variable(name, kind, values, low, high, index, (), line, column)  # type: ignore[arg-type]
        init = self._init(draft, fields.get("init"))
        return Variable(name, draft.kind, values, low, high, index, init, line, column)

    def _domain(
        self, name: str, kind: str, node: yaml.Node, fields: dict[str, yaml.Node]
    ) -> tuple[tuple[str, ...], int, int]:
        if kind == "bool":
            return (), 0, 1
        if kind == "enum":
            if "values" not in fields:
                raise self.source.error(node, f"enum variable '{name}' needs 'values'")
            values = [
                _ident_of(self.source, item, f"value of '{name}'")
                for item in self.source.sequence(fields["values"], f"'values' of '{name}'")
            ]
            if not values:
                raise self.source.error(fields["values"], f"enum '{name}' needs at least 1 value")
            if len(set(values)) != len(values):
                raise self.source.error(fields["values"], f"enum '{name}' repeats a value")
            return tuple(values), 0, len(values) - 1
        for bound in ("min", "max"):
            if bound not in fields:
                raise self.source.error(
                    node,
                    f"int variable '{name}' needs '{bound}'",
                    hint="every int is bounded so the state space is finite",
                )
        low = self.source.integer(fields["min"], f"'min' of '{name}'")
        high = self.source.integer(fields["max"], f"'max' of '{name}'")
        if low > high:
            raise self.source.error(fields["max"], f"'max' of '{name}' is below its 'min'")
        return (), low, high

    def _index(self, name: str, node: yaml.Node | None) -> str | None:
        if node is None:
            return None
        set_name = self.source.string(node, f"the index of '{name}'")
        if set_name not in self.sets:
            raise self.source.error(node, f"unknown set '{set_name}' as the index of '{name}'")
        return set_name

    def _init(self, var: Variable, node: yaml.Node | None) -> tuple[Value, ...]:
        size = len(self.sets[var.index].elements) if var.index else 1
        default: Value = (
            False if var.kind == "bool" else var.values[0] if var.kind == "enum" else var.minimum
        )
        if node is None:
            return (default,) * size
        if isinstance(node, yaml.MappingNode):
            if var.index is None:
                raise self.source.error(node, f"'{var.name}' is not an array; give one value")
            elements = self.sets[var.index].elements
            values = dict.fromkeys(elements, default)
            for element, key, value in items(self.source, node, f"'init' of '{var.name}'"):
                if element not in values:
                    raise self.source.error(key, f"'{element}' is not an element of {var.index}")
                values[element] = self._value(var, value)
            return tuple(values[element] for element in elements)
        return (self._value(var, node),) * size

    def _value(self, var: Variable, node: yaml.Node) -> Value:
        if var.kind == "bool":
            flag = boolean(node)
            if flag is None:
                raise self.source.error(node, f"initial value of '{var.name}' must be true/false")
            return flag
        if var.kind == "int":
            number = self.source.integer(node, f"initial value of '{var.name}'")
            if not var.minimum <= number <= var.maximum:
                raise self.source.error(
                    node,
                    f"initial value {number} of '{var.name}' is outside "
                    f"[{var.minimum}, {var.maximum}]",
                )
            return number
        text = self.source.string(node, f"initial value of '{var.name}'")
        if text not in var.values:
            raise self.source.error(node, f"'{text}' is not a value of '{var.name}'")
        return text


def _ident_of(source: Source, node: yaml.Node, what: str) -> str:
    text = source.string(node, what)
    if not _IDENT.fullmatch(text) or keyword.iskeyword(text):
        raise source.error(node, f"{what} '{text}' is not a valid name")
    return text
