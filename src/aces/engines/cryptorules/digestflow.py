"""Whether a comparison compares a MAC or digest, judged by where its values come from.

A timing attack on ``==`` needs a value computed by a MAC or hash function. The
word "signature" or "mac" in a name proves nothing (a Wasm function *signature*
compared with its expected type is no MAC), so a comparison counts only when one
of its sides is, or contains, a digest-producing call, or a name bound in the file
to a value that flows from one:

- **Python**: ``.digest()``, ``.hexdigest()``, ``.finalize()`` (``hmac.new(...)``,
  ``hashlib.sha256(...)``, ``hmac.digest(...)``, cryptography's ``HMAC``);
- **Rust**: ``.finalize()`` (``.finalize().into_bytes()``), ``.finalize_reset()``,
  ``.finalize_fixed()``, ``Sha256::digest(..)``, ``hmac::sign(..)``;
- **Elixir**: ``:crypto.mac(..)``, ``:crypto.hash(..)``, ``:crypto.mac_final(..)``.

Names are bound by plain assignment (``mac = hmac.new(...).hexdigest()``, ``let tag =
mac.finalize()``, ``tag = :crypto.mac(...)``), transitively (``expected = tag`` after
``tag = ...digest()``), anywhere in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import tree_sitter as ts

_PY_METHODS = frozenset({"digest", "hexdigest", "finalize"})
_RS_METHODS = frozenset({"finalize", "finalize_reset", "finalize_fixed", "digest"})
_RS_FUNCTIONS = frozenset({"digest", "sign"})
_EX_FUNCTIONS = frozenset({"mac", "hash", "mac_final", "mac_finalN", "hmac"})


def _text(node: ts.Node | None) -> str:
    return (node.text or b"").decode("utf-8", "replace") if node is not None else ""


def _walk(node: ts.Node) -> Iterator[ts.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def is_digest_call(language: str, node: ts.Node) -> bool:
    """Whether ``node`` is a call that computes a MAC or a digest."""
    test = _DIGEST_CALLS.get(language)
    return test is not None and test(node)


def _python_digest(node: ts.Node) -> bool:
    if node.type != "call":
        return False
    function = node.child_by_field_name("function")
    return (
        function is not None
        and function.type == "attribute"
        and _text(function.child_by_field_name("attribute")) in _PY_METHODS
    )


def _rust_digest(node: ts.Node) -> bool:
    function = node.child_by_field_name("function") if node.type == "call_expression" else None
    if function is None:
        return False
    if function.type == "field_expression":
        return _text(function.child_by_field_name("field")) in _RS_METHODS
    if function.type == "scoped_identifier":
        return _text(function.child_by_field_name("name")) in _RS_FUNCTIONS
    return False


def _elixir_digest(node: ts.Node) -> bool:
    target = node.child_by_field_name("target") if node.type == "call" else None
    if target is None or target.type != "dot":
        return False
    left, right = target.child_by_field_name("left"), target.child_by_field_name("right")
    return _text(left) == ":crypto" and _text(right) in _EX_FUNCTIONS


_DIGEST_CALLS: dict[str, Callable[[ts.Node], bool]] = {
    "python": _python_digest,
    "rust": _rust_digest,
    "elixir": _elixir_digest,
}
# The assignment node of each language, and the fields of its target and its value.
_ASSIGNMENTS = {
    "python": ("assignment", "left", "right"),
    "rust": ("let_declaration", "pattern", "value"),
    "elixir": ("binary_operator", "left", "right"),
}


def _bindings(language: str, root: ts.Node) -> Iterator[tuple[str, ts.Node]]:
    """(name, value) for every plain assignment of a name in the file."""
    kind, target_field, value_field = _ASSIGNMENTS[language]
    for node in _walk(root):
        if node.type != kind:
            continue
        if kind == "binary_operator" and _text(node.child_by_field_name("operator")) != "=":
            continue  # an Elixir match `name = value`, not another operator
        left = node.child_by_field_name(target_field)
        right = node.child_by_field_name(value_field)
        if left is not None and right is not None and left.type == "identifier":
            yield _text(left), right


def digest_names(language: str, root: ts.Node) -> frozenset[str]:
    """The names bound in the file to a value that flows from a digest call."""
    bindings = list(_bindings(language, root))
    found: set[str] = set()
    changed = True
    while changed:  # a chain of names: each round adds the names bound to the last ones
        changed = False
        for name, value in bindings:
            if name not in found and carries_digest(language, value, frozenset(found)):
                found.add(name)
                changed = True
    return frozenset(found)


def carries_digest(language: str, node: ts.Node, names: frozenset[str]) -> bool:
    """Whether ``node`` contains a digest call or a name bound to a digest."""
    for inner in _walk(node):
        if is_digest_call(language, inner):
            return True
        if inner.type == "identifier" and _text(inner) in names and not _is_member(inner):
            return True
    return False


def _is_member(node: ts.Node) -> bool:
    """Whether an identifier is the member part of ``obj.name`` (not a variable)."""
    parent = node.parent
    if parent is None or parent.type != "attribute":
        return False
    return parent.child_by_field_name("attribute") == node
