"""Static TLS rules: settings that switch verification off, and plaintext endpoints.

Each rule is data (``LineRule``) with should-flag and should-not-flag samples.
Code rules read Rust (with its strings and comments blanked, ``masking``) and
Elixir; Python settings are judged on the syntax tree (``pysyntax``). URL and
``sslmode`` rules read configuration (YAML, TOML, JSON, INI, dotenv) and Elixir,
while in Python and Rust a plaintext URL or a DSN's ``sslmode`` is judged by where
it flows (``connections``). A URL to a local host (``localhost``,
``*.localhost``, ``*.local``, ``127.0.0.0/8``, ``::1``) is never flagged: TLS on
loopback protects nothing.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qs, urlsplit

from aces.engines.tlsrules.textscan import LineRule

CODE = frozenset({"python", "rust", "elixir"})
ANY = frozenset({"python", "rust", "elixir", "config"})
CONFIG = frozenset({"config"})
SYNTAX_KINDS = frozenset({"python", "rust"})
SECURE_SSLMODES = frozenset({"require", "verify-ca", "verify-full"})
_PLAIN_SCHEMES = {
    "nats": "use tls:// (or a TLS-required NATS connection)",
    "redis": "use rediss://",
    "postgres": "add sslmode=require or sslmode=verify-full",
    "postgresql": "add sslmode=require or sslmode=verify-full",
}
# A URL runs to the first space, quote or closing bracket; a shell / compose interpolation
# (``${POSTGRES_PASSWORD:?not set}``) is part of it, braces and spaces included, so the
# host after its ``@`` is the host read.
_URL_CHARS = r"(?:\$\{[^}\n]*\}|[^\s'\"`<>)}])+"
PLAINTEXT_RULE = "sec.tls.plaintext-url"
PLAINTEXT_MESSAGE = "plaintext connection to a non-local host"


def is_local_host(host: str) -> bool:
    """Whether ``host`` is loopback or a local name (no TLS needed there)."""
    name = host.strip("[]").lower().rstrip(".")
    if name in ("localhost", "") or name.endswith((".localhost", ".local")):
        return name != ""
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


_PLACEHOLDER = "interpolated-value"
_INTERPOLATION = re.compile(r"\$\{[^}\n]*\}")


def _without_interpolations(url: str) -> str:
    """``url`` with each ``${...}`` replaced by a word, so no ``?``, ``:`` or ``/`` in it splits."""
    return _INTERPOLATION.sub(_PLACEHOLDER, url)


def _host_of(url: str) -> str | None:
    """The host of a URL, or None when it has none or cannot be parsed."""
    try:
        return urlsplit(_without_interpolations(url)).hostname
    except ValueError:
        return None


_ANY_URL = re.compile(rf"[a-z][a-z0-9+.-]*://{_URL_CHARS}", re.IGNORECASE)


def url_host(text: str) -> str | None:
    """The host of the URL ``text`` starts with (lower case), or None."""
    match = _ANY_URL.match(text)
    return _host_of(match.group(0)) if match else None


PLAINTEXT_URL = re.compile(
    rf"\b(?P<scheme>nats|redis|postgres|postgresql)://{_URL_CHARS}", re.IGNORECASE
)


def plaintext_url_reason(match: re.Match[str]) -> str | None:
    """Why a nats/redis/postgres URL is plaintext to a remote host, or None when it is fine."""
    url = match.group(0)
    scheme = match.group("scheme").lower()
    host = _host_of(url)
    if host is not None and is_local_host(host):
        return None
    if scheme.startswith("postgres"):
        try:
            modes = parse_qs(urlsplit(_without_interpolations(url)).query).get("sslmode", [])
        except ValueError:
            modes = []
        if modes and modes[-1] in SECURE_SSLMODES:
            return None
    if host == _PLACEHOLDER:
        host = "a host set by a variable"
    return f"{scheme}:// to {host or 'an unnamed host'} ({_PLAIN_SCHEMES[scheme]})"


def _remote_http(match: re.Match[str]) -> str | None:
    """The host of a plain ``http://`` endpoint that is not local, or None."""
    line = match.string
    if "$schema" in line or '"$id"' in line or "xmlns" in line:
        return None  # identifiers of schema documents, not endpoints
    host = _host_of(match.group(0))
    if host is None or is_local_host(host):
        return None
    return host


TLS_RULES: tuple[LineRule, ...] = (
    LineRule(
        "sec.tls.rust-invalid-certs",
        frozenset({"rust"}),
        re.compile(r"\.danger_accept_invalid_(?:certs|hostnames)\s*\(\s*true\s*\)"),
        "certificate or hostname verification is switched off",
        should_flag=(
            "let c = Client::builder().danger_accept_invalid_certs(true).build()?;",
            ".danger_accept_invalid_hostnames( true )",
        ),
        should_not_flag=(".danger_accept_invalid_certs(false)", "let accept_invalid = true;"),
    ),
    LineRule(
        "sec.tls.rustls-dangerous",
        frozenset({"rust"}),
        re.compile(r"\.dangerous\s*\(\s*\)|\bimpl\s+(?:\w+::)*ServerCertVerifier\s+for\b"),
        "a custom rustls certificate verifier replaces chain validation",
        should_flag=(
            "config.dangerous().set_certificate_verifier(Arc::new(NoVerify));",
            "impl rustls::client::danger::ServerCertVerifier for NoVerify {",
            "impl ServerCertVerifier for AcceptAll {",
        ),
        should_not_flag=("let dangerous = 1;", "fn dangerous_thing() {}"),
    ),
    LineRule(
        "sec.tls.elixir-verify-none",
        frozenset({"elixir"}),
        re.compile(r"\bverify:\s*:verify_none\b|\{\s*:verify\s*,\s*:verify_none\s*\}"),
        "peer verification is switched off (verify: :verify_none)",
        should_flag=(
            "ssl: [verify: :verify_none]",
            "transport_opts: [{:verify, :verify_none}]",
        ),
        should_not_flag=("ssl: [verify: :verify_peer, cacertfile: ca]",),
    ),
    LineRule(
        "sec.tls.sslmode-disable",
        ANY - SYNTAX_KINDS,  # code: keywords and DSNs judged on the syntax tree
        re.compile(r"\bsslmode\s*[=:]\s*['\"]?(?:disable|allow|prefer)\b"),
        "the Postgres connection does not require TLS (sslmode disable/allow/prefer)",
        should_flag=(
            "DATABASE_URL=postgres://db.internal/app?sslmode=disable",
            "sslmode: allow",
        ),
        should_not_flag=("sslmode=verify-full", "sslmode: require"),
    ),
    LineRule(
        PLAINTEXT_RULE,
        ANY - SYNTAX_KINDS,  # code: judged by flow (connections.py)
        PLAINTEXT_URL,
        PLAINTEXT_MESSAGE,
        accept=plaintext_url_reason,
        should_flag=(
            'NATS_URL = "nats://bus.example.com:4222"',
            "url: redis://cache.prod.internal:6379/0",
            "postgres://app@db.example.com/app",
            "postgresql://app@db.example.com/app?sslmode=prefer",
            "DATABASE_URL=postgresql://app:${DB_PASSWORD:?not set}@db.example.com:5432/app",
        ),
        should_not_flag=(
            'NATS_URL = "nats://127.0.0.1:4222"',
            "url: tls://bus.example.com:4222",
            "rediss://cache.example.com:6380",
            "redis://localhost:6379",
            "postgres://app@db.example.com/app?sslmode=verify-full",
            "postgresql://u@[::1]:5432/app",
            "nats://broker.local:4222",
            "DATABASE_URL=postgresql://postgres:${POSTGRES_PASSWORD}@localhost:5432/app",
            "url: postgresql://app:${DB_PASSWORD:?Variable not set}@127.0.0.1:5432/app",
        ),
    ),
    LineRule(
        "sec.tls.http-endpoint",
        CONFIG,
        re.compile(rf"\bhttp://{_URL_CHARS}", re.IGNORECASE),
        "plain http:// endpoint to a non-local host",
        accept=_remote_http,
        should_flag=(
            "endpoint: http://collector.example.com:4318",
            'otlp = "http://otel.prod:4318"',
            "WEBHOOK=http://hooks.example.com/x",
        ),
        should_not_flag=(
            "endpoint: https://collector.example.com:4318",
            "endpoint: http://localhost:4318",
            '"$schema": "http://json-schema.org/draft-07/schema#"',
            "url = http://127.0.0.1:8080/health",
        ),
    ),
)
