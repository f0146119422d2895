"""Clock reads that decide an Elixir test, and sleeps that wait for asynchronous work.

Works on the syntax tree (tree-sitter-elixir), inside the block that holds each
call: the nearest ``test`` / ``setup`` / ``def`` / ``defp`` (or the file). An
assertion is a call named ``assert*`` / ``refute*`` (``assert``,
``assert_receive``, ``refute_received``, project helpers such as
``assert_push``).

- A clock read (``DateTime.utc_now()``, ``System.system_time()``, ...) is a
  hazard when it reaches an assertion or the head of an ``if`` / ``unless`` /
  ``case`` / ``cond`` / ``with``, directly or through a variable it is bound to
  at the top level of the match (``started = System.monotonic_time()``,
  ``day = Date.utc_today() |> Date.add(-1)``), when that variable is then read
  by an assertion or a condition. A read that only stamps data
  (``insert(%{inserted_at: NaiveDateTime.utc_now()})``,
  ``token(%{exp: System.system_time(:second) + 60})``) decides nothing.
- A sleep (``Process.sleep``, ``:timer.sleep``) is a hazard when an assertion
  follows it in the same block, unless it sleeps forever (``:infinity`` parks a
  process, it waits for nothing), it is the whole life of a spawned stand-in
  process (``spawn(fn -> Process.sleep(5000) end)``) or it polls: its function
  calls itself (a retry loop), or it runs inside ``Enum.reduce_while`` /
  ``Stream.repeatedly``. A clock read in such a loop is its deadline, one
  interpolated into a string (``assert log =~ "exp=#{exp}"``) is echoed back, and
  one passed to the code under test (``assert stale?(status, now)``) is injected
  time: none of them decides anything.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from aces.engines.patterns.grammars import parser

CLOCKS = frozenset(
    {
        "DateTime.utc_now",
        "NaiveDateTime.utc_now",
        "NaiveDateTime.local_now",
        "Date.utc_today",
        "Time.utc_now",
        "System.system_time",
        "System.os_time",
        "System.monotonic_time",
        ":os.system_time",
        ":erlang.system_time",
        ":erlang.monotonic_time",
    }
)
SLEEPS = frozenset({"Process.sleep", ":timer.sleep"})
_ASSERTION = re.compile(r"^(?:assert|refute)(?:_\w+)?$")
_CONDITIONS = frozenset({"if", "unless", "case", "cond", "with"})
_BLOCKS = frozenset({"test", "setup", "setup_all", "def", "defp", "property"})
_POLLING = frozenset({"Enum.reduce_while", "Stream.repeatedly", "Stream.iterate"})
_CARRIERS = frozenset({"binary_operator", "unary_operator"})
_TIME_MODULES = ("DateTime.", "NaiveDateTime.", "Date.", "Time.", "System.", ":os.", ":erlang.")
_SPAWNS = frozenset({"spawn", "spawn_link", "spawn_monitor", "Process.spawn", "Kernel.spawn"})


@dataclass(frozen=True)
class TimedCall:
    """A clock read or a sleep that makes a test depend on time."""

    node: Node
    what: str
    assertion_line: int  # the assertion a sleep waits for; 0 for a clock read


def timed_calls(text: str) -> Iterator[TimedCall]:
    """The clock reads that decide something and the sleeps that wait before an assertion."""
    root = parser("elixir").parse(text.encode()).root_node
    for node in _calls(root):
        name = call_name(node)
        if name in CLOCKS and _decides(node):
            yield TimedCall(node, name, 0)
        elif name in SLEEPS and not _parks_or_polls(node):
            line = _assertion_after(node)
            if line:
                yield TimedCall(node, name, line)


def call_name(node: Node) -> str:
    """``Module.fun`` / ``:mod.fun`` / ``fun`` of a call node (empty when it has no target)."""
    target = node.child_by_field_name("target")
    if target is None:
        return ""
    if target.type == "dot":
        left, right = target.child_by_field_name("left"), target.child_by_field_name("right")
        if left is None or right is None:
            return ""
        return f"{_text(left)}.{_text(right)}"
    return _text(target)


def _calls(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "call":
            yield current
        stack.extend(reversed(current.children))


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _block(node: Node) -> Node:
    """The nearest enclosing test / setup / function call, or the file's root."""
    current = node.parent
    while current is not None:
        if current.type == "call" and call_name(current) in _BLOCKS:
            return current
        if current.parent is None:
            return current
        current = current.parent
    return node


def _decides(clock: Node) -> bool:
    if _in_polling(clock):
        return False  # the deadline of a retry loop: it bounds a wait, it decides no result
    if _in_judgement(clock):
        return True
    variable = _bound_variable(clock)
    if variable is None:
        return False
    later = (n for n in _descendants(_block(clock)) if n.start_byte > clock.end_byte)
    return any(n.type == "identifier" and _text(n) == variable and _in_judgement(n) for n in later)


def _in_judgement(node: Node) -> bool:
    """Whether the node sits in an assertion's arguments or a condition's head.

    A value interpolated into a string (``assert log =~ "exp=#{exp}"``) or pinned in a
    match (``assert %{at: ^now} = changes``) is echoed back, it is compared with itself;
    one passed to the code under test (``assert stale?(status, now)``) is injected
    time, which the test chooses. Neither
    decides anything; time arithmetic (``DateTime.diff(DateTime.utc_now(), t)``) does.
    """
    previous, current = node, node.parent
    while current is not None and current.type != "do_block":
        pinned = current.type == "unary_operator" and _text(current).startswith("^")
        if current.type == "interpolation" or pinned:
            return False  # echoed back: interpolated, or pinned (``^now``) in a match
        if current.type == "call":
            name = call_name(current)
            if _ASSERTION.match(name) or name in _CONDITIONS:
                return True
            if previous.type == "arguments" and not name.startswith(_TIME_MODULES):
                return False  # the value is an argument of the code under test
        previous, current = current, current.parent
    return False


def _bound_variable(clock: Node) -> str | None:
    """The variable a match binds the read to, when the read is at the top of its right side."""
    current = clock
    while current.parent is not None and current.parent.type in _CARRIERS:
        parent = current.parent
        operator = parent.child_by_field_name("operator")
        if operator is not None and _text(operator) == "=":
            left = parent.child_by_field_name("left")
            is_right = parent.child_by_field_name("right") == current
            if left is not None and left.type == "identifier" and is_right:
                return _text(left)
            return None
        current = parent
    return None


def _descendants(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _parks_or_polls(sleep: Node) -> bool:
    arguments = next((c for c in sleep.children if c.type == "arguments"), None)
    if arguments is not None and _text(arguments).strip("() ") == ":infinity":
        return True
    return _process_lifetime(sleep) or _in_polling(sleep)


def _process_lifetime(sleep: Node) -> bool:
    """``spawn(fn -> Process.sleep(5000) end)``: the sleep is how long a stand-in process lives."""
    body = sleep.parent
    clause = body.parent if body is not None else None
    function = clause.parent if clause is not None else None
    if body is None or body.type != "body" or len(body.named_children) != 1:
        return False
    if function is None or function.type != "anonymous_function":
        return False
    arguments = function.parent
    spawner = arguments.parent if arguments is not None else None
    return spawner is not None and spawner.type == "call" and call_name(spawner) in _SPAWNS


def _in_polling(node: Node) -> bool:
    """Whether the node runs in a retry loop: a function calling itself, or reduce_while."""
    current = node.parent
    while current is not None:
        if current.type == "call" and call_name(current) in _POLLING:
            return True
        if current.type == "call" and call_name(current) in {"def", "defp"}:
            return _calls_itself(current)
        current = current.parent
    return False


def _calls_itself(definition: Node) -> bool:
    arguments = next((c for c in definition.children if c.type == "arguments"), None)
    head = (
        arguments.named_children[0] if arguments is not None and arguments.named_children else None
    )
    if head is None or head.type != "call":
        return False
    name = call_name(head)
    return any(call_name(c) == name for c in _calls(definition) if c != head)


def _assertion_after(sleep: Node) -> int:
    """The line of the first assertion after the sleep in its block, or 0."""
    for node in _calls(_block(sleep)):
        if node.start_byte > sleep.end_byte and _ASSERTION.match(call_name(node)):
            return node.start_point.row + 1
    return 0
