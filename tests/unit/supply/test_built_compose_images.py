"""A compose ``image:`` beside ``build:`` names the image built there: no digest applies."""

from __future__ import annotations

from aces.engines.containers.compose import compose_issues
from aces.engines.supply.ledger import image_refs

COMPOSE = """services:
  api:
    image: api:latest
    build:
      context: .
      dockerfile: api/Dockerfile
  db:
    image: postgres:17
  cache:
    build: ./cache
"""


def test_a_built_service_image_is_no_pulled_reference() -> None:
    refs = [(ref.line, ref.text) for ref in image_refs("compose.yml", COMPOSE, "compose")]
    assert refs == [(8, "postgres:17")]


def test_the_build_check_skips_the_built_image_name() -> None:
    assert [(issue.line, issue.key) for issue in compose_issues("compose.yml", COMPOSE)] == [
        (8, "postgres:17")
    ]
