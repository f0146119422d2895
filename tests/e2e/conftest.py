"""Fixtures of the end-to-end tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.helpers import EXAMPLE


@pytest.fixture
def example_copy(tmp_path: Path) -> Callable[[], Path]:
    """A function returning a fresh copy of the example repository (no git)."""

    def make() -> Path:
        target = tmp_path / "repo"
        shutil.copytree(EXAMPLE, target, ignore=shutil.ignore_patterns(".aces", "__pycache__"))
        return target

    return make
