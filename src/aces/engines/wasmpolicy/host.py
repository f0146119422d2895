"""Rust host code that runs Wasm guests (wasmtime, wasmer): unchecked memory, unbounded stores.

Read from the tree-sitter syntax tree of files that name ``wasmtime`` or
``wasmer``; test code (``#[cfg(test)]`` / ``#[test]`` items, files below a
``tests``, ``benches`` or ``examples`` folder) is left out.

* ``unchecked-memory``: the guest's linear memory indexed or sliced with ``[..]``
  (``&memory.data(&store)[ptr..ptr + len]``, or a ``let`` binding of
  ``memory.data(..)`` / ``data_mut(..)`` indexed later). Pointer and length come
  from the guest; an out-of-range index panics the host. ``.get(..)`` /
  ``.get_mut(..)`` (or wasmer's ``MemoryView::read``) are checked and pass. The
  raw form is judged too: ``slice::from_raw_parts(_mut)`` over a pointer taken
  from ``memory.data_ptr(..)`` (directly, with ``.add(offset)``, or through a
  ``let``) in a function that never compares with ``data_size(..)``: an offset or
  length from the guest then reads or writes outside the memory.
* ``store-limits``: a ``Store::new(..)`` in a file that never bounds a store:
  no resource limiter (``store.limiter(..)``, ``limiter_async``, ``StoreLimits``),
  no fuel (``set_fuel``, ``add_fuel``, ``consume_fuel(true)``), and for wasmer no
  limiting tunables or metering middleware. A guest can then grow memory or loop
  without bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node

from aces.engines.patterns.grammars import parser

_HOST_CRATE = re.compile(r"\b(?:wasmtime|wasmer)\b")
_MEMORY_METHODS = frozenset({"data", "data_mut", "data_unchecked", "data_unchecked_mut"})
_BOUNDED = re.compile(
    r"\.limiter(?:_async)?\s*\(|\bStoreLimits\b|\bResourceLimiter\b|\bset_fuel\s*\("
    r"|\badd_fuel\s*\(|\bconsume_fuel\s*\(\s*true\s*\)|\bTunables\b|\bMetering\b"
)
_RAW_SLICES = frozenset({"from_raw_parts", "from_raw_parts_mut"})
_NOT_SHIPPED = frozenset({"tests", "test", "benches", "examples"})
_WRAPPERS = ("reference_expression", "parenthesized_expression")
_TEST_ATTR = re.compile(r"#\[\s*(?:cfg\s*\(\s*test\s*\)|(?:[\w:]+::)?test)\s*\]")


@dataclass(frozen=True, order=True)
class HostIssue:
    """One problem of Wasm host code at ``path:line:column``; ``rule`` is the rule suffix."""

    path: str
    line: int
    column: int
    rule: str
    message: str


def is_host_source(text: str) -> bool:
    """Whether a Rust file uses a Wasm runtime (names ``wasmtime`` or ``wasmer``)."""
    return _HOST_CRATE.search(text) is not None


def scan_host(path: str, text: str) -> list[HostIssue]:
    """Unchecked guest memory accesses and unbounded stores of one Rust host file."""
    if not is_host_source(text) or _NOT_SHIPPED.intersection(path.split("/")[:-1]):
        return []
    source = text.encode("utf-8")
    root = parser("rust").parse(source).root_node
    issues = [*_unchecked_memory(path, root), *_raw_memory(path, root)]
    if _BOUNDED.search(text) is None:
        issues.extend(_unbounded_stores(path, root))
    return sorted(set(issues))


def _walk(node: Node) -> Iterator[Node]:
    """Every node below ``node``, skipping test items."""
    stack = [node]
    while stack:
        current = stack.pop()
        if _is_test_item(current):
            continue
        yield current
        stack.extend(reversed(current.named_children))


def _is_test_item(node: Node) -> bool:
    """An item under ``#[cfg(test)]`` or a ``#[..test]`` attribute."""
    if node.type not in ("mod_item", "function_item"):
        return False
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type == "attribute_item":
        if _TEST_ATTR.fullmatch(_text(sibling).strip()):
            return True
        sibling = sibling.prev_named_sibling
    return False


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _memory_call(node: Node) -> bool:
    """``x.data(&store)`` / ``x.data_mut(..)`` / ``x.data_unchecked()``."""
    if node.type != "call_expression":
        return False
    function = node.child_by_field_name("function")
    if function is None or function.type != "field_expression":
        return False
    field = function.child_by_field_name("field")
    name = _text(field) if field is not None else ""
    arguments = node.child_by_field_name("arguments")
    has_args = arguments is not None and arguments.named_child_count > 0
    return name in _MEMORY_METHODS and (has_args or name.startswith("data_unchecked"))


def _memory_bindings(root: Node) -> set[tuple[int, str]]:
    """(function start, name) of every ``let name = <memory call>;``."""
    found: set[tuple[int, str]] = set()
    for node in _walk(root):
        if node.type != "let_declaration":
            continue
        pattern = node.child_by_field_name("pattern")
        value = node.child_by_field_name("value")
        while value is not None and value.type in _WRAPPERS:
            value = value.named_children[-1] if value.named_children else None
        if pattern is not None and value is not None and _memory_call(value):
            name = _text(pattern).removeprefix("mut ").strip()
            found.add((_function_start(node), name))
    return found


def _function_start(node: Node) -> int:
    current: Node | None = node
    while current is not None and current.type != "function_item":
        current = current.parent
    return current.start_byte if current is not None else -1


def _unchecked_memory(path: str, root: Node) -> Iterator[HostIssue]:
    bindings = _memory_bindings(root)
    for node in _walk(root):
        if node.type != "index_expression" or not node.named_children:
            continue
        target = node.named_children[0]
        direct = _memory_call(target)
        bound = target.type == "identifier" and (_function_start(node), _text(target)) in bindings
        if direct or bound:
            yield HostIssue(
                path,
                node.start_point[0] + 1,
                node.start_point[1] + 1,
                "unchecked-memory",
                f"guest linear memory indexed without a bounds check ({_excerpt(node)}): a "
                "pointer or length from the guest out of range panics the host (use "
                ".get(start..end) and refuse the call when it is None)",
            )


def _raw_memory(path: str, root: Node) -> Iterator[HostIssue]:
    """``from_raw_parts(ptr, len)`` over ``data_ptr(..)`` with no ``data_size`` check."""
    checked = {_function_start(n) for n in _walk(root) if _method_call(n, "data_size")}
    pointers = _data_ptr_bindings(root)
    for node in _walk(root):
        if node.type != "call_expression" or _function_start(node) in checked:
            continue
        function = node.child_by_field_name("function")
        name = _text(function).replace(" ", "") if function is not None else ""
        arguments = node.child_by_field_name("arguments")
        if name.rsplit("::", 1)[-1] not in _RAW_SLICES or arguments is None:
            continue
        first = arguments.named_children[0] if arguments.named_children else None
        if first is None or not _from_data_ptr(first, pointers, _function_start(node)):
            continue
        yield HostIssue(
            path,
            node.start_point[0] + 1,
            node.start_point[1] + 1,
            "unchecked-memory",
            f"guest linear memory read through a raw pointer ({_excerpt(node)}) with no "
            "check against data_size: an offset or length from the guest out of range "
            "reads or writes outside the memory (check offset + len <= "
            "memory.data_size(&store), or use memory.data(&store).get(start..end))",
        )


def _method_call(node: Node, method: str) -> bool:
    """``x.method(..)``."""
    if node.type != "call_expression":
        return False
    function = node.child_by_field_name("function")
    field = function.child_by_field_name("field") if function is not None else None
    return (
        function is not None
        and function.type == "field_expression"
        and (field is not None and _text(field) == method)
    )


def _contains_data_ptr(node: Node) -> bool:
    return any(_method_call(n, "data_ptr") for n in _walk(node))


def _data_ptr_bindings(root: Node) -> set[tuple[int, str]]:
    """(function start, name) of every ``let name = <expression using data_ptr(..)>;``."""
    found: set[tuple[int, str]] = set()
    for node in _walk(root):
        if node.type != "let_declaration":
            continue
        pattern = node.child_by_field_name("pattern")
        value = node.child_by_field_name("value")
        if pattern is not None and value is not None and _contains_data_ptr(value):
            found.add((_function_start(node), _text(pattern).removeprefix("mut ").strip()))
    return found


def _from_data_ptr(node: Node, pointers: set[tuple[int, str]], function: int) -> bool:
    """The pointer argument is taken from ``data_ptr(..)`` or a binding of it."""
    if _contains_data_ptr(node):
        return True
    names = {_text(n) for n in _walk(node) if n.type == "identifier"}
    return any((function, name) in pointers for name in names)


def _unbounded_stores(path: str, root: Node) -> Iterator[HostIssue]:
    for node in _walk(root):
        if node.type != "call_expression":
            continue
        function = node.child_by_field_name("function")
        if function is None or function.type != "scoped_identifier":
            continue
        name = _text(function).replace(" ", "")
        if name.endswith("Store::new") and name.split("::")[-2] == "Store":
            yield HostIssue(
                path,
                node.start_point[0] + 1,
                node.start_point[1] + 1,
                "store-limits",
                "Wasm store created with no resource limiter and no fuel: a guest can grow "
                "memory or run without bound (store.limiter(|s| &mut s.limits) with "
                "StoreLimitsBuilder, and Config::consume_fuel(true) + store.set_fuel(n))",
            )


def _excerpt(node: Node, limit: int = 60) -> str:
    text = " ".join(_text(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
