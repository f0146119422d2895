"""A per-run memo: analyses several checks share are computed once per run.

Checks of a stage run in parallel threads and often need the same expensive
view of the repository (every spec parsed, the tree digest, the test run). The
memo lives in the RunContext, so it is scoped to one run and never outlives it.
A build that fails is not retried: every later caller gets the same error at
once (a hung test suite times out once, not once per check that reads it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class RunMemo:
    """Values built at most once per key, safely from several threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, Any] = {}
        self._failures: dict[str, BaseException] = {}
        self._building: dict[str, threading.Lock] = {}

    def get(self, key: str, build: Callable[[], T]) -> T:
        """The value for ``key``, built by ``build`` on first use; a failure is raised again."""
        with self._lock:
            if key in self._values or key in self._failures:
                return self._known(key)  # type: ignore[no-any-return]
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values or key in self._failures:
                    return self._known(key)  # type: ignore[no-any-return]
            try:
                value = build()
            except Exception as exc:
                with self._lock:
                    self._failures[key] = exc
                raise
            with self._lock:
                self._values[key] = value
            return value

    def _known(self, key: str) -> Any:
        """The value kept for ``key``, or its failure raised again (lock held)."""
        failure = self._failures.get(key)
        if failure is not None:
            # Raised as is: its innermost frame (what a crash report names) stays the same.
            raise failure
        return self._values[key]
