"""The shape of a crypto-misuse rule, and the name patterns several rules share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CryptoRule:
    """One misuse pattern in one language."""

    rule_id: str
    language: str  # "python", "rust" or "elixir"
    query: str
    message: str
    requires: tuple[str, ...] = ()
    unless: str = ""
    size_capture: str = ""
    via_capture: str = ""  # an identifier that must be bound to a literal (keys.py)
    # the matched comparison must carry a MAC / digest by data flow (digestflow.py)
    digest_flow: bool = False
    should_flag: tuple[str, ...] = ()
    should_not_flag: tuple[str, ...] = ()


P = "sec.crypto-misuse"
KEY_NAME = r"(?i)(^|_)(key|secret|token|nonce|salt|password|passwd|otp|session_id)s?($|_)"
