"""TLS verification switched off in Python code, judged on the syntax tree.

A setting is a finding only where the code makes it, never where a string, a
regular expression, a docstring or a comment names it:

- ``verify=False`` (and ``verify_ssl=False``) as a keyword argument of a call
  (``requests.get``, ``httpx.Client``, ``aiohttp`` requests, ``boto3.client``; not
  ``jwt.decode(.., verify=False)``, a signature check judged by crypto misuse), and
  ``ssl=False`` as one of an HTTP request or connector call (``session.get``,
  ``TCPConnector``);
- ``ssl.CERT_NONE`` (or ``"CERT_NONE"``) assigned to ``verify_mode`` or passed as
  ``cert_reqs=`` / ``verify_mode=``;
- ``ssl._create_unverified_context`` called, or installed as the default context;
- ``check_hostname = False`` assigned, or passed as ``check_hostname=False``;
- ``sslmode`` ``disable`` / ``allow`` / ``prefer`` as a keyword argument or a dict
  entry (a DSN string holding it is judged by where it flows, ``connections``).
"""

from __future__ import annotations

import re

from tree_sitter import Node

from aces.engines.patterns.grammars import parser
from aces.engines.tlsrules.flow import callee, column_of, string_value, text_of
from aces.engines.tlsrules.textscan import Hit

VERIFY_FALSE = "sec.tls.python-verify-false"
CERT_NONE = "sec.tls.python-cert-none"
UNVERIFIED = "sec.tls.python-unverified-context"
NO_HOSTNAME = "sec.tls.python-no-hostname-check"
SSLMODE = "sec.tls.sslmode-disable"
MESSAGES = {
    VERIFY_FALSE: "TLS certificate verification is switched off (verify=False)",
    CERT_NONE: "the SSL context accepts any certificate (CERT_NONE)",
    UNVERIFIED: "an unverified SSL context is created",
    NO_HOSTNAME: "hostname verification is switched off (check_hostname = False)",
    SSLMODE: "the Postgres connection does not require TLS (sslmode disable/allow/prefer)",
}
WEAK_SSLMODES = frozenset({"disable", "allow", "prefer"})
_REQUEST_CALLS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "ws_connect"}
    | {"TCPConnector", "ClientSession"}
)
_TOKEN_CALLS = frozenset({"decode", "decode_complete"})
_MAYBE = re.compile(r"verify|CERT_NONE|_create_unverified_context|check_hostname|sslmode|ssl")

# Code samples the tests run: (rule id, code) that must flag, code that must not.
SHOULD_FLAG: tuple[tuple[str, str], ...] = (
    (VERIFY_FALSE, "requests.get(url, verify=False)"),
    (VERIFY_FALSE, "client = httpx.Client(verify = False)"),
    (VERIFY_FALSE, "async with session.get(url, ssl=False) as r:\n    pass"),
    (CERT_NONE, "ctx.verify_mode = ssl.CERT_NONE"),
    (CERT_NONE, "http = urllib3.PoolManager(cert_reqs=ssl.CERT_NONE)"),
    (CERT_NONE, 'http = urllib3.PoolManager(cert_reqs="CERT_NONE")'),
    (UNVERIFIED, "ctx = ssl._create_unverified_context()"),
    (UNVERIFIED, "ssl._create_default_https_context = ssl._create_unverified_context"),
    (NO_HOSTNAME, "ctx.check_hostname = False"),
    (SSLMODE, 'conn = psycopg.connect(host=h, sslmode="prefer")'),
    (SSLMODE, 'kwargs = {"sslmode": "disable"}'),
)
SHOULD_NOT_FLAG: tuple[str, ...] = (
    "requests.get(url, verify=True)",
    "verify = False",
    'PATTERN = re.compile(r"\\bverify\\s*=\\s*False\\b")',
    'SAMPLES = ("requests.get(url, verify=False)", "ctx.verify_mode = ssl.CERT_NONE")',
    '"""Never call ssl._create_unverified_context() or set check_hostname = False."""',
    "# ctx.check_hostname = False",
    "ctx.verify_mode = ssl.CERT_REQUIRED",
    "ctx.check_hostname = True",
    "if mode == ssl.CERT_NONE:\n    raise ValueError(mode)",
    'conn = psycopg.connect(host=h, sslmode="verify-full")',
    "asyncpg.connect(dsn, ssl=False)",
    "claims = jwt.decode(token, verify=False)",
)


def scan_python_tls(path: str, text: str) -> list[Hit]:
    """The TLS settings of one Python file that switch verification off."""
    if not _MAYBE.search(text):
        return []
    data = text.encode("utf-8")
    root = parser("python").parse(data).root_node
    hits: list[Hit] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in ("string", "comment"):
            continue
        rule = _rule_at(node)
        if rule is not None:
            line = node.start_point.row + 1
            hits.append(Hit(rule, path, line, column_of(data, node), MESSAGES[rule]))
        stack.extend(node.children)
    return sorted(hits, key=lambda h: (h.line, h.column, h.rule_id))


def _rule_at(node: Node) -> str | None:
    """The rule a node breaks, if any."""
    if node.type == "keyword_argument":
        return _keyword_rule(node)
    if node.type == "assignment":
        return _assignment_rule(node)
    if node.type == "call":
        function = node.child_by_field_name("function")
        if function is not None and text_of(function).endswith("_create_unverified_context"):
            return UNVERIFIED
    if node.type == "pair":
        key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
        if key is not None and value is not None and string_value(text_of(key)) == "sslmode":
            return SSLMODE if _weak_sslmode(value) else None
    return None


def _keyword_rule(keyword: Node) -> str | None:
    """``verify=False``, ``cert_reqs=CERT_NONE``, ``check_hostname=False``, ``sslmode=``."""
    name_node, value = keyword.child_by_field_name("name"), keyword.child_by_field_name("value")
    if name_node is None or value is None:
        return None
    name = text_of(name_node)
    if name in ("verify", "verify_ssl") and value.type == "false":
        # `jwt.decode(t, verify=False)` skips a signature check: sec.crypto-misuse's, not TLS
        return None if _call_name(keyword) in _TOKEN_CALLS else VERIFY_FALSE
    if name == "ssl" and value.type == "false" and _call_name(keyword) in _REQUEST_CALLS:
        return VERIFY_FALSE
    if name in ("cert_reqs", "verify_mode") and _is_cert_none(value):
        return CERT_NONE
    if name == "check_hostname" and value.type == "false":
        return NO_HOSTNAME
    if name == "sslmode" and _weak_sslmode(value):
        return SSLMODE
    return None


def _assignment_rule(assignment: Node) -> str | None:
    """``x.verify_mode = CERT_NONE``, ``x.check_hostname = False``, the unverified default."""
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    if left is None or right is None:
        return None
    target = re.split(r"[.]", text_of(left))[-1]
    if target == "verify_mode" and _is_cert_none(right):
        return CERT_NONE
    if target == "check_hostname" and right.type == "false":
        return NO_HOSTNAME
    if right.type in ("attribute", "identifier") and text_of(right).endswith(
        "_create_unverified_context"
    ):
        return UNVERIFIED
    return None


def _call_name(keyword: Node) -> str:
    """The last name of the call a keyword argument belongs to."""
    arguments = keyword.parent
    call = arguments.parent if arguments is not None else None
    return callee(call) if call is not None and call.type == "call" else ""


def _is_cert_none(value: Node) -> bool:
    """``ssl.CERT_NONE``, ``CERT_NONE``, ``VerifyMode.CERT_NONE`` or ``"CERT_NONE"``."""
    if value.type == "string":
        return string_value(text_of(value)) == "CERT_NONE"
    return value.type in ("attribute", "identifier") and text_of(value).endswith("CERT_NONE")


def _weak_sslmode(value: Node) -> bool:
    """A string literal naming an sslmode that does not require TLS."""
    return value.type == "string" and string_value(text_of(value)).lower() in WEAK_SSLMODES
