"""Plaintext connection URLs in Python and Rust code, judged by where the URL flows.

A ``nats://`` / ``redis://`` / ``postgres://`` URL to a non-local host in code is a
plaintext connection only when the syntax tree shows it reaching a connection: an
argument of a connect call (``nats.connect(url)``, ``psycopg.connect(dsn)``,
``create_engine``, ``Redis.from_url``, ``PgPool::connect``, ``redis::Client::open``),
a connection keyword (``servers=[...]``, ``dsn=``, ``url=``), or a setting named
like a connection (``DATABASE_URL``, ``nats_url``, ``dsn``, ``servers``), directly or
through a variable passed to such a call (``flow``); a function's local variable is
judged by its uses alone, whatever its name (a test's ``dsn = "postgres://.."`` that
is only redacted or parsed connects nowhere). A URL in a log line, a
docstring, a test assertion or a reference string (``"postgres://events/outbox"``
used as a name) is not a connection. A URL whose host is a template placeholder
(``f"nats://{host}:4222"``) names no host to judge and is left to the setting that
fills it. A DSN whose ``sslmode`` is ``disable`` / ``allow`` / ``prefer`` is judged the
same way. The other Python settings are judged on the syntax tree (``pysyntax``),
Rust's by the line rules over code with its strings and comments blanked.
Configuration files and Elixir keep the line rules (``static``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from aces.engines.patterns.grammars import parser
from aces.engines.tlsrules.composenet import local_service_names
from aces.engines.tlsrules.flow import Sink, column_of, judge, string_value, text_of
from aces.engines.tlsrules.pysyntax import MESSAGES, SSLMODE, scan_python_tls
from aces.engines.tlsrules.static import (
    PLAINTEXT_MESSAGE,
    PLAINTEXT_RULE,
    PLAINTEXT_URL,
    TLS_RULES,
    plaintext_url_reason,
    url_host,
)
from aces.engines.tlsrules.textscan import Hit, kind_of, scan_lines

SYNTAX_KINDS = frozenset({"python", "rust"})
_WEAK_SSLMODE = re.compile(r"\bsslmode\s*=\s*(?:disable|allow|prefer)\b", re.IGNORECASE)
_STRINGS = frozenset({"string", "string_literal", "raw_string_literal"})
_CONNECT_CALLS = frozenset(
    [
        "connect",
        "connect_lazy",
        "connect_with",
        "connect_async",
        "create_pool",
        "create_engine",
        "create_async_engine",
        "from_url",
        "open",
        "establish",
        "Connection",
        "AsyncConnection",
        "ConnectionPool",
        "AsyncConnectionPool",
        "Pool",
        "Client",
        "NATS",
        "Redis",
        "StrictRedis",
    ]
)
_CONNECTION_NAME = re.compile(
    r"(?i)url|uri|dsn|conninfo|connection|servers?$|broker|nats|redis|valkey|postgres|"
    r"database|(?:^|_)(?:pg|db)(?:$|_)"
)


def is_connection_name(name: str) -> bool:
    """A name of a connection setting (``DATABASE_URL``, ``nats_url``, ``dsn``, ``servers``)."""
    return bool(_CONNECTION_NAME.search(name.strip("\"'").lstrip("-")))


# A URL in a function's local `dsn` / `url` is a connection only where it is used as one.
CONNECTION = Sink(_CONNECT_CALLS, is_connection_name, named_locals=False)


def scan_tls(path: str, text: str) -> list[Hit]:
    """The static TLS rules' hits in one file, plaintext URLs in code judged by their flow."""
    hits = _off_the_compose_network(path, text, scan_lines(path, text, TLS_RULES))
    kind = kind_of(path)
    if kind == "python":
        hits.extend(scan_python_tls(path, text))
    if kind in SYNTAX_KINDS:
        hits.extend(
            Hit(PLAINTEXT_RULE, path, line, column, f"{PLAINTEXT_MESSAGE}: {reason}")
            for line, column, reason in plaintext_connection_lines(kind, text)
        )
        hits.extend(
            Hit(SSLMODE, path, line, column, f"{MESSAGES[SSLMODE]}, used as {how}")
            for line, column, how in weak_dsn_lines(kind, text)
        )
    return sorted(hits, key=lambda h: (h.line, h.column, h.rule_id))


def _off_the_compose_network(path: str, text: str, hits: list[Hit]) -> list[Hit]:
    """``hits`` without the URLs to a service of the same single-host compose file."""
    services = local_service_names(path, text)
    if not services:
        return hits
    lines = text.splitlines()
    return [hit for hit in hits if url_host(lines[hit.line - 1][hit.column - 1 :]) not in services]


def plaintext_connection_lines(language: str, text: str) -> Iterator[tuple[int, int, str]]:
    """(1-based line, column, reason) of each plaintext URL that reaches a connection."""
    if not PLAINTEXT_URL.search(text):
        return  # no such URL: nothing to parse
    data = text.encode("utf-8")
    root = parser(language).parse(data).root_node
    for node in _strings(root):
        reason = _reason(text_of(node))
        if reason is None:
            continue
        how = judge(node, CONNECTION, root)
        if how is not None:
            yield node.start_point.row + 1, column_of(data, node), f"{reason}, used as {how}"


def weak_dsn_lines(language: str, text: str) -> Iterator[tuple[int, int, str]]:
    """(1-based line, column, how it is used) of each weak-``sslmode`` DSN reaching a connection."""
    if not _WEAK_SSLMODE.search(text):
        return
    data = text.encode("utf-8")
    root = parser(language).parse(data).root_node
    for node in _strings(root, "sslmode"):
        if not _WEAK_SSLMODE.search(string_value(text_of(node))):
            continue
        how = judge(node, CONNECTION, root)
        if how is not None:
            yield node.start_point.row + 1, column_of(data, node), how


def _reason(literal: str) -> str | None:
    """Why the first plaintext URL of a literal is a problem, or None (none, local, templated)."""
    for match in PLAINTEXT_URL.finditer(literal):
        if "{" in match.group(0).split("://", 1)[1].split("/", 1)[0]:
            continue  # a placeholder host: the setting that fills it is judged instead
        reason = plaintext_url_reason(match)
        if reason is not None:
            return reason
    return None


def _strings(root: Node, marker: str = "://") -> Iterator[Node]:
    """Every string literal of the tree holding ``marker`` (a URL's scheme separator)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.type in _STRINGS:
            if marker in text_of(node):
                yield node
            continue
        stack.extend(reversed(node.children))
