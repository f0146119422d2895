"""Suite-wide settings: every commit a test makes carries the example's frozen date.

The reference example commits a dated vulnerability database, and the audit counts its
age to the HEAD commit's date; a commit made "now" would make the example stale as the
calendar moves on. A test that needs another date sets GIT_AUTHOR_DATE/GIT_COMMITTER_DATE
for its own git calls.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.example_repo import FROZEN_COMMIT_DATE


@pytest.fixture(autouse=True, scope="session")
def _frozen_commit_dates() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
            patch.setenv(name, FROZEN_COMMIT_DATE)
        yield
