"""What authenticates an HTTP route in Python code: dependencies, decorators, middleware.

A route is authenticated when one of these shows it, on the syntax tree:

- a decorator of the handler naming authentication (``@login_required``,
  ``@requires("authenticated")``, ``@jwt_required()``, ``@permission_required``);
- a FastAPI dependency naming it, in the handler's parameters or the route's
  ``dependencies=[..]``: ``Depends(x)`` where ``x`` names auth / user / token /
  API key / security / permission / credentials, and any ``Security(..)``;
- a call in the handler's body naming it (``authenticate(request)``,
  ``verify_token(..)``, ``require_admin(..)``, ``check_api_key(..)``);
- the router or application the route belongs to: ``APIRouter(dependencies=[..])``,
  ``FastAPI(dependencies=[..])``, ``include_router(r, dependencies=[..])``, a Flask
  blueprint or app with a ``before_request`` hook naming authentication;
- application-level authentication middleware anywhere in the repository:
  ``add_middleware(AuthenticationMiddleware, ..)``, ``Middleware(AuthMiddleware)``,
  aiohttp ``middlewares=[auth_middleware]``, ``@web.middleware`` on a function
  naming auth, Flask ``before_request`` on the app.

``facts_of`` reads one file; ``RepoAuth.merge`` joins the files of a repository,
since the application that mounts a router often lives in another module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tree_sitter import Node

from aces.engines.tlsrules.flow import callee, text_of

AUTH_NAME = re.compile(
    r"(?i)auth|login|token|jwt|bearer|oauth|api_?key|apikey|secur|permission|principal|"
    r"credential|user\b|admin|requires?_|\brequires\b|roles?_required|"
    r"verify_(?:key|signature|request|hmac|api)|signature|identity|scopes?\b|protected|guard"
)
# A call in a handler's body that authenticates (stricter: ``User(..)`` builds a user).
BODY_AUTH = re.compile(
    r"(?i)authenticat|authoriz|check_(?:auth|token|api_?key|permission|signature|admin)|"
    r"verify_(?:\w*token|key|\w*signature|api_?key|request|hmac|jwt|password)|requires?_|"
    r"ensure_(?:auth|admin|user|permission)|api_?key|jwt|permission"
)
# Text a file must hold for any fact to be in it (middleware, hooks, auth calls, decorators).
_MAYBE_FACTS = re.compile(
    r"(?i)middleware|before_(?:app_)?request|authenticat|authoriz|check_|verify_|require|"
    r"ensure_|api_?key|jwt|permission|@\w*(?:login|auth|token|admin|role)"
)
_MIDDLEWARE_HOOKS = frozenset({"before_request", "before_app_request"})
_ROUTER_FACTORIES = frozenset({"APIRouter", "FastAPI", "Blueprint", "Flask", "Starlette"})


@dataclass(frozen=True)
class FileAuth:
    """The authentication one file declares beyond single routes."""

    middleware: bool  # application-level authentication middleware or hook
    routers: frozenset[str]  # names / dotted refs of routers or apps whose routes are covered
    functions: frozenset[str]  # functions that authenticate themselves (handlers elsewhere)
    aliases: frozenset[str]  # `CurrentUser = Annotated[User, Depends(get_current_user)]`


@dataclass(frozen=True)
class RepoAuth:
    """The authentication facts of a whole repository."""

    middleware: bool = False
    routers: frozenset[str] = frozenset()
    functions: frozenset[str] = frozenset()
    aliases: frozenset[str] = frozenset()

    @staticmethod
    def merge(files: Iterable[FileAuth]) -> RepoAuth:
        """The union of the files' facts."""
        middleware, routers, functions, aliases = False, set[str](), set[str](), set[str]()
        for facts in files:
            middleware = middleware or facts.middleware
            routers |= facts.routers
            functions |= facts.functions
            aliases |= facts.aliases
        return RepoAuth(middleware, frozenset(routers), frozenset(functions), frozenset(aliases))

    def covers(self, router: str, module: str) -> bool:
        """Whether a router named ``router`` in ``module`` (file stem) is covered."""
        return self.middleware or router in self.routers or f"{module}.{router}" in self.routers


def facts_of(root: Node, text: str) -> FileAuth:
    """The middleware, covered routers, auth aliases and self-authenticating functions of one
    file (``text`` is its source: files that name none of them are not walked)."""
    middleware = False
    routers: set[str] = set()
    definitions: list[Node] = []
    has_dependencies = "Depends(" in text or "Security(" in text
    aliases = frozenset(_auth_aliases(root)) if has_dependencies else frozenset()
    if has_dependencies or _MAYBE_FACTS.search(text):
        for node in walk(root):
            if node.type == "call":
                middleware = middleware or _is_auth_middleware(node)
                routers.update(_covered_router(node))
            elif node.type == "decorated_definition":
                middleware = middleware or _is_auth_hook(node, routers)
            elif node.type == "function_definition":
                definitions.append(node)
    functions = {
        text_of(name)
        for node in definitions
        if function_authenticates(node, aliases)
        and (name := node.child_by_field_name("name")) is not None
    }
    return FileAuth(middleware, frozenset(routers), frozenset(functions), aliases)


def _auth_aliases(root: Node) -> Iterator[str]:
    """Names assigned a type or value holding an auth dependency (``CurrentUser = Annotated[
    User, Depends(get_current_user)]``)."""
    for node in walk(root):
        if node.type != "assignment":
            continue
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None or left.type != "identifier":
            continue
        calls = [right] if right.type == "call" else []
        if any(dependency_is_auth(c) for c in [*calls, *calls_in(right)]):
            yield text_of(left)


def function_authenticates(function: Node, aliases: frozenset[str] = frozenset()) -> bool:
    """An auth decorator, an auth dependency parameter (or an alias of one), or an auth call
    in the body."""
    parent = function.parent
    if parent is not None and parent.type == "decorated_definition":
        # the decorator's own name, not its object: `@admin.get(..)` is a route of the
        # `admin` router, `@auth.login_required` a check
        labels = (_decorator_name(d) for d in parent.children if d.type == "decorator")
        if any(_names_auth(label.rsplit(".", 1)[-1]) for label in labels):
            return True
    parameters = function.child_by_field_name("parameters")
    if parameters is not None:
        if any(dependency_is_auth(c) for c in calls_in(parameters)):
            return True
        names = {text_of(n) for n in walk(parameters) if n.type == "identifier"}
        if names & aliases:
            return True
    body = function.child_by_field_name("body")
    return body is not None and any(BODY_AUTH.search(callee(c)) for c in calls_in(body))


def dependency_is_auth(call: Node) -> bool:
    """``Security(..)``, or ``Depends(x)`` with ``x`` naming authentication."""
    name = callee(call)
    if name == "Security":
        return True
    arguments = call.child_by_field_name("arguments")
    return name == "Depends" and arguments is not None and _names_auth(text_of(arguments))


def dependencies_are_auth(arguments: Node) -> bool:
    """Whether a call's ``dependencies=[..]`` keyword holds an auth dependency."""
    for keyword in arguments.named_children:
        name = keyword.child_by_field_name("name") if keyword.type == "keyword_argument" else None
        if (
            name is not None
            and text_of(name) == "dependencies"
            and any(dependency_is_auth(c) for c in calls_in(keyword))
        ):
            return True
    return False


def _covered_router(call: Node) -> Iterator[str]:
    """``r = APIRouter(dependencies=[auth])``'s ``r``; ``include_router(x.r, dependencies=..)``'s
    ``x.r``."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None or not dependencies_are_auth(arguments):
        return
    name = callee(call)
    if name in ("include_router", "mount") and arguments.named_children:
        yield text_of(arguments.named_children[0])
    elif name in _ROUTER_FACTORIES:
        target = _assigned_name(call)
        if target:
            yield target


def _assigned_name(call: Node) -> str:
    """The name a call's result is assigned to (``router = APIRouter(..)``), or ""."""
    parent = call.parent
    if parent is not None and parent.type == "assignment":
        left = parent.child_by_field_name("left")
        return text_of(left) if left is not None and left.type == "identifier" else ""
    return ""


def _is_auth_middleware(call: Node) -> bool:
    """``add_middleware(AuthMiddleware)``, ``Middleware(AuthMiddleware)``,
    ``middlewares=[auth_middleware]``, ``app.before_request(check_auth)``."""
    name = callee(call)
    arguments = call.child_by_field_name("arguments")
    if arguments is None or not arguments.named_children:
        return False
    first = arguments.named_children[0]
    if name in ("add_middleware", "Middleware", *_MIDDLEWARE_HOOKS):
        return first.type != "keyword_argument" and _names_auth(text_of(first))
    for keyword in arguments.named_children:
        key = keyword.child_by_field_name("name") if keyword.type == "keyword_argument" else None
        if key is not None and text_of(key) in ("middlewares", "middleware"):
            value = keyword.child_by_field_name("value")
            return value is not None and _names_auth(text_of(value))
    return False


def _is_auth_hook(definition: Node, routers: set[str]) -> bool:
    """``@web.middleware`` on an auth function; ``@app.before_request`` that authenticates
    (``@bp.before_request`` covers the blueprint ``bp`` only)."""
    function = definition.child_by_field_name("definition")
    if function is None or function.type != "function_definition":
        return False
    name_node = function.child_by_field_name("name")
    named_auth = name_node is not None and _names_auth(text_of(name_node))
    body = function.child_by_field_name("body")
    body_auth = body is not None and any(BODY_AUTH.search(callee(c)) for c in calls_in(body))
    for decorator in definition.children:
        if decorator.type != "decorator":
            continue
        label = _decorator_name(decorator)
        if label.endswith(".middleware") and named_auth:
            return True
        owner, _, hook = label.rpartition(".")
        if hook in _MIDDLEWARE_HOOKS and (named_auth or body_auth):
            if owner in ("app", "application", ""):
                return True
            routers.add(owner)
    return False


def _decorator_name(decorator: Node) -> str:
    """``login_required`` of ``@login_required`` / ``@auth.login_required()``, dotted."""
    expression = decorator.named_children[0] if decorator.named_children else decorator
    if expression.type == "call":
        function = expression.child_by_field_name("function")
        arguments = expression.child_by_field_name("arguments")
        label = text_of(function) if function is not None else ""
        if label.rsplit(".", 1)[-1] == "requires" and arguments is not None:
            return "requires"  # Starlette's @requires("authenticated")
        return label
    return text_of(expression)


def _names_auth(text: str) -> bool:
    return bool(AUTH_NAME.search(text))


def calls_in(node: Node) -> Iterator[Node]:
    """Every call below ``node`` (not inside nested function definitions)."""
    stack = list(node.children)
    while stack:
        current = stack.pop()
        if current.type == "call":
            yield current
        if current.type not in ("function_definition", "lambda"):
            stack.extend(current.children)


def walk(root: Node) -> Iterator[Node]:
    """Every node of the tree, strings and comments not entered."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        if node.type not in ("string", "comment"):
            stack.extend(node.children)
