"""HTTP routes without authentication in Python web code (FastAPI, Starlette, aiohttp, Flask).

A route is sensitive when it changes state (``POST`` / ``PUT`` / ``PATCH`` /
``DELETE``) or its path is administrative (``admin``, ``debug``, ``internal``). A
read-only route (``GET`` / ``HEAD`` / ``OPTIONS``) whose path merely contains a
state-changing word (``ingest``, ``reset``, ``shutdown``, ``purge``, ``flush``) reads
(``GET /ingest/status``); it is sensitive only when its last segment is that word, the
route named after the action it performs (``GET /cache/flush``). Routes whose
path is an authentication step itself (login, logout, sign-up, register, token,
OAuth callbacks, password recovery) are open by design and never flagged. A
sensitive route with no authentication in sight (``routeauth``) is a finding at its
decorator, or at the call that registers it:

- decorators: ``@app.post("/x")``, ``@router.delete(..)``, ``@app.api_route("/x",
  methods=["POST"])``, Flask ``@bp.route("/x", methods=["POST"])``, aiohttp
  ``@routes.post("/x")``;
- calls: ``app.router.add_post("/x", h)``, ``add_route("POST", "/x", h)``,
  ``web.post("/x", h)``, Starlette ``Route("/x", h, methods=["POST"])``,
  ``add_api_route`` / ``add_url_rule``.

A ``GET`` of an ordinary path is reading, not changing: not flagged, unless its
handler hands one of its own parameters (a value the client chooses) to a file-system
call (``os.listdir(path)``, ``open(name)``, ``Path(p)``, ``FileResponse(f)``): such a
route serves the server's files to whoever asks.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from tree_sitter import Node

from aces.engines.exposure.routeauth import (
    FileAuth,
    RepoAuth,
    dependencies_are_auth,
    facts_of,
    function_authenticates,
    walk,
)
from aces.engines.patterns.grammars import parser
from aces.engines.tlsrules.flow import callee, column_of, string_value, text_of
from aces.engines.tlsrules.textscan import Hit

RULE = "sec.unsafe-exposure.unauthenticated-route"
CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_VERB_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_ROUTE_METHODS = frozenset({"route", "api_route"})
_ADD_METHODS = {f"add_{verb}": verb.upper() for verb in ("get", "post", "put", "patch", "delete")}
READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})
# Paths that administer the service: sensitive whatever the method (reading them exposes it).
_ADMIN_PATH = re.compile(r"(?i)(?:^|/)_?(?:admin|debug|internal)(?![a-z])")
_ACTION = r"_?(?:ingest|reset|shutdown|purge|flush)(?![a-z])"
# A state-changing word anywhere: sensitive for a method that may change state.
_ACTION_PATH = re.compile(rf"(?i)(?:^|/){_ACTION}")
# The word as the route's last segment: a read-only method named after the action performs
# it (``GET /cache/flush``); elsewhere it names what is read (``GET /ingest/status``).
_ACTION_ROUTE = re.compile(r"(?i)(?:^|/)_?(?:ingest|reset|shutdown|purge|flush)/?$")
# Calls that list, read or serve the server's files at the path they are given.
_FILE_CALLS = frozenset(
    {
        "open",
        "os.listdir",
        "os.scandir",
        "os.walk",
        "os.open",
        "Path",
        "pathlib.Path",
        "FileResponse",
        "send_file",
        "send_from_directory",
        "web.FileResponse",
    }
)
_PARAMETER_TYPES = frozenset({"typed_parameter", "default_parameter", "typed_default_parameter"})
_AUTH_STEP_PATH = re.compile(
    r"(?i)(?:^|[/_-])(?:log-?in|log-?out|sign-?in|sign-?up|sign-?out|register|token|oauth2?|"
    r"auth|callback|forgot|password|refresh)(?![a-z])"
)
# Web code names its framework, its dependency / middleware machinery or a route registration
# (a `setup_routes(app)` module need not import its framework); other files hold no route and
# no authentication fact, and are not parsed.
WEB_CODE = re.compile(
    r"fastapi|starlette|aiohttp|flask|quart|sanic|litestar|Depends\(|Security\(|middleware|"
    r"before_request|APIRouter|Blueprint|"
    r"\b(?:add_(?:get|post|put|patch|delete|route|routes|api_route|url_rule)|Route)\("
)
NO_FACTS = FileAuth(False, frozenset(), frozenset(), frozenset())
# A route names its path as a string starting with "/" (first, or after a method name).
_MAYBE_ROUTE = re.compile(
    r"\(\s*(?:[\"'][A-Za-z]+[\"']\s*,\s*)?[\"']/|\b(?:path|rule)\s*=\s*[\"']/"
)


@dataclass(frozen=True)
class Route:
    """One HTTP route: methods, path, the node to report at, its handler and its router."""

    methods: tuple[str, ...]
    path: str
    at: Node
    handler: Node | None  # the function definition, when it is in this file
    handler_name: str
    router: str
    registration: Node  # the decorator's or registering call's argument list


def file_auth(text: str) -> FileAuth:
    """The authentication facts of one Python file (``RepoAuth.merge`` joins them)."""
    if not WEB_CODE.search(text):
        return NO_FACTS
    return facts_of(parser("python").parse(text.encode("utf-8")).root_node, text)


def scan_routes(path: str, text: str, repo: RepoAuth) -> list[Hit]:
    """Sensitive routes of one Python file with no authentication in sight."""
    if not (WEB_CODE.search(text) and _MAYBE_ROUTE.search(text)):
        return []
    data = text.encode("utf-8")
    root = parser("python").parse(data).root_node
    local = facts_of(root, text)
    module = posixpath.splitext(posixpath.basename(path))[0]
    functions = _functions(root)
    prefixes = _prefixes(root)
    hits: list[Hit] = []
    for found in _routes(root, functions):
        route = replace(found, path=prefixes.get(found.router, "") + found.path)
        if local.middleware or not _sensitive(route):
            continue
        if _authenticated(route, repo, local, module):
            continue
        label = f"`{'/'.join(route.methods)} {route.path}`"
        message = (
            f"the route {label} ({route.handler_name}) {_what_it_does(route)} "
            "with no authentication dependency, decorator or middleware in sight"
        )
        line = route.at.start_point.row + 1
        hits.append(Hit(RULE, path, line, column_of(data, route.at), message))
    return sorted(hits, key=lambda h: (h.line, h.column))


def _sensitive(route: Route) -> bool:
    if _AUTH_STEP_PATH.search(route.path):
        return False
    if set(route.methods) & CHANGING or _ADMIN_PATH.search(route.path):
        return True
    if set(route.methods) <= READ_ONLY:
        return bool(_ACTION_ROUTE.search(route.path)) or _serves_client_path(route.handler)
    return bool(_ACTION_PATH.search(route.path))


def _what_it_does(route: Route) -> str:
    """Why the route is sensitive, as the finding says it."""
    if set(route.methods) <= READ_ONLY and _serves_client_path(route.handler):
        return "serves the server's files at a path the client chooses"
    return "changes state or administers the service"


def _serves_client_path(handler: Node | None) -> bool:
    """Whether the handler gives one of its parameters to a file-system call."""
    body = handler.child_by_field_name("body") if handler is not None else None
    names = _parameter_names(handler) if handler is not None else frozenset()
    if body is None or not names:
        return False
    for node in walk(body):
        function = node.child_by_field_name("function") if node.type == "call" else None
        if function is None or _node_text(function) not in _FILE_CALLS:
            continue
        arguments = node.child_by_field_name("arguments")
        if arguments is not None and any(
            inner.type == "identifier" and _node_text(inner) in names for inner in walk(arguments)
        ):
            return True
    return False


def _parameter_names(handler: Node) -> frozenset[str]:
    """The names of a function definition's parameters (``self`` aside)."""
    parameters = handler.child_by_field_name("parameters")
    names: set[str] = set()
    for child in parameters.named_children if parameters is not None else ():
        if child.type in _PARAMETER_TYPES:
            child = child.child_by_field_name("name") or child.named_children[0]
        if child.type == "identifier":
            names.add(_node_text(child))
    return frozenset(names - {"self", "cls"})


def _node_text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _authenticated(route: Route, repo: RepoAuth, local: FileAuth, module: str) -> bool:
    if repo.covers(route.router, module) or route.router in local.routers:
        return True
    if dependencies_are_auth(route.registration):
        return True
    if route.handler is not None:
        return function_authenticates(route.handler, repo.aliases | local.aliases)
    return route.handler_name.rsplit(".", 1)[-1] in repo.functions


def _functions(root: Node) -> dict[str, Node]:
    """Function definitions of the file by name."""
    out: dict[str, Node] = {}
    for node in walk(root):
        name = node.child_by_field_name("name") if node.type == "function_definition" else None
        if name is not None:
            out.setdefault(text_of(name), node)
    return out


def _prefixes(root: Node) -> dict[str, str]:
    """Router name -> path prefix: ``r = APIRouter(prefix="/admin")``, ``Blueprint(..,
    url_prefix="/admin")``; the prefix is part of every path the router serves."""
    out: dict[str, str] = {}
    for node in walk(root):
        if node.type != "assignment":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        arguments = right.child_by_field_name("arguments") if right is not None else None
        if left is None or right is None or right.type != "call" or arguments is None:
            continue
        prefix = _keyword(arguments, ("prefix", "url_prefix"))
        if prefix is not None and _is_path(prefix):
            out[text_of(left)] = string_value(text_of(prefix)).rstrip("/")
    return out


def _routes(root: Node, functions: dict[str, Node]) -> Iterator[Route]:
    for node in walk(root):
        if node.type == "decorator":
            route = _decorator_route(node)
        elif node.type == "call" and node.parent is not None and node.parent.type != "decorator":
            route = _call_route(node, functions)
        else:
            route = None
        if route is not None:
            yield route


def _decorator_route(decorator: Node) -> Route | None:
    """``@app.post("/x")``, ``@bp.route("/x", methods=[..])`` on a function."""
    call = decorator.named_children[0] if decorator.named_children else None
    definition = decorator.parent.child_by_field_name("definition") if decorator.parent else None
    if call is None or call.type != "call" or definition is None:
        return None
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or function.type != "attribute" or arguments is None:
        return None
    owner, method = _owner_and_method(function)
    path = _path(arguments)
    if path is None:
        return None
    if method in _VERB_METHODS:
        methods: tuple[str, ...] = (method.upper(),)
    elif method in _ROUTE_METHODS:
        methods = _methods_keyword(arguments) or ("GET",)
    else:
        return None
    name = definition.child_by_field_name("name")
    handler_name = text_of(name) if name is not None else "?"
    return Route(methods, path, decorator, definition, handler_name, owner, arguments)


def _call_route(call: Node, functions: dict[str, Node]) -> Route | None:
    """``add_post("/x", h)``, ``add_route("POST", "/x", h)``, ``web.post("/x", h)``,
    ``Route("/x", h, methods=[..])``, ``add_api_route`` / ``add_url_rule``."""
    name = callee(call)
    arguments = call.child_by_field_name("arguments")
    function = call.child_by_field_name("function")
    if arguments is None or function is None:
        return None
    positional = [a for a in arguments.named_children if a.type != "keyword_argument"]
    owner = _owner_and_method(function)[0] if function.type == "attribute" else ""
    if name in _ADD_METHODS:
        methods: tuple[str, ...] = (_ADD_METHODS[name],)
        handler = positional[1] if len(positional) > 1 else None
    elif name == "add_route" and positional and not _is_path(positional[0]):
        methods = (string_value(text_of(positional[0])).upper(),)
        positional = positional[1:]
        handler = positional[1] if len(positional) > 1 else None
    elif name in _VERB_METHODS and owner.rsplit(".", 1)[-1] == "web":
        methods = (name.upper(),)
        handler = positional[1] if len(positional) > 1 else None
    elif name in ("Route", "add_route", "add_api_route", "add_url_rule"):
        methods = _methods_keyword(arguments) or ("GET",)
        handler = _keyword(arguments, ("endpoint", "view_func", "handler"))
        handler = handler or (positional[1] if len(positional) > 1 else None)
    else:
        return None
    if positional and _is_path(positional[0]):
        path: str | None = string_value(text_of(positional[0]))
    else:
        path = None if positional else _path(arguments)
    if path is None:
        return None
    handler_name = text_of(handler) if handler is not None else "?"
    definition = functions.get(handler_name.rsplit(".", 1)[-1]) if "." not in handler_name else None
    router = owner.removesuffix(".router")
    return Route(methods, path, call, definition, handler_name, router, arguments)


def _owner_and_method(function: Node) -> tuple[str, str]:
    """(``app``, ``post``) of ``app.post``; (``api.router``, ``get``) of ``api.router.get``."""
    owner = function.child_by_field_name("object")
    method = function.child_by_field_name("attribute")
    return (text_of(owner) if owner else ""), (text_of(method) if method else "")


def _is_path(node: Node) -> bool:
    return node.type == "string" and string_value(text_of(node)).startswith("/")


def _path(arguments: Node) -> str | None:
    """The route path: the first positional string starting with ``/``, or ``path=``."""
    for child in arguments.named_children:
        if child.type == "keyword_argument":
            break
        if child.type == "string":
            return string_value(text_of(child)) if _is_path(child) else None
    keyword = _keyword(arguments, ("path", "rule"))
    return string_value(text_of(keyword)) if keyword is not None and _is_path(keyword) else None


def _keyword(arguments: Node, names: tuple[str, ...]) -> Node | None:
    for child in arguments.named_children:
        name = child.child_by_field_name("name") if child.type == "keyword_argument" else None
        if name is not None and text_of(name) in names:
            return child.child_by_field_name("value")
    return None


def _methods_keyword(arguments: Node) -> tuple[str, ...]:
    """The upper-cased strings of ``methods=[..]``."""
    value = _keyword(arguments, ("methods",))
    if value is None:
        return ()
    found = [c for c in walk(value) if c.type == "string"]
    return tuple(string_value(text_of(c)).upper() for c in found)
