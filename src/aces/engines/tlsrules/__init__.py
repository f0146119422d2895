"""TLS enforcement: static rules over code and configuration, and a live endpoint probe.

``TLS_RULES`` are line rules (``textscan.LineRule``) with their samples;
``scan_tls`` applies them to one file, with plaintext URLs in Python and Rust
judged by where they flow (``connections``). ``probe`` handshakes with an endpoint
using a context built by ``client_context`` from the policy's CA bundle.
No knowledge of stages or the CLI.
"""

from __future__ import annotations

from aces.engines.tlsrules.connections import scan_tls
from aces.engines.tlsrules.probe import (
    ProbeError,
    ProbeFailure,
    client_context,
    probe,
    split_endpoint,
)
from aces.engines.tlsrules.static import TLS_RULES, is_local_host
from aces.engines.tlsrules.textscan import Hit, LineRule, kind_of, scan_lines

__all__ = [
    "TLS_RULES",
    "Hit",
    "LineRule",
    "ProbeError",
    "ProbeFailure",
    "client_context",
    "is_local_host",
    "kind_of",
    "probe",
    "scan_lines",
    "scan_tls",
    "split_endpoint",
]
