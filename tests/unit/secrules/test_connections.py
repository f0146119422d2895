"""Plaintext connection URLs in code, judged by where they flow: should-flag / should-not-flag."""

from __future__ import annotations

import pytest

from aces.engines.tlsrules import scan_tls
from aces.engines.tlsrules.connections import plaintext_connection_lines

PYTHON_FLAG = [
    'conn = psycopg.connect("postgresql://app@db.example.com/app")',
    'nc = await nats.connect(servers=["nats://bus.example.com:4222"])',
    'DATABASE_URL = "postgres://app@db.internal:5432/app"',
    'engine = create_engine("postgresql://app@10.0.0.5/app")',
    'r = redis.Redis.from_url("redis://cache.prod.internal:6379/0")',
    'dsn = os.getenv("DATABASE_URL", "postgres://app@db.internal/app")',
    'url = "nats://bus.example.com:4222"\nnc = await nats.connect(url)',
    'class Settings(BaseSettings):\n    nats_url: str = "nats://bus.example.com:4222"',
]
PYTHON_PASS = [
    'OUTBOX = "postgres://events/outbox"\nhandlers[OUTBOX] = on_outbox',
    'log.info("connect with postgres://app@db.example.com/app")',
    'assert parse("postgres://app@db.example.com/app").host == "db.example.com"',
    '"""Reads postgres://app@db.example.com/app."""',
    'conn = psycopg.connect("postgresql://app@db.example.com/app?sslmode=verify-full")',
    'nc = await nats.connect("nats://127.0.0.1:4222")',
    'url = f"nats://{host}:4222"\nnc = await nats.connect(url)',
]
RUST_FLAG = [
    'fn f() { let pool = PgPool::connect("postgres://app@db.example.com/app"); }',
    'fn f() { let c = redis::Client::open("redis://cache.example.com/"); }',
    'const DATABASE_URL: &str = "postgres://app@db.internal/app";',
    'fn f() { let nc = async_nats::connect("nats://bus.example.com:4222"); }',
]
RUST_PASS = [
    'const OUTBOX: &str = "postgres://events/outbox";\nfn f(m: &M) { m.get(OUTBOX); }',
    'fn f() { println!("connect to nats://bus.example.com:4222"); }',
    'fn f() { let c = redis::Client::open("rediss://cache.example.com/"); }',
]


def _lines(language: str, code: str) -> list[tuple[int, int, str]]:
    return list(plaintext_connection_lines(language, code))


@pytest.mark.parametrize("code", PYTHON_FLAG)
def test_python_plaintext_connection_is_flagged(code: str) -> None:
    assert _lines("python", code), code


@pytest.mark.parametrize("code", PYTHON_PASS)
def test_python_url_not_used_as_a_connection_is_not_flagged(code: str) -> None:
    assert _lines("python", code) == []


@pytest.mark.parametrize("code", RUST_FLAG)
def test_rust_plaintext_connection_is_flagged(code: str) -> None:
    assert _lines("rust", code), code


@pytest.mark.parametrize("code", RUST_PASS)
def test_rust_url_not_used_as_a_connection_is_not_flagged(code: str) -> None:
    assert _lines("rust", code) == []


def test_the_finding_names_the_host_and_the_use() -> None:
    [hit] = scan_tls(
        "svc/db.py", 'import psycopg\nc = psycopg.connect("postgres://app@db.example.com/a")\n'
    )
    assert (hit.rule_id, hit.line, hit.column) == ("sec.tls.plaintext-url", 2, 21)
    assert "postgres:// to db.example.com" in hit.message
    assert hit.message.endswith("used as `connect(..)`")


def test_configuration_keeps_the_line_rule() -> None:
    hits = scan_tls("deploy/app.yaml", "database_url: postgres://app@db.example.com/app\n")
    assert [h.rule_id for h in hits] == ["sec.tls.plaintext-url"]
