"""Unsafe exposure in code and configuration text: open binds, CORS ``*``, debug endpoints.

The rules are data (``LineRule``) with their samples. Binding to every
interface is judged in Python and Rust code by where the value flows (``binds``:
into a bind / listen / serve call or a listen-address option or setting, not into
a client request), and in configuration and Elixir text by a line rule. Either way
a file that binds to ``0.0.0.0`` / ``::`` is flagged unless it also mentions an
authentication mechanism (auth, bearer, API key, mTLS, client certificates) — the
reviewer's question is "who can reach this, and what stops them", and a file with
no such word answers neither. A CORS
wildcard is worse with credentials allowed, and says so. In Python, CORS and debug
settings are judged on the syntax tree (``pysyntax``) and HTTP routes without
authentication are found there too (``routes``); the line rules read Rust with its
strings and comments blanked, and configuration and Elixir as text.
"""

from __future__ import annotations

import re

from aces.engines.exposure.binds import bind_all_lines
from aces.engines.exposure.pysyntax import scan_python_exposure
from aces.engines.tlsrules.textscan import Hit, LineRule, kind_of, scan_lines

CODE = frozenset({"python", "rust", "elixir"})
ANY = frozenset({"python", "rust", "elixir", "config"})

_AUTH_WORDS = re.compile(
    r"(?i)\b(?:auth\w*|\w+_auth|bearer|api[_-]?keys?|mtls|client_?certs?|verify_client\w*|"
    r"require_client_cert|jwt\w*|oauth\w*)\b"
)
_CREDENTIALS = re.compile(
    r"(?i)allow_credentials\s*(?:=|:)\s*(?:true|1)|allow_credentials\(\s*true\s*\)|"
    r"access-control-allow-credentials|supports_credentials\s*=\s*True|credentials:\s*true"
)
BIND_RULE = "sec.unsafe-exposure.bind-all"
BIND_MESSAGE = "a server binds to every interface with no authentication in sight"
SYNTAX_KINDS = frozenset({"python", "rust"})  # judged on the syntax tree (binds.py)
PYTHON = frozenset({"python"})  # CORS and debug judged on the syntax tree (pysyntax.py)
CORS_RULE = "sec.unsafe-exposure.cors-wildcard"

EXPOSURE_RULES: tuple[LineRule, ...] = (
    LineRule(
        BIND_RULE,
        ANY - SYNTAX_KINDS,
        re.compile(
            r"(?<![\w.])0\.0\.0\.0(?![\d.]|/)|[\"']::[\"']\s*,\s*\d|[\"']\[::\](?::\d+)?[\"']|"
            r"(?i:\b(?:host|bind|listen\w*|addr\w*)[\"']?\s*[:=]\s*[\"']::[\"'])|"
            r"\bIpv[46]Addr::UNSPECIFIED\b|\[\s*0\s*,\s*0\s*,\s*0\s*,\s*0\s*\]"
        ),
        BIND_MESSAGE,
        should_flag=(
            'host = "0.0.0.0"',
            "listen: 0.0.0.0:4222",
            'bind: "::"',
            'config :app, Endpoint, http: [ip: "[::]:4000"]',
        ),
        should_not_flag=(
            'host = "127.0.0.1"',
            "version = 10.0.0.0",
            "cidr: 10.0.0.0/8",
            'path = "a::b"',
            'parts = name.split("::")',
        ),
    ),
    LineRule(
        CORS_RULE,
        ANY - PYTHON,
        re.compile(
            r"(?i)access-control-allow-origin[\"'\]]*\s*[:,=]\s*[\"']\*[\"']|"
            r"\b(?:cors\w*|allow_?origins?|origins?)[\"']?\s*[:=]\s*\[?\s*[\"']\*[\"']|"
            r"\bCorsLayer::(?:very_)?permissive\s*\(\s*\)|"
            r"\.allow_origin\(\s*(?:Any|cors::Any|AllowOrigin::any\(\s*\))\s*\)|"
            r"\bCORS\(\s*\w+\s*\)"
        ),
        "CORS allows every origin",
        should_flag=(
            'resp.headers["Access-Control-Allow-Origin"] = "*"',
            "let cors = CorsLayer::permissive();",
            "CorsLayer::new().allow_origin(Any)",
            'plug Corsica, origins: "*"',
            'cors_origins: "*"',
        ),
        should_not_flag=(
            'allow_origins=["https://app.example.com"]',
            "origins: https://app.example.com",
        ),
    ),
    LineRule(
        "sec.unsafe-exposure.debug",
        ANY - PYTHON,
        re.compile(
            r"\bdebug\s*=\s*True\b|^\s*DEBUG\s*=\s*True\b|"
            r"(?i:^\s*[\"']?debug[\"']?\s*[:=]\s*[\"']?(?:true|yes|on)\b[\"']?)|"
            r"\bdebug_errors:\s*true\b|/debug/pprof\b|\bnet/http/pprof\b|/actuator\b|"
            r"(?i:management\.endpoints\.web\.exposure\.include\s*[:=]\s*[\"']?\*)"
        ),
        "a debug or admin endpoint is enabled",
        should_flag=(
            "debug: true",
            "config :app, AppWeb.Endpoint, debug_errors: true",
            'mux.Handle("/debug/pprof/", h)',
            "path: /actuator/env",
            "management.endpoints.web.exposure.include=*",
        ),
        should_not_flag=(
            "debug: false",
            "log_level: debug",
            'logger.debug("x")',
        ),
    ),
)


def scan_exposure(path: str, text: str, *, open_routes: bool = False) -> list[Hit]:
    """The text rules' hits in one file, with the bind heuristic and the CORS detail applied.

    A word naming authentication in the file clears a bind to every interface, unless
    ``open_routes``: the syntax tree shows the file serving routes with no
    authentication, so the word (a variable named ``auth`` that builds a database
    URL) protects nothing that is bound.
    """
    hits = scan_lines(path, text, EXPOSURE_RULES)
    kind = kind_of(path)
    if kind == "python":
        hits.extend(scan_python_exposure(path, text))
    if kind in SYNTAX_KINDS:
        hits.extend(
            Hit(BIND_RULE, path, line, column, f"{BIND_MESSAGE} ({how})")
            for line, column, how in bind_all_lines(path, kind, text)
        )
    has_auth = not open_routes and bool(_AUTH_WORDS.search(text))
    has_credentials = bool(_CREDENTIALS.search(text))
    out: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.line, h.column, h.rule_id)):
        if hit.rule_id == BIND_RULE and has_auth:
            continue
        if hit.rule_id == CORS_RULE and has_credentials and kind != "python":
            hit = Hit(
                hit.rule_id, hit.path, hit.line, hit.column, f"{hit.message}, with credentials"
            )
        out.append(hit)
    return out
