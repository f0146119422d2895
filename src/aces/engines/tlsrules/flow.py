"""Where a literal value flows in Python and Rust code: the shared judge of the flow rules.

A rule names a ``Sink``: the calls that consume the value as an argument
(``bind``, ``connect``), the keywords and setting names that hold it (``host=``,
``DATABASE_URL``). ``judge`` climbs the syntax tree from the value through what
carries it on unchanged (tuples, lists, string concatenation and formatting,
``format!`` / ``concat!``, address constructors, ``.parse()`` / ``.into()`` /
``.encode()``, ``unwrap_or`` fallbacks, ``os.getenv(NAME, default)``, option
``default=``) and says how the value is consumed, or None when it goes anywhere
else (a log line, a client call, ``split``, an assertion). A value bound to a
name that is not a setting (or, for a sink that says so, to a variable local to a
function, whatever its name) is followed one step: to the calls the name is passed
to in the same file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

_TRANSPARENT = frozenset(
    [
        "tuple",
        "list",
        "parenthesized_expression",
        "binary_operator",
        "concatenated_string",
        "conditional_expression",
        "expression_list",
        "await",
        "tuple_expression",
        "reference_expression",
        "try_expression",
        "await_expression",
        "closure_expression",
        "block",
        "if_expression",
        "else_clause",
        "array_expression",
    ]
)
# Calls whose result carries the value on: conversions, address constructors, fallbacks.
_PASS_ON = frozenset(
    [
        "from",
        "new",
        "V4",
        "V6",
        "parse",
        "into",
        "to_string",
        "to_owned",
        "format",
        "join",
        "str",
        "tuple",
        "ip_address",
        "unwrap_or",
        "unwrap_or_else",
        "or",
        "or_else",
        "unwrap",
        "expect",
        "Field",
        "field",
        "encode",
        "from_str",
    ]
)
_OPTION_CALLS = frozenset({"add_argument", "option", "Option", "argument", "Argument"})
_ENV_CALLS = frozenset({"getenv", "get", "setdefault"})
_FORMAT_MACROS = frozenset({"format", "concat", "format_args"})
_FUNCTIONS = frozenset({"function_definition", "lambda", "function_item", "closure_expression"})
_MAX_STEPS = 12
_VARIABLE = "\x00variable"


@dataclass(frozen=True)
class Sink:
    """Where a rule's value is consumed."""

    calls: frozenset[str]  # last name of a callee taking the value as an argument
    setting: Callable[[str], bool]  # names (keywords, settings, options) that hold it
    avoid: frozenset[str] = field(default_factory=frozenset)  # callees whose keywords do not
    # Whether a function's local variable named like a setting is one (a listen address
    # in `let addr = ..` is); when False, only the local's uses count.
    named_locals: bool = True


def judge(value: Node, sink: Sink, root: Node, *, by_name: bool = True) -> str | None:
    """How ``value`` is consumed by ``sink``, or None; ``by_name``: a setting name decides."""
    return _climb(value, sink, root, by_name, 0)


def _climb(value: Node, sink: Sink, root: Node, by_name: bool, depth: int) -> str | None:
    current = value
    for _ in range(_MAX_STEPS):
        parent = current.parent
        if parent is None:
            return None
        step = _step(current, parent, sink, by_name)
        if isinstance(step, Node):
            current = step
            continue
        if step == _VARIABLE:
            return _variable_flow(parent, sink, root, depth)
        return step
    return None


def _step(current: Node, parent: Node, sink: Sink, by_name: bool) -> Node | str | None:
    """One step up the tree: the node to continue from, a verdict (str), or None (no use)."""
    kind = parent.type
    if kind in _TRANSPARENT:
        return parent
    if kind in ("argument_list", "arguments"):
        return _argument(current, parent, sink)
    if kind == "token_tree":
        return _macro_argument(parent)
    if kind == "keyword_argument":
        return _keyword(parent, sink, by_name)
    if _is_receiver(current, parent):
        return parent.parent  # `"...".parse()`, `"...".encode()`: the call's result carries it
    name = _bound_name(current, parent)
    if name is None:
        return None
    is_variable = kind in ("assignment", "let_declaration")
    local = is_variable and not sink.named_locals and _in_function(parent)
    if by_name and sink.setting(name) and not local:
        return f"`{name}` setting"
    return _VARIABLE if is_variable else None


def _in_function(node: Node) -> bool:
    """Whether a binding is local to a function: a local is no setting, only its uses count."""
    current = node.parent
    while current is not None:
        if current.type in _FUNCTIONS:
            return True
        if current.type in ("class_definition", "impl_item", "struct_item"):
            return False
        current = current.parent
    return False


def _is_receiver(current: Node, parent: Node) -> bool:
    """Whether ``current`` is the object a method is called on."""
    if parent.type == "field_expression":
        return current == parent.child_by_field_name("value")
    return parent.type == "attribute" and current == parent.child_by_field_name("object")


def _bound_name(current: Node, parent: Node) -> str | None:
    """The name a value is given: assignment, let, const, field, parameter default, dict key."""
    kind = parent.type
    if kind in ("assignment", "default_parameter", "typed_default_parameter"):
        target = parent.child_by_field_name("left") or parent.child_by_field_name("name")
    elif kind == "let_declaration":
        target = parent.child_by_field_name("pattern")
    elif kind in ("const_item", "static_item"):
        target = parent.child_by_field_name("name")
    elif kind == "field_initializer":
        target = parent.child_by_field_name("field")
    elif kind == "pair":
        target = parent.child_by_field_name("key")
    elif kind == "assignment_expression":
        target = parent.child_by_field_name("left")
    else:
        return None
    if target is None or target == current:
        return None
    return re.split(r"[.:]", string_value(text_of(target)))[-1]


def _argument(current: Node, arguments: Node, sink: Sink) -> Node | str | None:
    """A positional argument: a sink call consumes it, a pass-on call carries it."""
    call = arguments.parent
    if call is None:
        return None
    name = callee(call)
    if name in sink.calls:
        return f"`{name}(..)`"
    if name in _ENV_CALLS or name in _OPTION_CALLS:
        first = arguments.named_children[0] if arguments.named_children else None
        if first is not None and first != current and sink.setting(text_of(first)):
            return f"`{string_value(text_of(first))}` default"
        return None
    return call if name in _PASS_ON else None


def _keyword(keyword: Node, sink: Sink, by_name: bool) -> Node | str | None:
    """A setting keyword of a call (``host=``, ``url=``), or an option's ``default=``."""
    parts = _keyword_parts(keyword)
    if parts is None:
        return None
    name, arguments, call = parts
    function = callee(call)
    if name == "default" and function in _OPTION_CALLS:
        return _option_default(arguments, sink)
    if name == "default" and function in _PASS_ON:
        return call
    if by_name and sink.setting(name) and function not in sink.avoid:
        return f"`{name}=` of `{function}(..)`"
    return None


def _keyword_parts(keyword: Node) -> tuple[str, Node, Node] | None:
    """(keyword name, argument list, call) of a keyword argument."""
    name = keyword.child_by_field_name("name")
    arguments = keyword.parent
    call = arguments.parent if arguments is not None else None
    if name is None or arguments is None or call is None:
        return None
    return text_of(name), arguments, call


def _option_default(arguments: Node, sink: Sink) -> str | None:
    """The default of a command-line option named like a sink setting (``--host``)."""
    options = [c for c in arguments.named_children if c.type == "string"]
    chosen = [o for o in options if sink.setting(string_value(text_of(o)))]
    return f"`{string_value(text_of(chosen[0]))}` default" if chosen else None


def _macro_argument(tree: Node) -> Node | None:
    """A literal in ``format!`` / ``concat!`` carries on; in any other macro it stops."""
    invocation = tree.parent
    if invocation is None or invocation.type != "macro_invocation":
        return None
    macro = invocation.child_by_field_name("macro")
    name = text_of(macro).rsplit("::", 1)[-1] if macro is not None else ""
    return invocation if name in _FORMAT_MACROS else None


def _variable_flow(binding: Node, sink: Sink, root: Node, depth: int) -> str | None:
    """Whether the variable a value is assigned to is passed on to the sink in the same file."""
    target = binding.child_by_field_name("left") or binding.child_by_field_name("pattern")
    if target is None or target.type != "identifier" or depth > 0:
        return None
    name = text_of(target)
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "identifier" and text_of(node) == name and node != target:
            how = _climb(node, sink, root, True, depth + 1)
            if how is not None:
                return f"`{name}` passed to {how}"
        stack.extend(node.children)
    return None


def callee(call: Node) -> str:
    """The last name of a call's function (``sock.bind`` -> ``bind``, ``A::new`` -> ``new``)."""
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    return re.split(r"[.:]", text_of(function))[-1]


def string_value(text: str) -> str:
    """The content of a string literal's text (prefixes and quotes removed)."""
    stripped = text.lstrip("rbfuRBFU#")
    for quote in ('"""', "'''", '"', "'"):
        if stripped.startswith(quote) and stripped.endswith(quote) and len(stripped) >= 2:
            return stripped[len(quote) : -len(quote)]
    return text


def text_of(node: Node) -> str:
    """The source text of a node."""
    return (node.text or b"").decode("utf-8", "replace")


def column_of(data: bytes, node: Node) -> int:
    """The 1-based column, in characters, where ``node`` starts."""
    line_start = data.rfind(b"\n", 0, node.start_byte) + 1
    return len(data[line_start : node.start_byte].decode("utf-8", "replace")) + 1
