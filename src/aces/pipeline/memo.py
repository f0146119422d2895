"""A per-run memo: analyses several checks share are computed once per run.

Checks of a stage run in parallel threads and often need the same expensive
view of the repository (every spec parsed, the tree digest). The memo lives in
the RunContext, so it is scoped to one run and never outlives it.
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
        self._building: dict[str, threading.Lock] = {}

    def get(self, key: str, build: Callable[[], T]) -> T:
        """The value for ``key``, built by ``build`` on first use; exceptions are not kept."""
        with self._lock:
            if key in self._values:
                return self._values[key]  # type: ignore[no-any-return]
            key_lock = self._building.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]  # type: ignore[no-any-return]
            value = build()
            with self._lock:
                self._values[key] = value
            return value
