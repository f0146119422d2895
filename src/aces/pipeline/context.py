"""The RunContext: everything a check may read, passed explicitly (no globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aces.pipeline.observer import NullObserver, Observer
from aces.tools.process import ProcessRunner

if TYPE_CHECKING:
    from aces.doctrine.catalog import Doctrine
    from aces.policy.schema import LoadedPolicy, Policy
    from aces.workspace.index import Workspace
    from aces.workspace.types import Change


@dataclass(frozen=True)
class RunOptions:
    """How the user asked the run to behave."""

    keep_going: bool = False
    stages: tuple[int, ...] = ()
    use_cache: bool = True
    jobs: int = 4
    check_timeout_seconds: float = 600.0


@dataclass(frozen=True)
class RunContext:
    """The inputs of a run: workspace, change, policy, doctrine, and the process runner.

    Every subprocess a check starts goes through ``processes`` so that a signal to
    aces stops them all.
    """

    workspace: Workspace
    change: Change
    loaded_policy: LoadedPolicy
    doctrine: Doctrine
    options: RunOptions = field(default_factory=RunOptions)
    observer: Observer = field(default_factory=NullObserver)
    processes: ProcessRunner = field(default_factory=ProcessRunner)

    @property
    def policy(self) -> Policy:
        """The effective policy (the file's, or the doctrine default)."""
        return self.loaded_policy.policy
