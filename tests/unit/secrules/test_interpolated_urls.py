"""A URL holding a shell / compose interpolation is read whole: its host is the one after ``@``."""

from __future__ import annotations

import pytest

from aces.engines.tlsrules.static import PLAINTEXT_URL, plaintext_url_reason


def _reason(line: str) -> str | None:
    match = PLAINTEXT_URL.search(line)
    assert match is not None, line
    return plaintext_url_reason(match)


@pytest.mark.parametrize(
    "line",
    [
        "DATABASE_URL=postgresql://postgres:${POSTGRES_PASSWORD}@localhost:5432/app",
        "  url: postgresql://app:${DB_PASSWORD:?Variable not set}@127.0.0.1:5432/app",
        "REDIS_URL=redis://:${REDIS_PASSWORD}@localhost:6379/0",
    ],
)
def test_interpolated_password_to_a_local_host_is_fine(line: str) -> None:
    assert _reason(line) is None


def test_interpolated_password_names_the_real_remote_host() -> None:
    line = "DATABASE_URL: postgresql://${PG_USER}:${PG_PASSWORD:?not set}@db.example.com:5432/app"
    assert _reason(line) == (
        "postgresql:// to db.example.com (add sslmode=require or sslmode=verify-full)"
    )


def test_a_host_set_by_a_variable_is_named_so() -> None:
    line = "DATABASE_URL=postgres://app:${PG_PASSWORD}@${PG_HOST}:5432/app"
    assert _reason(line) == (
        "postgres:// to a host set by a variable (add sslmode=require or sslmode=verify-full)"
    )
