"""Plain data describing the Change: changed files, hunks and PR metadata."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hunk:
    """Lines added or changed in the head version: ``start`` 1-based, ``count`` lines."""

    start: int
    count: int


@dataclass(frozen=True)
class ChangedFile:
    """One file of the Change; ``status`` is git's letter (A, M, D, R, T)."""

    path: str
    status: str
    old_path: str | None = None
    hunks: tuple[Hunk, ...] = ()


@dataclass(frozen=True)
class PullRequest:
    """PR metadata from a CI event file or from flags; empty when there is none."""

    title: str = ""
    body: str = ""
    labels: tuple[str, ...] = ()
    approvals: tuple[str, ...] = ()
    author: str = ""
    number: int | None = None
    source: str = ""  # "github-event", "gitlab-event", "flags" or ""
    base_ref: str = ""  # the branch the PR targets, per the event file ("main")
    base_sha: str = ""  # the commit of that branch the event names, when it names one


@dataclass(frozen=True)
class Change:
    """What this PR is. ``whole_tree`` means no base: every file counts as changed."""

    base: str | None
    head: str | None
    whole_tree: bool
    files: tuple[ChangedFile, ...] = ()
    pr: PullRequest = field(default_factory=PullRequest)
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    base_ref: str = ""  # how the base was named ("origin/main"); ``base`` is its merge-base
    base_rule: str = ""  # the rule of docs/change.md that chose the base ("default-branch")
    roles: dict[str, int] = field(default_factory=dict)  # workspace files per non-product role
    # changed files of nested projects (own aces.toml): judged by their own run, not this one
    nested: tuple[ChangedFile, ...] = ()
    nested_projects: tuple[str, ...] = ()  # the directories of those projects

    @property
    def paths(self) -> tuple[str, ...]:
        """Head-side paths of every changed file, deleted ones included."""
        return tuple(f.path for f in self.files)

    def in_class(self, name: str) -> tuple[str, ...]:
        """Changed paths that the policy's change class ``name`` marks."""
        return self.classes.get(name, ())
