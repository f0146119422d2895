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
from aces.engines.tlsrules.flow import Sink, column_of, judge, string_value, text_of

_BIND_ALL = re.compile(r"^(?:(?:0\.0\.0\.0|\[::\])(?::\S*)?|::)$")
_URL_BIND_ALL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:0\.0\.0\.0|\[::\])", re.IGNORECASE)
_IPV4_OCTETS = 4
# Files without any of these spellings hold no bind-all value: they are not parsed.
_MAYBE_BIND_ALL = re.compile(
    r"0\.0\.0\.0|[\"'\[]::[\"'\]]|UNSPECIFIED|\[\s*0\s*,\s*0\s*,|Ipv4Addr::new\(\s*0\s*,"
)
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
    [
        "bind",
        "bind_addr",
        "bind_to",
        "try_bind",
        "bind_rustls",
        "bind_openssl",
        "listen",
        "listen_on",
        "serve",
        "run",
        "run_app",
        "start_server",
        "create_server",
        "make_server",
        "HTTPServer",
        "ThreadingHTTPServer",
        "TCPServer",
        "UDPServer",
        "ThreadingTCPServer",
        "WSGIServer",
    ]
)
_CLIENT_CALLS = frozenset(
    [
        "connect",
        "connect_async",
        "get",
        "post",
        "put",
        "patch",
        "delete",
        "head",
        "request",
        "fetch",
        "urlopen",
        "open_connection",
        "create_connection",
        "Client",
        "AsyncClient",
        "Redis",
        "StrictRedis",
        "send",
    ]
)


def is_listen_name(name: str) -> bool:
    """A name of a listen address (``host``, ``--bind``, ``LISTEN_ADDR``), not of a peer."""
    plain = string_value(name).lstrip("-")
    return bool(_LISTEN_NAME.search(plain)) and not _PEER_NAME.search(plain)


LISTEN = Sink(_BIND_CALLS, is_listen_name, _CLIENT_CALLS)


def bind_all_lines(path: str, language: str, text: str) -> Iterator[tuple[int, int, str]]:
    """(1-based line, column, how the value is used) of each binding to every interface."""
    del path
    if not _MAYBE_BIND_ALL.search(text):
        return
    data = text.encode("utf-8")
    root = parser(language).parse(data).root_node
    seen: set[int] = set()
    for node in _candidates(root, language):
        if node.type == "attribute_item":
            how = _attribute_default(node)
        else:
            is_url = bool(_URL_BIND_ALL.match(string_value(text_of(node))))
            how = judge(node, LISTEN, root, by_name=not is_url)
        if how is not None and node.start_point.row not in seen:
            seen.add(node.start_point.row)
            yield node.start_point.row + 1, column_of(data, node), how


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
        value = string_value(text_of(node))
        return bool(_BIND_ALL.match(value) or _URL_BIND_ALL.match(value))
    return language == "rust" and _is_rust_bind_all(node)


def _is_rust_bind_all(node: Node) -> bool:
    """A clap default, ``Ipv4Addr::UNSPECIFIED``, ``[0, 0, 0, 0]``, ``Ipv4Addr::new(0, ..)``."""
    if node.type == "attribute_item":
        return bool(_ATTRIBUTE_DEFAULT.search(text_of(node)))
    if node.type == "scoped_identifier":
        return bool(_UNSPECIFIED.search(text_of(node)))
    if node.type == "array_expression":
        return _all_zero_octets(node)
    if node.type != "call_expression":
        return False
    function = node.child_by_field_name("function")
    arguments = node.child_by_field_name("arguments")
    return (
        function is not None
        and text_of(function).endswith("Ipv4Addr::new")
        and arguments is not None
        and _all_zero_octets(arguments)
    )


def _all_zero_octets(node: Node) -> bool:
    """Whether the node's children are the four octets ``0, 0, 0, 0``."""
    return [text_of(c) for c in node.named_children] == ["0"] * _IPV4_OCTETS


def _attribute_default(attribute: Node) -> str | None:
    """A clap / structopt ``default_value`` on a field named like a listen address."""
    sibling = attribute.next_named_sibling
    while sibling is not None and sibling.type in ("attribute_item", "line_comment"):
        sibling = sibling.next_named_sibling
    if sibling is None or sibling.type != "field_declaration":
        return None
    name = sibling.child_by_field_name("name")
    if name is not None and is_listen_name(text_of(name)):
        return f"`{text_of(name)}` default"
    return None
