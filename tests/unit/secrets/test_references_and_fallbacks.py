"""References to secrets held elsewhere, and literal fallbacks of credential variables."""

from __future__ import annotations

import pytest

from aces.engines.secrets.fallbacks import fallback_matches
from aces.engines.secrets.matcher import Match
from aces.engines.secrets.redact import builtin_matcher
from aces.engines.secrets.references import is_reference
from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.samples import expand

RANDOM = expand("@@alnum:12@@", "references").encode()


def _match(line: bytes, secret: bytes) -> Match:
    rule = load_builtin().rules[0]
    start = line.index(secret)
    return Match(rule, start, start + len(secret), secret)


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (b'secret = "env(SUPABASE_AUTH_SECRET)"', b"env(SUPABASE_AUTH_SECRET)"),
        (b'# secret = "env(OPENAI_API_KEY)"', b"env(OPENAI_API_KEY)"),
        (b"app_secret: '%env(APP_SECRET)%'", b"%env(APP_SECRET)%"),
        (b"app_secret: '%env(resolve:base64:APP_SECRET)%'", b"%env(resolve:base64:APP_SECRET)%"),
        (b"    secrets: inherit", b"inherit"),
        (b'dsn = f"postgres://app:{password}@db/app"', b"{password}"),
        (b'url = "redis://:{0}@cache:6379".format(pw)', b"{0}"),
        (b'let dsn = format!("postgres://app:{pw:?}@db/app");', b"{pw:?}"),
        (b'    secrets: "inherit"  # pass them on', b"inherit"),
    ],
)
def test_references_are_not_literals(line: bytes, secret: bytes) -> None:
    assert is_reference(_match(line, secret), line)


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (b'secret = "env-' + RANDOM + b'"', b"env-" + RANDOM),
        (b'secret = "env(A) Zq8v"', b"Zq8v"),
        (b'dsn = "postgres://app:{a}b{c}@db/app"', b"{a}b{c}"),
        (b"    client_secret: inherit", b"inherit"),
        (b"    secrets: inherited-Zq8vLm2p", b"inherited-Zq8vLm2p"),
    ],
)
def test_literals_are_not_references(line: bytes, secret: bytes) -> None:
    assert not is_reference(_match(line, secret), line)


def _fallbacks(text: bytes, path: str = "docker-compose.yml") -> list[bytes]:
    return [m.secret for m in fallback_matches(builtin_matcher(), text, path)]


def test_a_literal_fallback_of_a_credential_variable_is_found() -> None:
    text = (
        b"    environment:\n"
        b"      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-todopassword}\n"
        b"      - GF_SECURITY_ADMIN_PASSWORD=${GF_ADMIN_PASSWORD-Adm1nPass}\n"
        b"      DATABASE_URL: postgres://app:${DB_PASSWORD:-s3cr3t}@db/app\n"
    )
    assert _fallbacks(text) == [b"todopassword", b"Adm1nPass", b"s3cr3t"]
    assert _fallbacks(b"DB_TOKEN=${DB_TOKEN:-Zq8vLm2p}\n", ".env") == [b"Zq8vLm2p"]


@pytest.mark.parametrize(
    "line",
    [
        b"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-change-me}",
        b"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}",
        b"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?required}",
        b"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}",
        b"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-}",
        b"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-${DB_PASSWORD}}",
        b"POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-<password>}",
        b"POSTGRES_PASSWORD_FILE: ${POSTGRES_PASSWORD_FILE:-/run/secrets/db}",
        b"POSTGRES_USER: ${POSTGRES_USER:-todo}",
        b"TOKEN_TTL: ${TOKEN_TTL:-3600}",
    ],
)
def test_placeholders_references_and_other_names_are_no_fallback_secret(line: bytes) -> None:
    assert _fallbacks(line + b"\n") == []


def test_fallbacks_count_only_in_deploy_files() -> None:
    text = b'password = os.environ.get("X", "${DB_PASSWORD:-todopassword}")\n'
    assert _fallbacks(text, "src/app/settings.py") == []
    assert _fallbacks(text, "tests/docker-compose.yml") == []
