"""Crypto misuse in Python, Rust and Elixir: tree-sitter rules as data.

``CRYPTO_RULES`` lists the rules with their samples; a ``CryptoScanner``
compiles them once and scans files into ``Hit``s. No knowledge of stages or
the CLI.
"""

from __future__ import annotations

from aces.engines.cryptorules.rules import CRYPTO_RULES, CryptoRule
from aces.engines.cryptorules.scanner import CryptoScanner, language_of, parse_int

__all__ = ["CRYPTO_RULES", "CryptoRule", "CryptoScanner", "language_of", "parse_int"]
