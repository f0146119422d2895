"""Clearly fake or local values: hosts that go nowhere real, values typed as a word and digits."""

from __future__ import annotations

import pytest

from aces.engines.secrets.ci_services import fixture_lines
from aces.engines.secrets.context import is_fixture_value
from aces.engines.secrets.fakes import is_local_host, is_loopback_host, is_word_and_digits
from aces.engines.secrets.samples import expand

PASSWORD = expand("@@alnum:16@@", "fake-values").encode()


@pytest.mark.parametrize(
    "after",
    [
        b"@localhost:5432/app",
        b"@api.localhost/app",
        b"@127.0.0.1/app",
        b"@[::1]:5432/app",
        b"@[::1]/app",
        b"@[0:0:0:0:0:0:0:1]:5432/app",
        b"@[::ffff:127.0.0.1]:5432",
        b"@0.0.0.0:6379",
        b"@[::]:6379",
        b"@db.example.com:5432/app",
        b"@db.example.org",
        b"@postgres.test/app",
        b"@db.invalid",
        b"@192.0.2.10:5432",
        b"@[2001:db8::5]:5432",
        b"@db:5432/app",
        b'@postgres"',
        b"@mock-db.internal/app",
    ],
)
def test_local_reserved_and_service_hosts_are_local(after: bytes) -> None:
    assert is_local_host(after)
    assert is_fixture_value(PASSWORD, after)


@pytest.mark.parametrize(
    "after",
    [
        b"@[fd00::1]:5432/app",
        b"@[2a01:4f8::1]:5432",
        b"@10.0.0.5/app",
        b"@db.internal:5432/app",
        b"@localhost.prod.corp.net/app",
        b"",
        b"\n",
    ],
)
def test_real_network_hosts_are_not_local(after: bytes) -> None:
    assert not is_local_host(after)
    assert not is_fixture_value(PASSWORD, after)


@pytest.mark.parametrize(
    "secret", [b"token123", b"apple123", b"hunter42", b"SecurePass123", b"SecurePass123!"]
)
def test_a_word_and_a_short_number_is_typed_by_hand(secret: bytes) -> None:
    assert is_word_and_digits(secret)
    assert is_fixture_value(secret, b'"')


@pytest.mark.parametrize(
    "secret", [b"hunter2", b"Kx7abcQ2", b"aZqXbnmkPwLr12", b"token12345", b"a1b2c3d4e5", PASSWORD]
)
def test_generated_looking_values_are_not_words(secret: bytes) -> None:
    assert not is_word_and_digits(secret)


@pytest.mark.parametrize(
    ("after", "loopback"),
    [
        (b"@localhost:5432/db", True),
        (b"@127.0.0.1:5432/db", True),
        (b"@[::1]:5432/db", True),
        (b"@[0:0:0:0:0:0:0:1]:5432/db", True),
        (b"@[::ffff:127.0.0.1]:5432", True),
        (b"@db.example.com:5432/db", False),
        (b"@[fd00::1]:5432/db", False),
        (b"@db.internal/db", False),
    ],
)
def test_loopback_hosts(after: bytes, loopback: bool) -> None:
    assert is_loopback_host(after) is loopback


def test_a_ci_job_reaching_its_service_on_ipv6_loopback_is_a_fixture_line() -> None:
    workflow = (
        "jobs:\n  test:\n    env:\n"
        f"      DB6: postgresql://ci:{PASSWORD.decode()}@[0:0:0:0:0:0:0:1]:5432/ci\n"
        f"      DB4: postgresql://ci:{PASSWORD.decode()}@127.0.0.1:5432/ci\n"
        f"      PROD: postgresql://ci:{PASSWORD.decode()}@[fd00::1]:5432/ci\n"
    )
    assert fixture_lines(".github/workflows/ci.yml", workflow) == frozenset({4, 5})
