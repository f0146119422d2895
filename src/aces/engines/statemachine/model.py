"""The values of the state-machine engine: a loaded machine, static issues, model-check results.

All plain frozen data. Positions are 1-based lines and columns in the ``.sm.yaml`` file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from aces.errors import InputError

if TYPE_CHECKING:
    from aces.engines.statemachine.compiler import Program

#: A variable's value as users see it: a bool, an int or an enum value name.
Value = bool | int | str

VarKind = Literal["bool", "enum", "int"]
Handling = Literal["ignore", "reject"]
ViolationKind = Literal["invariant", "deadlock", "final-unreachable", "nondeterministic", "bound"]


class MachineError(InputError):
    """A state-machine file that cannot be used: YAML, schema or expression error, with position."""

    def __init__(
        self, message: str, *, path: str, line: int, column: int, hint: str | None = None
    ) -> None:
        super().__init__(message, path=path, hint=hint)
        self.line = line
        self.column = column

    def diagnostics(self) -> str:
        """``path:line:col: message`` (and what to do, when known)."""
        what_next = f" ({self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}:{self.column}: {self.message}{what_next}"

    def __str__(self) -> str:
        return self.diagnostics()


@dataclass(frozen=True)
class SetDecl:
    """A finite named set (``RM: [rm1, rm2]``): the domain of parameters and array indices."""

    name: str
    elements: tuple[str, ...]
    line: int
    column: int


@dataclass(frozen=True)
class Variable:
    """A bounded variable: a scalar, or an array indexed by a declared set (``index``).

    ``init`` holds one initial value per element (one value for a scalar).
    """

    name: str
    kind: VarKind
    values: tuple[str, ...]
    minimum: int
    maximum: int
    index: str | None
    init: tuple[Value, ...]
    line: int
    column: int

    @property
    def cardinality(self) -> int:
        """How many values one element can take."""
        if self.kind == "bool":
            return 2
        if self.kind == "enum":
            return len(self.values)
        return self.maximum - self.minimum + 1


@dataclass(frozen=True)
class Transition:
    """One declared transition; ``param`` is the set it is parameterised over (``for``)."""

    id: str
    source: str
    event: str
    target: str
    guard: str | None
    action: str | None
    param: str | None
    line: int
    column: int
    binder: str | None = None


@dataclass(frozen=True)
class Invariant:
    """A named boolean expression that must hold in every reachable state."""

    name: str
    expr: str
    line: int
    column: int


@dataclass(frozen=True)
class Machine:
    """A loaded, validated and compiled state machine."""

    name: str
    path: str
    states: tuple[str, ...]
    state_lines: dict[str, int]
    initial: str
    finals: tuple[str, ...]
    events: tuple[str, ...]
    transitions: tuple[Transition, ...]
    handled: dict[tuple[str, str], Handling]
    invariants: tuple[Invariant, ...]
    variables: tuple[Variable, ...]
    sets: tuple[SetDecl, ...]
    state_columns: dict[str, int] = field(default_factory=dict)
    #: Where references to states and events sit, for the static rules:
    #: (kind "state"|"event", name, line, column).
    references: tuple[tuple[str, str, int, int], ...] = ()
    line: int = 1
    column: int = 1
    program: Program | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Issue:
    """One static finding about a machine."""

    rule_id: str
    clause: str
    message: str
    line: int
    column: int


@dataclass(frozen=True)
class Step:
    """One row of a trace: ``event`` is None for the initial state."""

    index: int
    event: str | None
    param: str | None
    state: str
    variables: dict[str, Value | dict[str, Value]]


@dataclass(frozen=True)
class Violation:
    """A property that fails in some reachable state, with the shortest trace to it."""

    kind: ViolationKind
    name: str
    message: str
    line: int
    column: int
    trace: tuple[Step, ...]


@dataclass(frozen=True)
class ModelResult:
    """What the model checker found; ``complete`` is False when the state limit was hit."""

    complete: bool
    distinct_states: int
    generated: int
    depth: int
    violations: tuple[Violation, ...]
    backend: str = "python"
    #: Peak memory of the state store, in bytes, when the backend measures it (else 0).
    memory_bytes: int = 0
