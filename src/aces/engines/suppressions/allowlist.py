"""The governed allowlist: which suppressions it names, and which entries have expired.

An entry (``[[allowlist]]``: path glob, rule, reason, owner, expires) names a
suppression when its glob matches the file and its ``rule`` is one of: the
check id ``principle.no-manual-exceptions`` (every suppression in those files),
the suppression's rule id (``principle.no-manual-exceptions.noqa``), or, for a
suppression naming what it switches off, each of those targets (``N801``,
``clippy::unwrap_used``) or the matching lint rule id
(``lint.python.ruff.N801``, ``lint.rust.clippy.unwrap_used``). An entry is
expired once the reference date is after its ``expires`` date; an expired entry
names nothing and is itself a finding. The reference date is the date of the
HEAD commit, so the verdict of a commit never changes with the wall clock;
outside git (or before the first commit) it is today's UTC date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from aces.engines.suppressions.scanner import RULE_PREFIX, Suppression
from aces.policy.schema import AllowlistEntry
from aces.tools.process import ProcessRunner
from aces.workspace import git
from aces.workspace.git_run import unexpected_output
from aces.workspace.globs import GlobMatcher

# Lint rule ids of the linters' own codes, per suppression kind.
_LINT_PREFIXES = {
    "noqa": "lint.python.ruff.",
    "credo-disable": "lint.elixir.credo.",
}


@dataclass(frozen=True)
class ReferenceDate:
    """The date expiries are compared with, and where it came from."""

    date: dt.date
    source: str  # "HEAD commit" or "today (UTC)"
    from_commit: bool


def reference_date(
    root: Path, *, is_git: bool, today: dt.date, runner: ProcessRunner | None = None
) -> ReferenceDate:
    """The HEAD commit's date (``git log -1 --format=%cs``), else ``today``.

    ``today`` only when there is no commit to date from; a git that fails or answers
    with something that is no date is a GitError, never a silent "today".
    """
    if is_git and git.head_commit(root, runner=runner) is not None:
        result = git.run_git(root, "log", "-1", "--format=%cs", runner=runner)
        text = result.stdout.decode("utf-8", "replace").strip()
        try:
            return ReferenceDate(dt.date.fromisoformat(text), "the HEAD commit", True)
        except ValueError as exc:
            raise unexpected_output(root, result) from exc
    return ReferenceDate(today, "today (UTC): no commit to date from", False)


def live_entries(
    entries: Sequence[AllowlistEntry], today: dt.date
) -> tuple[tuple[int, AllowlistEntry], ...]:
    """The entries not expired on ``today``, with their index in the policy."""
    return tuple((i, e) for i, e in enumerate(entries) if not is_expired(e, today))


def expired_entries(
    entries: Sequence[AllowlistEntry], today: dt.date
) -> tuple[tuple[int, AllowlistEntry], ...]:
    """The entries past their expiry on ``today``, with their index in the policy."""
    return tuple((i, e) for i, e in enumerate(entries) if is_expired(e, today))


def is_expired(entry: AllowlistEntry, today: dt.date) -> bool:
    """Whether ``today`` is after the entry's ``expires`` date (the policy loader checked it)."""
    return today > dt.date.fromisoformat(entry.expires)


def lint_rule_ids(suppression: Suppression, target: str) -> frozenset[str]:
    """The names an allowlist entry may use for one suppressed target."""
    names = {target}
    if suppression.kind == "rust-allow":
        # the clippy run reports clippy and rustc lints alike as lint.rust.clippy.<lint>
        lint = target.replace("-", "_").removeprefix("clippy::").replace("::", ".")
        names.add(f"lint.rust.clippy.{lint}")
    prefix = _LINT_PREFIXES.get(suppression.kind)
    if prefix is not None:
        names.add(prefix + target.removeprefix("Credo.Check."))
    return frozenset(names)


def allowed(suppression: Suppression, entries: Sequence[AllowlistEntry]) -> bool:
    """Whether live ``entries`` name ``suppression`` (whole, or every target of it)."""
    rules = {e.rule for e in entries if GlobMatcher((e.path,)).match(suppression.path)}
    if not rules:
        return False
    if RULE_PREFIX in rules or suppression.rule_id in rules:
        return True
    targets = suppression.targets
    return bool(targets) and all(lint_rule_ids(suppression, t) & rules for t in targets)
