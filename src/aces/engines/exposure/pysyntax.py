"""CORS wildcards and debug mode in Python code, judged on the syntax tree.

Only what the code does counts; a string, a regular expression, a docstring or a
comment that names a setting is not the setting.

- CORS: a CORS middleware or decorator call (``app.add_middleware(CORSMiddleware,
  ..)``, ``Middleware(CORSMiddleware, ..)``, Flask-CORS ``CORS(app, ..)`` /
  ``@cross_origin(..)``, ``aiohttp_cors.setup(app, defaults={"*": ..})``) allowing
  every origin (``"*"`` in ``allow_origins`` / ``origins`` / ``resources``, or
  Flask-CORS with no origins, whose default is every origin), and an
  ``Access-Control-Allow-Origin: *`` header set in code. ``allow_credentials=True``
  / ``supports_credentials=True`` in the same call makes it worse and says so.
- Debug: ``debug=True`` passed to an application or its runner (``app.run``,
  ``FastAPI``, ``Starlette``, ``Flask``, ``Quart``, ``Sanic``, ``run_simple``;
  ``asyncio.run(debug=True)`` is the event loop's debug mode, not a server's),
  ``app.debug = True`` / ``app.config["DEBUG"] = True``, and ``DEBUG = True`` at
  module level of a settings module (``settings.py``, ``config.py``, ``conf.py``,
  ``*_settings.py``, ``*_config.py``, or a module under a ``settings/`` package).
  ``uvicorn.run(.., reload=True)`` is not a finding: the reloader watches files and
  exposes nothing; a debug server is what shows tracebacks and consoles to callers.
"""

from __future__ import annotations

import posixpath
import re

from tree_sitter import Node

from aces.engines.patterns.grammars import parser
from aces.engines.tlsrules.flow import callee, column_of, string_value, text_of
from aces.engines.tlsrules.textscan import Hit

CORS_RULE = "sec.unsafe-exposure.cors-wildcard"
DEBUG_RULE = "sec.unsafe-exposure.debug"
CORS_MESSAGE = "CORS allows every origin"
DEBUG_MESSAGE = "a debug or admin endpoint is enabled"
_CORS_CALLS = frozenset({"CORSMiddleware", "CORS", "cross_origin"})
_MIDDLEWARE_CALLS = frozenset({"add_middleware", "Middleware"})
_ORIGIN_KEYWORDS = frozenset({"allow_origins", "origins", "resources", "allow_origin"})
_CREDENTIAL_KEYWORDS = frozenset({"allow_credentials", "supports_credentials"})
_DEBUG_CALLS = frozenset(
    {"run", "FastAPI", "Starlette", "Flask", "Quart", "Sanic", "Litestar", "run_simple"}
)
_SETTINGS_MODULE = re.compile(r"^(?:settings|config|conf|\w+_settings|\w+_config)\.py$")
_MAYBE = re.compile(r"(?i)cors|cross_origin|debug|access-control")

SHOULD_FLAG: tuple[tuple[str, str, str], ...] = (
    ("app.py", CORS_RULE, 'app.add_middleware(CORSMiddleware, allow_origins=["*"])'),
    ("app.py", CORS_RULE, 'mw = [Middleware(CORSMiddleware, allow_origins=["*"])]'),
    ("app.py", CORS_RULE, "CORS(app)"),
    ("app.py", CORS_RULE, 'CORS(app, origins="*", supports_credentials=True)'),
    ("app.py", CORS_RULE, 'cors = aiohttp_cors.setup(app, defaults={"*": opts})'),
    ("app.py", CORS_RULE, 'resp.headers["Access-Control-Allow-Origin"] = "*"'),
    ("app.py", DEBUG_RULE, "app.run(debug=True)"),
    ("app.py", DEBUG_RULE, "app = FastAPI(debug=True)"),
    ("app.py", DEBUG_RULE, 'app.config["DEBUG"] = True'),
    ("proj/settings.py", DEBUG_RULE, "DEBUG = True"),
)
SHOULD_NOT_FLAG: tuple[tuple[str, str], ...] = (
    ("app.py", 'app.add_middleware(CORSMiddleware, allow_origins=["https://a.example.com"])'),
    ("app.py", 'CORS(app, origins=["https://app.example.com"])'),
    ("app.py", 'PATTERN = re.compile(r"CORS\\(\\s*\\w+\\s*\\)|debug\\s*=\\s*True")'),
    ("app.py", 'SAMPLES = ("app.run(debug=True)", "DEBUG = True")'),
    ("app.py", "# app.run(debug=True)"),
    ("app.py", "app.run(debug=False)"),
    ("app.py", "asyncio.run(main(), debug=True)"),
    ("app.py", 'uvicorn.run("app:app", reload=True)'),
    ("app.py", "DEBUG = True"),
    ("proj/settings.py", "def f():\n    DEBUG = True"),
    ("app.py", "logger.debug('x')"),
)


def scan_python_exposure(path: str, text: str) -> list[Hit]:
    """CORS wildcards and debug settings of one Python file."""
    if not _MAYBE.search(text):
        return []
    data = text.encode("utf-8")
    root = parser("python").parse(data).root_node
    settings = (
        bool(_SETTINGS_MODULE.match(posixpath.basename(path)))
        or "settings" in (path.split("/")[:-1])
    )
    hits: list[Hit] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("string", "comment"):
            continue
        found = _finding(node, settings)
        if found is not None:
            line = node.start_point.row + 1
            hits.append(Hit(found[0], path, line, column_of(data, node), found[1]))
        stack.extend(node.children)
    return sorted(hits, key=lambda h: (h.line, h.column, h.rule_id))


def _finding(node: Node, settings: bool) -> tuple[str, str] | None:
    """(rule id, message) of what a node does, if it is a finding."""
    if node.type == "call":
        return _cors_call(node) or _debug_call(node)
    if node.type == "assignment":
        return _assignment(node, settings)
    return None


def _cors_call(call: Node) -> tuple[str, str] | None:
    """A CORS middleware / decorator call that allows every origin."""
    name = callee(call)
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type != "argument_list":
        return None
    args = arguments.named_children
    keywords = _keywords(arguments)
    if name in _MIDDLEWARE_CALLS:
        if not args or not text_of(args[0]).endswith("CORSMiddleware"):
            return None
    elif text_of(call.child_by_field_name("function") or call).endswith("aiohttp_cors.setup"):
        keywords.setdefault("origins", keywords.get("defaults", arguments))
    elif name not in _CORS_CALLS:
        return None
    origins = [value for key, value in keywords.items() if key in _ORIGIN_KEYWORDS]
    if name in ("CORS", "cross_origin") and not origins:
        wildcard = True  # Flask-CORS allows every origin unless told otherwise
    else:
        wildcard = any(_holds_star(value) for value in origins)
    if not wildcard:
        return None
    credentials = any(
        keywords[k].type == "true" for k in _CREDENTIAL_KEYWORDS if k in keywords
    ) or "allow_credentials=True" in text_of(arguments).replace(" ", "")
    return CORS_RULE, CORS_MESSAGE + (", with credentials" if credentials else "")


def _debug_call(call: Node) -> tuple[str, str] | None:
    """``debug=True`` passed to an application or its runner."""
    function = call.child_by_field_name("function")
    arguments = call.child_by_field_name("arguments")
    if function is None or arguments is None or callee(call) not in _DEBUG_CALLS:
        return None
    if text_of(function).startswith("asyncio."):
        return None
    debug = _keywords(arguments).get("debug")
    return (DEBUG_RULE, DEBUG_MESSAGE) if debug is not None and debug.type == "true" else None


def _assignment(assignment: Node, settings: bool) -> tuple[str, str] | None:
    """A CORS header, ``app.debug = True``, ``config["DEBUG"] = True``, settings ``DEBUG``."""
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    if left is None or right is None:
        return None
    key = _subscript_key(left)
    if key.lower() == "access-control-allow-origin" and _is_star(right):
        return CORS_RULE, CORS_MESSAGE
    if right.type != "true":
        return None
    if key == "DEBUG" or (left.type == "attribute" and text_of(left).endswith(".debug")):
        return DEBUG_RULE, DEBUG_MESSAGE
    module_level = assignment.parent is not None and (
        assignment.parent.parent is not None and assignment.parent.parent.type == "module"
    )
    if settings and module_level and text_of(left) == "DEBUG":
        return DEBUG_RULE, DEBUG_MESSAGE
    return None


def _keywords(arguments: Node) -> dict[str, Node]:
    """Keyword name -> value node of an argument list."""
    out: dict[str, Node] = {}
    for child in arguments.named_children:
        if child.type == "keyword_argument":
            name, value = child.child_by_field_name("name"), child.child_by_field_name("value")
            if name is not None and value is not None:
                out[text_of(name)] = value
    return out


def _subscript_key(node: Node) -> str:
    """The string key of ``x["key"]``, or ""."""
    if node.type != "subscript":
        return ""
    key = node.child_by_field_name("subscript")
    return string_value(text_of(key)) if key is not None and key.type == "string" else ""


def _is_star(node: Node) -> bool:
    return node.type == "string" and string_value(text_of(node)) == "*"


def _holds_star(node: Node) -> bool:
    """Whether a value is ``"*"`` or holds it (a list element, a dict key or value)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if _is_star(current):
            return True
        stack.extend(current.named_children)
    return False
