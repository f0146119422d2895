"""References are no secrets; a literal fallback of a credential variable is one.

``secrets: inherit`` (a reusable workflow's call) and ``env(NAME)`` values (Supabase /
Symfony configuration, commented out too) name where a secret comes from: no finding.
A compose file's ``${POSTGRES_PASSWORD:-todopassword}`` deploys ``todopassword``
whenever the variable is unset: it blocks at its line, while a placeholder fallback
(``change-me``), a required variable (``${X:?…}``) and a bare reference do not. In a
test, fake values (``token123``) and URLs to local hosts (``db.example.com``, ``[::1]``,
a compose service) are information; a URL to a private network address blocks.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.stage7_secrets.test_secret_contexts import context, rows, scanned
from tests.integration.stage7_secrets.test_stage7_secrets import git, git_example

from aces.model import Severity

WORD = "s3cr3t"  # joined at run time: this file itself holds no URL with a password
FILES = {
    ".github/workflows/release.yml": (
        "on: push\n"
        "jobs:\n"
        "  publish:\n"
        "    uses: ./.github/workflows/publish.yml\n"
        "    secrets: inherit\n"
        "  deploy:\n"
        "    uses: ./.github/workflows/deploy.yml\n"
        '    secrets: "inherit"  # the caller\'s secrets\n'
    ),
    "supabase/config.toml": (
        "[auth.external.apple]\n"
        "enabled = false\n"
        'secret = "env(SUPABASE_AUTH_EXTERNAL_APPLE_SECRET)"\n'
        '# secret = "env(SUPABASE_AUTH_EXTERNAL_GITHUB_SECRET)"\n'
        "[app]\n"
        "app_secret = '%env(resolve:APP_SECRET)%'\n"
    ),
    "docker-compose.yml": (
        "services:\n"
        "  db:\n"
        "    image: postgres:16.4\n"
        "    environment:\n"
        "      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-todopassword}\n"
        "      POSTGRES_USER: ${POSTGRES_USER:-todo}\n"
        "      REDIS_PASSWORD: ${REDIS_PASSWORD:-change-me}\n"
        "      ADMIN_PASSWORD: ${ADMIN_PASSWORD:-changeme}\n"
        "      API_TOKEN: ${API_TOKEN:?set API_TOKEN}\n"
        "      JWT_SECRET: ${JWT_SECRET}\n"
        "      SESSION_SECRET: ${SESSION_SECRET:-}\n"
        "      DB_PASSWORD_FILE: ${DB_PASSWORD_FILE:-/run/secrets/db}\n"
        "  app:\n"
        "    environment:\n"
        "      - APP_SECRET=${APP_SECRET-Zq8vLm2pWxKr}\n"
        "      - DATABASE_URL=postgres://todo:${DB_PASSWORD:-${POSTGRES_PASSWORD}}@db/todo\n"
    ),
    "tests/test_login.py": (
        '"""Login tests."""\n'
        'expected_token = "token123"\n'
        'EXAMPLE_DSN = "postgresql://app:s3cr3t@db.example.com:5432/app"\n'
        'LOOPBACK_DSN = "postgresql://app:s3cr3t@[::1]:5432/app"\n'
        'SERVICE_DSN = "postgresql://app:s3cr3t@db:5432/app"\n'
        f'PRIVATE_DSN = "postgresql://app:{WORD}@[fd00::1]:5432/app"\n'
    ),
}
EXPECTED = [
    ("sec.secrets.deploy-credential", "docker-compose.yml", 5, Severity.ERROR),
    ("sec.secrets.deploy-credential", "docker-compose.yml", 15, Severity.ERROR),
    ("sec.secrets.generic-secret", "tests/test_login.py", 2, Severity.NOTE),
    ("sec.secrets.postgres-url-password", "tests/test_login.py", 3, Severity.NOTE),
    ("sec.secrets.postgres-url-password", "tests/test_login.py", 4, Severity.NOTE),
    ("sec.secrets.postgres-url-password", "tests/test_login.py", 5, Severity.NOTE),
    ("sec.secrets.postgres-url-password", "tests/test_login.py", 6, Severity.ERROR),
]


def planted(tmp_path: Path) -> Path:
    root = git_example(tmp_path)
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    return root


def test_references_pass_and_literal_fallbacks_block(tmp_path: Path) -> None:
    found = scanned(context(planted(tmp_path)))
    assert rows(found) == EXPECTED
    assert {f.clauses for f in found} == {("sec.secrets",)}
    fallback = next(f for f in found if f.location and f.location.line == 5)
    assert fallback.location is not None
    assert fallback.location.column == len("      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-") + 1
    assert "in deploy configuration" in fallback.message
    assert "todopassword" not in fallback.message


def test_a_rust_inline_test_module_is_a_test(tmp_path: Path) -> None:
    source = (
        "//! Sessions.\n"
        "pub fn check(token: &str) -> bool {\n"
        '    token == "hunter-Zq8vLm2pWxKr"\n'
        "}\n"
        "\n"
        "#[cfg(test)]\n"
        "mod tests {\n"
        "    #[test]\n"
        "    fn accepts() {\n"
        '        let expected_token = "token123";\n'
        '        let leaked = "ghp_' + "Zq8vLm2pWxKr" * 3 + '";\n'
        "    }\n"
        "}\n"
        "\n"
        'pub fn fallback() -> String { let api_token = "token123"; api_token.into() }\n'
    )
    root = git_example(tmp_path)
    (root / "crates/auth/src").mkdir(parents=True)
    (root / "crates/auth/src/lib.rs").write_text(source, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "rust")
    assert rows(scanned(context(root))) == [
        ("sec.secrets.generic-secret", "crates/auth/src/lib.rs", 10, Severity.NOTE),
        ("sec.secrets.github-token", "crates/auth/src/lib.rs", 11, Severity.ERROR),
        ("sec.secrets.generic-secret", "crates/auth/src/lib.rs", 15, Severity.ERROR),
    ]
