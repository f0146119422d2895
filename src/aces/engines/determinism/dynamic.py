"""The dynamic determinism check: the same suite, run again under a variation.

``compare_runs`` takes the per-test outcomes of the reference run and of a
variant (another hash seed and reversed test order, or a shifted clock) and
returns every test whose outcome changed: flaky under that variation. Pure;
the stage runs the suites. ``REVERSE_ORDER_PLUGIN`` is the pytest plugin that
reverses the collection order of a run (loaded with ``-p`` from a temporary
directory put on ``PYTHONPATH``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aces.engines.testreports.model import Outcome

REVERSE_ORDER_MODULE = "aces_reverse_order"
REVERSE_ORDER_PLUGIN = '''"""Reverse the order pytest runs the collected tests in (ACES probe)."""


def pytest_collection_modifyitems(session, config, items):
    items.reverse()
'''
MISSING = "not run"


@dataclass(frozen=True, order=True)
class Flake:
    """A test whose outcome differs between the reference run and a variant."""

    test: str
    reference: str
    variant: str


def compare_runs(reference: Mapping[str, Outcome], variant: Mapping[str, Outcome]) -> list[Flake]:
    """Tests of ``reference`` whose outcome in ``variant`` differs (or that did not run)."""
    flakes = []
    for test, before in sorted(reference.items()):
        after = variant.get(test)
        if after is None:
            if before is not Outcome.SKIPPED:
                flakes.append(Flake(test, before.value, MISSING))
        elif after.failing != before.failing:
            flakes.append(Flake(test, before.value, after.value))
    for test, after in sorted(variant.items()):
        if test not in reference and after.failing:
            flakes.append(Flake(test, MISSING, after.value))
    return sorted(flakes)
