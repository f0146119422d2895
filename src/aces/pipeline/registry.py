"""Stage definitions: the ordered tuple of the 12 stages and their checks.

The stage modules (``aces.stages``) build ``StageDef`` values; the pipeline, the
doctrine matrix, ``aces explain`` and the CI generators all read the same tuple,
so they cannot drift.
"""

from __future__ import annotations

import importlib
import threading

from aces.pipeline.check import Check


class StageDef:
    """One of the 12 stages: its number, short name, title and checks.

    The registry names each stage's module instead of importing it: a stage's
    checks (and the engines behind them) are loaded the first time they are
    asked for, so ``aces run --stage 1`` does not pay for the model checker.
    The module must define ``STAGE``, a ``StageDef`` with the same number.
    """

    __slots__ = ("_checks", "_lock", "_module", "name", "number", "title")

    def __init__(
        self,
        number: int,
        name: str,
        title: str,
        checks: tuple[Check, ...] = (),
        *,
        module: str | None = None,
    ) -> None:
        self.number = number
        self.name = name
        self.title = title
        self._checks: tuple[Check, ...] | None = None if module else tuple(checks)
        self._module = module
        self._lock = threading.Lock()

    @property
    def checks(self) -> tuple[Check, ...]:
        """The stage's checks, imported from its module on first use."""
        with self._lock:
            if self._checks is None:
                assert self._module is not None
                loaded = importlib.import_module(self._module).STAGE
                if not isinstance(loaded, StageDef) or loaded.number != self.number:
                    raise TypeError(f"{self._module}.STAGE is not stage {self.number}")
                self._checks = loaded.checks
            return self._checks

    def __repr__(self) -> str:
        return f"StageDef({self.number}, {self.name!r}, {self.title!r})"

    @property
    def slug(self) -> str:
        """``s01-spec`` style identifier used by CI jobs and file names."""
        return f"s{self.number:02d}-{self.name}"


def find_check(stages: tuple[StageDef, ...], check_id: str) -> Check | None:
    """The check with this id, if any stage has one."""
    for stage in stages:
        for check in stage.checks:
            if check.id == check_id:
                return check
    return None


def resolve_stage(stages: tuple[StageDef, ...], token: str) -> StageDef:
    """A stage by number (``3``), name (``static``) or slug (``s03-static``)."""
    from aces.errors import InputError

    wanted = token.strip().lower()
    for stage in stages:
        if wanted in (str(stage.number), stage.name, stage.slug, f"{stage.number:02d}"):
            return stage
    names = ", ".join(f"{s.number}|{s.name}" for s in stages)
    raise InputError(f"unknown stage {token!r}", hint=f"use one of {names}")
