"""Suite-wide settings: every commit a test makes carries the example's frozen date.

The reference example commits a dated vulnerability database, and the audit counts its
age to the HEAD commit's date; a commit made "now" would make the example stale as the
calendar moves on. A test that needs another date sets GIT_AUTHOR_DATE/GIT_COMMITTER_DATE
for its own git calls.

Runs on copies outside git keep their reports and build output in the user's cache
directory (``aces.workspace.rundirs``); the suite points it at a temp directory.
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


@pytest.fixture(autouse=True, scope="session")
def _user_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("user-cache")))
        yield
