"""The context of a secret's file, and whether its value is clearly a fixture."""

from __future__ import annotations

import pytest

from aces.engines.secrets.context import CONTEXTS, context_of, is_fixture_value
from aces.policy.secrets_section import INFO_CONTEXT_CHOICES


@pytest.mark.parametrize(
    ("path", "context"),
    [
        ("docker-compose.yml", "deploy"),
        ("compose.yaml", "deploy"),
        ("ops/docker-compose.prod.yml", "deploy"),
        (".env", "deploy"),
        (".env.production", "deploy"),
        ("config/app.env", "deploy"),
        ("Dockerfile", "deploy"),
        ("services/api/Dockerfile.dev", "deploy"),
        ("infra/prod.tfvars", "deploy"),
        (".github/workflows/ci.yml", "deploy"),
        (".gitlab-ci.yml", "deploy"),
        ("charts/api/values.yaml", "deploy"),
        ("k8s/api/deployment.yaml", "deploy"),
        ("config/settings.yaml", "config"),
        ("pyproject.toml", "config"),
        ("src/bus/db.py", "source"),
        ("crates/host/src/lib.rs", "source"),
        ("tests/test_db.py", "test"),
        ("src/bus/db_test.go", "test"),
        ("tests/fixtures/docker-compose.yml", "test"),
        ("testdata/creds.env", "test"),
        ("docs/setup.md", "docs"),
        ("README.md", "docs"),
        ("docs/deploy/values.yaml", "docs"),
        (".env.example", "docs"),
        ("deploy/.env.sample", "docs"),
        ("config/settings.template.yaml", "docs"),
        ("app/settings.py.dist", "docs"),
        ("src/bus/sampler.py", "source"),
        ("src/bus/examples_runner.py", "source"),
    ],
)
def test_context_of_a_path(path: str, context: str) -> None:
    assert context_of(path) == context


@pytest.mark.parametrize(
    ("secret", "after"),
    [
        (b"test-secret-4f9a", b""),
        (b"Kq7Zx2FAKEvN9", b""),
        (b"dummy_pw_88", b""),
        (b"Zq8vN2kLp4RtYwX3", b"@localhost:5432/app"),
        (b"Zq8vN2kLp4RtYwX3", b"@127.0.0.1/app"),
        (b"Zq8vN2kLp4RtYwX3", b"@[::1]:6379"),
        (b"Zq8vN2kLp4RtYwX3", b"@db.example.com:5432/app"),
        (b"Zq8vN2kLp4RtYwX3", b"@postgres.test/app"),
        (b"Zq8vN2kLp4RtYwX3", b'@localhost"'),
        (b"abc123xyz", b'"'),
        (b"def456uvw", b'"'),
        (b"token456", b'"'),
        (b"ABC-123-DEF", b""),
    ],
)
def test_clearly_fake_or_local_values(secret: bytes, after: bytes) -> None:
    assert is_fixture_value(secret, after)


@pytest.mark.parametrize(
    ("secret", "after"),
    [
        (b"Zq8vN2kLp4RtYwX3", b""),
        (b"Zq8vN2kLp4RtYwX3", b"@db.internal:5432/app"),
        (b"Zq8vN2kLp4RtYwX3", b"@10.0.0.5/app"),
        (b"Zq8vN2kLp4RtYwX3", b"@localhost.prod.corp.net/app"),
        (b"hunter2", b"\n"),
        (b"abc9Zq8vN2kLxyz", b""),
        (b"Kx7abcQ2", b""),
        (b"a1b2c3d4e5", b""),
    ],
)
def test_real_looking_values_are_not_fixtures(secret: bytes, after: bytes) -> None:
    assert not is_fixture_value(secret, after)


def test_the_policy_offers_only_test_and_docs_contexts_as_information() -> None:
    assert set(INFO_CONTEXT_CHOICES) == {"test", "docs"}
    assert set(INFO_CONTEXT_CHOICES) < set(CONTEXTS)


def test_a_manifest_is_told_by_its_api_version_and_kind() -> None:
    manifest = b"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"
    assert context_of("apps/api.yaml", manifest) == "deploy"
    assert context_of("apps/api.json", b'{\n  "apiVersion": "v1",\n  "kind": "Secret"\n}') == (
        "deploy"
    )
    assert context_of("apps/api.yaml", b"name: api\nkind: service\n") == "config"
    assert context_of("tests/api.yaml", manifest) == "test"
