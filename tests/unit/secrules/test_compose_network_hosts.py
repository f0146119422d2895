"""URLs between the services of one single-host compose file stay on that machine."""

from __future__ import annotations

from aces.engines.tlsrules.connections import scan_tls

COMPOSE = """services:
  db:
    image: postgres:17
  api:
    build: .
    environment:
      DATABASE_URL: postgresql://app:${DB_PASSWORD:?not set}@db:5432/app
      MAIL_URL: http://mailer:8025
      AUDIT_URL: http://audit.example.com/ingest
  mailer:
    image: mailer:1
"""


def _hits(text: str, path: str = "compose.yml") -> list[tuple[str, int]]:
    return [(hit.rule_id, hit.line) for hit in scan_tls(path, text)]


def test_a_sibling_service_is_a_local_host() -> None:
    assert _hits(COMPOSE) == [("sec.tls.http-endpoint", 9)]


def test_swarm_services_may_sit_on_other_machines() -> None:
    swarm = COMPOSE.replace("    build: .\n", "    build: .\n    deploy:\n      replicas: 3\n")
    assert _hits(swarm) == [
        ("sec.tls.plaintext-url", 9),
        ("sec.tls.http-endpoint", 10),
        ("sec.tls.http-endpoint", 11),
    ]


def test_the_same_names_in_another_file_are_remote_hosts() -> None:
    assert [rule for rule, _ in _hits(COMPOSE, "deploy/values.yaml")] == [
        "sec.tls.plaintext-url",
        "sec.tls.http-endpoint",
        "sec.tls.http-endpoint",
    ]
