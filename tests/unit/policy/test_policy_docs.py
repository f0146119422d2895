"""docs/policy.md documents every key the loader accepts, with default, direction and clause."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from aces.policy.mapping import (
    ALLOWLIST_KEYS,
    MAINTAINER_KEYS,
    SPEC_KEYS,
    TOP_LEVEL_KEYS,
)
from aces.policy.schema import THRESHOLDS, ChangeClasses, Paths
from aces.policy.values import number_text

DOC = (Path(__file__).parents[3] / "docs" / "policy.md").read_text(encoding="utf-8")

EVERY_KEY = sorted(
    {
        *TOP_LEVEL_KEYS,
        *SPEC_KEYS,
        *MAINTAINER_KEYS,
        *ALLOWLIST_KEYS,
        *(f.name for f in dataclasses.fields(Paths)),
        *(f.name for f in dataclasses.fields(ChangeClasses)),
    }
)


@pytest.mark.parametrize("key", EVERY_KEY)
def test_every_key_is_documented(key: str) -> None:
    headings = (f"## `[{key}]`", f"## `[[{key}]]`", f"### `[spec.{key}]`")
    assert f"| `{key}` |" in DOC or any(heading in DOC for heading in headings)


@pytest.mark.parametrize("name", sorted(THRESHOLDS))
def test_every_threshold_row_has_default_direction_and_clause(name: str) -> None:
    spec = THRESHOLDS[name]
    direction = "minimum" if spec.direction.value == "min" else "maximum"
    row = (
        f"| `{name}` | {number_text(spec.default)} | {direction} | {spec.meaning} "
        f"| `{spec.clause}` |"
    )
    assert row in DOC
