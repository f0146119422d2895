"""Literal credentials in deploy configuration: compose, .env, Kubernetes, Dockerfiles."""

from __future__ import annotations

import pytest

from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.redact import builtin_matcher
from aces.engines.secrets.rules import load_builtin
from aces.engines.secrets.scanner import scan_buffer

MATCHER = Matcher(load_builtin())

COMPOSE = """services:
  db:
    image: postgres:16.4
    environment:
      POSTGRES_USER: bus
      POSTGRES_PASSWORD: hunter2
  grafana:
    image: grafana/grafana:11.2.0
    environment:
      - GF_SECURITY_ADMIN_PASSWORD=Adm1nPass
      - GF_SERVER_ROOT_URL=https://grafana.internal
"""
K8S = """apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - name: DB_PASSWORD
              value: hunter2
            - name: API_TOKEN
              valueFrom:
                secretKeyRef:
                  name: api
                  key: token
"""


def hits(path: str, text: str) -> list[tuple[str, int]]:
    return [(h.rule_id, h.line) for h in scan_buffer(MATCHER, text.encode("utf-8"), path)]


def test_compose_mapping_and_list_entries_with_literal_passwords_are_found() -> None:
    assert hits("docker-compose.yml", COMPOSE) == [
        ("deploy-credential", 6),
        ("deploy-credential", 10),
    ]


def test_a_kubernetes_env_entry_with_a_literal_value_is_found() -> None:
    assert hits("k8s/api.yaml", K8S) == [("deploy-env-value", 10)]


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (".env", "DB_PASSWORD=hunter2"),
        (".env.production", "STRIPE_WEBHOOK_SECRET=whsec1234abcd"),
        ("Dockerfile", "ENV REDIS_PASSWORD=s3cr3t"),
        ("deploy/values.yaml", "  password: p4ssw0rd"),
        (".github/workflows/ci.yml", "      DB_PASSWORD: ci-pass-1"),
        ("infra/prod.tfvars", 'db_password = "hunter2"'),
    ],
)
def test_should_flag_in_deploy_files(path: str, line: str) -> None:
    assert [rule for rule, _ in hits(path, line + "\n")] == ["deploy-credential"]


@pytest.mark.parametrize(
    "line",
    [
        "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}",
        "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}",
        "- POSTGRES_PASSWORD=$DB_PASSWORD",
        "POSTGRES_PASSWORD:",
        "POSTGRES_PASSWORD=",
        'POSTGRES_PASSWORD: ""',
        "POSTGRES_PASSWORD_FILE: /run/secrets/db_password",
        "POSTGRES_HOST_AUTH_METHOD: scram-sha-256",
        "secretName: db-credentials",
        "DB_PASSWORD=changeme",
        "DB_PASSWORD=<password>",
        "API_KEY=your-api-key",
        'password: "{{ .Values.db.password }}"',
        "token: ${{ secrets.GITHUB_TOKEN }}",
        "TOKEN_TTL=3600",
        "secret: |",
        "password: *db_password",
        "AUTH_TOKEN_ENABLED: true",
        "# DB_PASSWORD: set in the vault",
    ],
)
def test_should_not_flag_in_deploy_files(line: str) -> None:
    assert hits("docker-compose.yml", line + "\n") == []


@pytest.mark.parametrize(
    "path", ["src/bus/settings.py", "tests/test_db.py", "docs/setup.md", "config/settings.yaml"]
)
def test_the_deploy_rules_read_only_deploy_files(path: str) -> None:
    assert hits(path, "DB_PASSWORD = hunter2\nPOSTGRES_PASSWORD: hunter2\n") == []


def test_redaction_has_no_path_and_leaves_deploy_shapes_to_the_scan() -> None:
    assert builtin_matcher().find(b"POSTGRES_PASSWORD: hunter2\n") == []


def test_a_manifest_is_deploy_configuration_by_its_content_wherever_it_lies() -> None:
    assert hits("apps/db/pod.yaml", K8S) == [("deploy-env-value", 10)]
    secret = "apiVersion: v1\nkind: Secret\ndata:\n  password: aHVudGVyMg==\n"
    assert hits("storage/db-secret.yaml", secret) == [("deploy-credential", 4)]
    assert hits("storage/settings.yaml", "database:\n  password: hunter2\n") == []


def test_a_value_that_says_it_is_a_fake_is_matched_only_when_fixtures_are_kept() -> None:
    text = b'KEY_ID = "AKIAIOSFODNN7EXAMPLE"\n'
    assert scan_buffer(MATCHER, text, "tests/test_aws.py") == ()
    kept = scan_buffer(MATCHER.keeping_fixtures(), text, "tests/test_aws.py")
    assert [(h.rule_id, h.fixture) for h in kept] == [("aws-access-key-id", True)]
    assert MATCHER.keep_fixtures is False  # the shared matcher is left as it was
