"""The RunContext: everything a check may read, passed explicitly (no globals)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aces.pipeline.memo import RunMemo
from aces.pipeline.observer import NullObserver, Observer
from aces.pipeline.resources import StageResources
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
    aces stops them all; the runner hands each check a ``DeadlineRunner`` there, so
    every child is bounded by the check's one deadline.
    """

    workspace: Workspace
    change: Change
    loaded_policy: LoadedPolicy
    doctrine: Doctrine
    options: RunOptions = field(default_factory=RunOptions)
    observer: Observer = field(default_factory=NullObserver)
    processes: ProcessRunner = field(default_factory=ProcessRunner)
    memo: RunMemo = field(default_factory=RunMemo, compare=False)
    # closed by the runner when each stage ends (a live environment, temp trees)
    resources: StageResources = field(default_factory=StageResources, compare=False)

    @property
    def policy(self) -> Policy:
        """The effective policy (the file's, or the doctrine default)."""
        return self.loaded_policy.policy

    def tree_digest(self) -> str:
        """The workspace's tree digest, computed once per run (checks key their cache on it)."""
        return self.memo.get(
            "workspace.tree_digest", lambda: self.workspace.tree_digest(self.processes)
        )

    def inputs_digest(self) -> str:
        """A digest of the Change (PR metadata included) and the policy, once per run."""
        return self.memo.get("run.inputs_digest", self._inputs_digest)

    def _inputs_digest(self) -> str:
        material = f"{self.change!r}\x1f{self.policy!r}"
        return hashlib.sha256(material.encode("utf-8")).hexdigest()
