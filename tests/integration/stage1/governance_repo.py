"""Git copies of the example for the governance tests, and the context ``aces run`` builds.

The untouched example is committed on ``main``; each test changes it on a branch, and
``governed`` chooses the policy and the Change exactly as ``aces run`` does
(``aces.policy.effective.policy_and_change``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.integration.example_repo import git, git_example

from aces.doctrine.catalog import load_doctrine
from aces.model import Status
from aces.pipeline.context import RunContext
from aces.pipeline.registry import find_check
from aces.policy.effective import policy_and_change, snapshot_file
from aces.stages import STAGES
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

POLICY = "aces.toml"
Finding = tuple[str, tuple[str, ...], str, int | None]


@dataclass(frozen=True)
class Outcome:
    """What one check said."""

    status: Status
    reason: str
    findings: tuple[Finding, ...]


def governed(
    root: Path,
    *,
    base: str | None = "main",
    override: Path | None = None,
    approvals: tuple[str, ...] = (),
    author: str = "",
) -> RunContext:
    """The RunContext ``aces run`` builds: the head's policy, ratcheted against the base's."""
    ws = Workspace.open(root)
    head = snapshot_file(root)
    pr = PullRequest(approvals=approvals, author=author)
    chosen = snapshot_file(root, override) if override is not None else None
    loaded, change = policy_and_change(ws, head, chosen, base=base, pr=pr)
    return RunContext(ws, change, loaded, load_doctrine())


def outcome(ctx: RunContext, check_id: str) -> Outcome:
    check = find_check(STAGES, check_id)
    assert check is not None
    skip = check.applies(ctx)
    if skip is not None:
        return Outcome(Status.NOT_APPLICABLE, skip.reason, ())
    found = tuple(
        sorted(
            (f.rule_id, f.clauses, f.location.path if f.location else "",
             f.location.line if f.location else None)
            for f in check.run(ctx)
        )
    )  # fmt: skip
    return Outcome(Status.FAIL if found else Status.PASS, "", found)


def branch(root: Path) -> None:
    git(root, "checkout", "-q", "-b", "change")


def commit(root: Path, message: str = "change") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def version(root: Path, new: str) -> None:
    edit(root, POLICY, 'policy_version = "1.0.0"', f'policy_version = "{new}"')


def stricter(root: Path, new_version: str = "1.0.1") -> None:
    """Raise the core coverage floor (a stricter value) and set the version."""
    edit(root, POLICY, "[paths]\n", "[thresholds]\ncore_coverage_percent = 90\n\n[paths]\n")
    version(root, new_version)


def change_repo(tmp_path: Path) -> Path:
    """A git copy of the example committed on ``main``, on a new branch ``change``."""
    root = git_example(tmp_path)
    branch(root)
    return root
