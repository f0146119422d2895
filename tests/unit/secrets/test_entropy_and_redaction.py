"""Entropy, character classes, redaction and the fingerprint material."""

from __future__ import annotations

import pytest

from aces.engines.secrets.entropy import char_classes, charset, length_scaled, shannon
from aces.engines.secrets.matcher import preview, secret_key


def test_shannon_of_uniform_and_constant_values() -> None:
    assert shannon(b"") == 0.0
    assert shannon(b"aaaa") == 0.0
    assert shannon(b"abcd") == pytest.approx(2.0)
    assert shannon(bytes(range(16))) == pytest.approx(4.0)


def test_charset_and_classes() -> None:
    assert charset(b"deadBEEF09") == "hex"
    assert charset(b"deadbeefg") == "base64"
    assert char_classes(b"abc") == 1
    assert char_classes(b"aB3") == 3


def test_short_values_get_a_lower_bar() -> None:
    assert length_scaled(4.5, 8) == pytest.approx(0.85 * 3)
    assert length_scaled(3.0, 1024) == 3.0


def test_preview_shows_at_most_four_characters_and_the_length() -> None:
    secret = b"ghp_" + b"Z" * 36
    assert preview(secret) == "ghp_… (40 chars)"
    assert preview(b"hunter2hunter2") == "… (14 chars)"


def test_key_is_a_hash_not_the_value() -> None:
    secret = b"sk_live_" + b"q" * 24
    key = secret_key("stripe-key", secret)
    assert len(key) == 64 and all(c in "0123456789abcdef" for c in key)
    assert secret.decode() not in key
    assert key == secret_key("stripe-key", secret)
    assert key != secret_key("generic-secret", secret)
