"""Redaction: each secret the built-in rules find becomes a stable masked form."""

from __future__ import annotations

import pytest

from aces.engines.secrets.redact import default_redactor, masked
from aces.engines.secrets.samples import expand


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        (b"ghp_0123456789abcdefghij0123456789abcdef", b"ghp_****"),
        (b"AKIAABCDEFGHIJKLMNOP", b"AKIA****"),
        (b"p@ss/word-with-a-slash", b"p****"),
        (b"an18charpassword12", b"****"),
        (b"short", b"****"),
    ],
)
def test_masked_form_keeps_a_short_safe_prefix(secret: bytes, shown: bytes) -> None:
    assert masked(secret) == shown


def test_every_secret_of_a_text_is_masked_and_the_rest_kept() -> None:
    github = expand("ghp_@@alnum:36@@", "redact-gh")
    aws = expand("AKIA@@b32:16@@", "redact-aws")
    dsn = "postgres://bus:" + expand("@@alnum:18@@", "redact-pg") + "@db:5432/bus"
    text = f"E   assert {github!r} == x\nstderr: {aws}\n{dsn}\n"
    out = default_redactor().redact(text)
    assert out == "E   assert 'ghp_****' == x\nstderr: AKIA****\npostgres://bus:****@db:5432/bus\n"
    assert default_redactor().redact(out) == out


def test_text_with_undecodable_bytes_keeps_them() -> None:
    github = expand("ghp_@@alnum:36@@", "redact-gh")
    text = "src/bad\udcffname.py: " + github
    assert default_redactor().redact(text) == "src/bad\udcffname.py: ghp_****"
