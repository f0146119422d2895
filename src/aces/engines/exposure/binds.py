"""Binding to every interface in Python and Rust code, judged by where the value flows.

A bind-all value (``"0.0.0.0"``, ``"0.0.0.0:8080"``, ``"::"``, ``"[::]:443"``,
``Ipv4Addr::UNSPECIFIED``, ``[0, 0, 0, 0]``, ``Ipv4Addr::new(0, 0, 0, 0)``) is
a finding only when the syntax tree shows it reaching a listening socket:

- an argument of a bind / listen / serve call (``TcpListener::bind``,
  ``sock.bind(("0.0.0.0", p))``, ``websockets.serve(h, "0.0.0.0", p)``), through
  tuples, address constructors (``SocketAddr::from``), conversions
  (``.parse()``, ``.into()``, ``format!``, ``str.format``) and fallbacks
  (``unwrap_or``, ``os.getenv("HOST", "0.0.0.0")``);
- a listen-address keyword of a call that is not a client (``uvicorn.run(app,
  host="0.0.0.0")``);
- the default of a listen-address option or setting: argparse / click
  ``add_argument("--host", default=...)``, clap ``#[arg(default_value = ...)]``
  on a field named like an address, a settings / dataclass field, a parameter
  default, a constant or variable named like a listen address (``host``,
  ``bind``, ``listen_addr``; names of remote peers such as ``redis_host`` or
  ``upstream_addr`` are not);
- a variable passed on to such a call in the same file.

A value that goes to a client (``requests.get("http://0.0.0.0:8000/health")``,
``client.get(format!("http://0.0.0.0:{port}"))``) or anywhere else
(``s.split("::")``) is not a binding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from aces.engines.patterns.grammars import parser

_BIND_ALL = re.compile(r"^(?:(?:0\.0\.0\.0|\[::\])(?::\S*)?|::)$")
_URL_BIND_ALL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:0\.0\.0\.0|\[::\])", re.IGNORECASE)
_UNSPECIFIED = re.compile(r"\bIpv[46]Addr::UNSPECIFIED$")
_ATTRIBUTE_DEFAULT = re.compile(
    r"\bdefault(?:_value(?:_t)?)?\s*=\s*(?:\"(?:0\.0\.0\.0|::|\[::\])[^\"]*\"|[^,\]\"]*UNSPECIFIED)"
)
_LISTEN_NAME = re.compile(
    r"(?i)(?:^|[_-])(?:host|bind|listen|listener|addr|address|interface|iface|ip)s?(?:$|[_-])"
)
_PEER_NAME = re.compile(
    r"(?i)remote|upstream|peer|target|dest|client|connect|url|uri|endpoint|proxy|redis|valkey|"
    r"postgres|database|(?:^|_)db(?:$|_)|nats|broker|kafka|smtp|mail"
)
_BIND_CALLS = frozenset(
    {
        "bind", "bind_addr", "bind_to", "try_bind", "bind_rustls", "bind_openssl", "listen",
        "listen_on", "serve", "run", "run_app", "start_server", "create_server",
        "make_server", "HTTPServer", "ThreadingHTTPServer", "TCPServer", "UDPServer",
        "ThreadingTCPServer", "WSGIServer",
    }
)  # fmt: skip
_CLIENT_CALLS = frozenset(
    {
        "connect", "connect_async", "get", "post", "put", "patch", "delete", "head",
        "request", "fetch", "urlopen", "open_connection", "create_connection", "Client",
        "AsyncClient", "Redis", "StrictRedis", "send",
    }
)  # fmt: skip
# Calls whose result carries the value on: conversions, address constructors, fallbacks.
_PASS_ON = frozenset(
    {
        "from", "new", "V4", "V6", "parse", "into", "to_string", "to_owned", "format",
        "join", "str", "tuple", "ip_address", "unwrap_or", "unwrap_or_else", "or",
        "or_else", "unwrap", "expect", "Field", "field",
    }
)  # fmt: skip
_OPTION_CALLS = frozenset({"add_argument", "option", "Option", "argument", "Argument"})
_ENV_CALLS = frozenset({"getenv", "get", "setdefault"})
_FORMAT_MACROS = frozenset({"format", "concat", "format_args"})
_MAX_STEPS = 12


def bind_all_lines(path: str, language: str, text: str) -> Iterator[tuple[int, int, str]]:
    """(1-based line, column, how the value is used) of each binding to every interface."""
    data = text.encode("utf-8")
    root = parser(language).parse(data).root_node
    seen: set[int] = set()
    for node in _candidates(root, language):
        how = _judge(node, language, root, 0)
        if how is not None and node.start_point.row not in seen:
            seen.add(node.start_point.row)
            yield node.start_point.row + 1, _column(data, node), how


def _candidates(root: Node, language: str) -> Iterator[Node]:
    """Every bind-all value of the tree (literals, and clap attributes with such a default)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if _is_bind_all(node, language):
            yield node
            continue
        stack.extend(reversed(node.children))


def _is_bind_all(node: Node, language: str) -> bool:
    """Whether ``node`` is a bind-all value of ``language``."""
    if node.type in ("string", "string_literal", "raw_string_literal"):
        value = _string_value(_text(node))
        return bool(_BIND_ALL.match(value) or _URL_BIND_ALL.match(value))
    if language != "rust":
        return False
    if node.type == "attribute_item":
        return bool(_ATTRIBUTE_DEFAULT.search(_text(node)))
    if node.type == "scoped_identifier":
        return bool(_UNSPECIFIED.search(_text(node)))
    if node.type == "array_expression":
        return [_text(c) for c in node.named_children] == ["0"] * 4
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        return (
            function is not None
            and _text(function).endswith("Ipv4Addr::new")
            and arguments is not None
            and [_text(c) for c in arguments.named_children] == ["0"] * 4
        )
    return False


def _judge(value: Node, language: str, root: Node, depth: int) -> str | None:
    """How ``value`` reaches a listening socket, or None when it does not."""
    if value.type == "attribute_item":
        return _attribute_default(value)
    is_url = bool(_URL_BIND_ALL.match(_string_value(_text(value))))
    current = value
    for _ in range(_MAX_STEPS):
        parent = current.parent
        if parent is None:
            return None
        step = _step(current, parent, language, is_url)
        if isinstance(step, Node):
            current = step
            continue
        if step == _VARIABLE:
            return _variable_flow(parent, language, root, depth)
        return step or None
    return None


_VARIABLE = "\x00variable"


def _step(current: Node, parent: Node, language: str, is_url: bool) -> Node | str | None:
    """One step up the tree: the node to continue from, a verdict (str), or None (no bind)."""
    kind = parent.type
    if kind in _TRANSPARENT:
        return parent
    if kind in ("argument_list", "arguments"):
        return _argument(current, parent)
    if kind == "token_tree":
        return _macro_argument(parent)
    if kind == "keyword_argument":
        return _keyword(parent, is_url)
    if kind in ("field_expression", "attribute") and current == parent.child_by_field_name(
        "value" if kind == "field_expression" else "object"
    ):
        return parent.parent if parent.parent is not None else None
    name = _bound_name(current, parent)
    if name is None:
        return None
    if _is_listen_name(name) and not is_url:
        return f"`{name}` setting"
    return _VARIABLE if kind in ("assignment", "let_declaration") else None


_TRANSPARENT = frozenset(
    {
        "tuple", "list", "parenthesized_expression", "binary_operator",
        "concatenated_string", "conditional_expression", "expression_list", "await",
        "tuple_expression", "reference_expression", "try_expression", "await_expression",
        "closure_expression", "block", "if_expression", "else_clause",
    }
)  # fmt: skip


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
    return re.split(r"[.:]", _string_value(_text(target)))[-1]


def _argument(current: Node, arguments: Node) -> Node | str | None:
    """A positional argument: a bind call binds, a pass-on call carries it, others stop it."""
    call = arguments.parent
    if call is None:
        return None
    name = _callee(call)
    if name in _BIND_CALLS:
        return f"`{name}(..)`"
    if name in _ENV_CALLS or name in _OPTION_CALLS:
        first = arguments.named_children[0] if arguments.named_children else None
        if first is not None and first != current and _is_listen_name(_text(first)):
            return f"`{_string_value(_text(first))}` default"
        return None
    return call if name in _PASS_ON else None


def _keyword(keyword: Node, is_url: bool) -> Node | str | None:
    """``host="0.0.0.0"`` in a call that is not a client, or an option's ``default=``."""
    name_node = keyword.child_by_field_name("name")
    call = keyword.parent.parent if keyword.parent is not None else None
    if name_node is None or call is None:
        return None
    name, callee = _text(name_node), _callee(call)
    if name == "default" and callee in _OPTION_CALLS:
        siblings = keyword.parent.named_children if keyword.parent is not None else []
        options = [c for c in siblings if c.type == "string"]
        listen = [o for o in options if _is_listen_name(_string_value(_text(o)))]
        return f"`{_string_value(_text(listen[0]))}` default" if listen else None
    if name == "default" and callee in _PASS_ON:
        return call
    if _is_listen_name(name) and callee not in _CLIENT_CALLS and not is_url:
        return f"`{name}=` of `{callee}(..)`"
    return None


def _macro_argument(tree: Node) -> Node | None:
    """A literal in ``format!`` / ``concat!`` carries on; in any other macro it stops."""
    invocation = tree.parent
    if invocation is None or invocation.type != "macro_invocation":
        return None
    macro = invocation.child_by_field_name("macro")
    name = _text(macro).rsplit("::", 1)[-1] if macro is not None else ""
    return invocation if name in _FORMAT_MACROS else None


def _attribute_default(attribute: Node) -> str | None:
    """A clap / structopt ``default_value`` on a field named like a listen address."""
    sibling = attribute.next_named_sibling
    while sibling is not None and sibling.type in ("attribute_item", "line_comment"):
        sibling = sibling.next_named_sibling
    if sibling is None or sibling.type != "field_declaration":
        return None
    name = sibling.child_by_field_name("name")
    if name is not None and _is_listen_name(_text(name)):
        return f"`{_text(name)}` default"
    return None


def _variable_flow(binding: Node, language: str, root: Node, depth: int) -> str | None:
    """Whether the variable a value is assigned to is passed on to a bind in the same file."""
    target = binding.child_by_field_name("left") or binding.child_by_field_name("pattern")
    if target is None or target.type != "identifier" or depth > 0:
        return None
    name = _text(target)
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type == "identifier" and _text(node) == name and node != target:
            how = _judge(node, language, root, depth + 1)
            if how is not None:
                return f"`{name}` passed to {how}"
        stack.extend(node.children)
    return None


def _callee(call: Node) -> str:
    """The last name of a call's function (``sock.bind`` -> ``bind``, ``A::new`` -> ``new``)."""
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    return re.split(r"[.:]", _text(function))[-1]


def _is_listen_name(name: str) -> bool:
    """A name of a listen address (``host``, ``--bind``, ``LISTEN_ADDR``), not of a peer."""
    plain = _string_value(name).lstrip("-")
    return bool(_LISTEN_NAME.search(plain)) and not _PEER_NAME.search(plain)


def _string_value(text: str) -> str:
    """The content of a string literal's text (prefixes and quotes removed)."""
    stripped = text.lstrip("rbfuRBFU#")
    for quote in ('"""', "'''", '"', "'"):
        if stripped.startswith(quote) and stripped.endswith(quote) and len(stripped) >= 2:
            return stripped[len(quote) : -len(quote)]
    return text


def _text(node: Node) -> str:
    """The source text of a node."""
    return (node.text or b"").decode("utf-8", "replace")


def _column(data: bytes, node: Node) -> int:
    """The 1-based column, in characters, where ``node`` starts."""
    line_start = data.rfind(b"\n", 0, node.start_byte) + 1
    return len(data[line_start : node.start_byte].decode("utf-8", "replace")) + 1
