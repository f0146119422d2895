"""Stage 1 governance: the policy that judges a change cannot be weakened by it (ACES VII).

These checks run first, before anything the policy configures. They read the
``PolicySelection`` the run was started with (``aces.policy.effective``): the
base commit's policy, the head's, a ``--policy`` file, and the loosenings the
ratchet found between them. The run itself already uses the stricter policy;
these checks make each loosening, a missing or wrong version bump and a missing
maintainer approval a finding at its line of ``aces.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator

from aces.errors import PolicyError
from aces.model import Finding, Location
from aces.pipeline.check import Check, NotApplicable
from aces.pipeline.context import RunContext
from aces.policy.effective import (
    PolicySelection,
    PolicySnapshot,
    blob_at,
    select_policy,
    snapshot_file,
)
from aces.policy.loader import POLICY_FILE
from aces.policy.locate import locate
from aces.policy.policy_diff import Loosening
from aces.policy.semver_bump import Bump, actual_bump, bump_problem, required_bump

WHOLE_TREE = (
    "whole-tree run: there is no base commit to ratchet the policy against, so the head's "
    "policy is in force as it is (run with --base, or from a PR, to compare)"
)
UNCHANGED = "the policy file did not change"
# Where a repository lists its maintainers, read at the base so a PR cannot edit the list.
MAINTAINER_FILES: tuple[str, ...] = (
    "MAINTAINERS",
    "MAINTAINERS.md",
    "CODEOWNERS",
    ".github/CODEOWNERS",
    ".gitlab/CODEOWNERS",
    "docs/CODEOWNERS",
)
MAX_LIST_BYTES = 1_000_000
_HANDLE = re.compile(r"@([A-Za-z0-9][A-Za-z0-9_.\-/]*)")
_BARE_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


def selection_of(ctx: RunContext) -> PolicySelection:
    """The run's policy selection (built from the workspace when the run did not record one)."""
    recorded = ctx.loaded_policy.selection
    if recorded is not None:
        return recorded
    root = ctx.workspace.root
    return ctx.memo.get(
        "gov.selection", lambda: select_policy(root, ctx.change.base, snapshot_file(root))
    )


def key_line(snapshot: PolicySnapshot, dotted: str) -> int | None:
    """The line of a dotted key in the snapshot's file (its nearest table when gone)."""
    if snapshot.data is None:
        return None
    return locate(snapshot.text).line_of(toml_path(snapshot.text, dotted))


def toml_path(text: str, dotted: str) -> tuple[str | int, ...]:
    """The TOML key path of a dotted key: a named entry of an array of tables is its index.

    ``tests.runners.rust.argv`` is ``("tests", "runners", 1, "argv")`` when the runner named
    ``rust`` is the second ``[[tests.runners]]`` table.
    """
    try:
        node: object = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        node = None
    path: list[str | int] = []
    for part in dotted.split("."):
        if isinstance(node, list):
            index = next(
                (
                    i
                    for i, item in enumerate(node)
                    if isinstance(item, dict) and item.get("name") == part
                ),
                None,
            )
            if index is None:
                break
            path.append(index)
            node = node[index]
        else:
            path.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(path)


def policy_path(snapshot: PolicySnapshot) -> str:
    """The file a finding about ``snapshot`` points at."""
    return POLICY_FILE if snapshot.loaded.is_default else snapshot.loaded.source


class GovernanceCheck(Check):
    """Shared parts of the governance checks (not cached: they read git history)."""

    stage = 1
    tools = ("git",)


class OnlyStricter(GovernanceCheck):
    """The policy may only become stricter: the base's policy judges a change that loosens it.

    ACES VII: enforcement can only become stricter. The head's ``aces.toml`` is
    compared with the base commit's, key by key (``docs/policy.md``, Governance):
    a threshold moved against its direction, a required section, change class,
    core path or test runner removed, an exception or a maintainer added, any
    change of a key whose stricter direction ACES does not know, or the file
    deleted. Each is a finding at its line, and the run uses the base's policy,
    so no later stage is weakened. A ``--policy`` file may only add strictness:
    each key it loosens is a finding, and the repository's policy stays in force.
    """

    id = "gov.only-stricter"
    clauses = ("gov.only-stricter",)
    title = "A change cannot loosen the policy that judges it"
    remedy = (
        "Keep the base's value. Loosening the policy is a MAJOR change no PR run accepts: "
        "the maintainers make it on the default branch, all of them agreeing; see "
        "docs/policy.md (Governance)."
    )

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable without a base commit and without a --policy file."""
        selection = selection_of(ctx)
        if selection.base_commit is None and selection.override is None:
            return NotApplicable(WHOLE_TREE)
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """One finding per loosened key; an unreadable base policy is an ERROR."""
        selection = selection_of(ctx)
        if selection.base_error:
            raise PolicyError(
                f"cannot read the base's policy to ratchet against: {selection.base_error}"
            )
        if selection.head_deleted:
            yield self.finding(
                f"{POLICY_FILE} is deleted; the base's policy stays in force",
                Location(POLICY_FILE),
                key="deleted",
            )
        for item in selection.head_loosenings:
            yield self._loosened(selection.head, item, "the base's policy stays in force")
        if selection.override is not None:
            for item in selection.override_loosenings:
                yield self._loosened(
                    selection.override,
                    item,
                    "--policy may only add strictness; it is not used",
                    in_repo=ctx.workspace.exists(policy_path(selection.override)),
                )

    def _loosened(
        self, snapshot: PolicySnapshot, item: Loosening, outcome: str, in_repo: bool = True
    ) -> Finding:
        clauses = tuple(dict.fromkeys((*self.clauses, item.clause)))
        path, line = policy_path(snapshot), key_line(snapshot, item.key)
        message = f"{item.key}: {item.message}; {outcome}"
        where: Location | None = Location(path, line)
        if not in_repo:
            # a --policy file outside the repository is no place a report can point at
            where, message = None, f"{path}:{line or 1}: {message}"
        return self.finding(message, where, clauses=clauses, key=f"{path}\x1f{item.render()}")


def changed_policy(ctx: RunContext) -> tuple[PolicySelection, NotApplicable | None]:
    """The selection, and why there is no policy change to judge (None when there is one)."""
    selection = selection_of(ctx)
    base = selection.base
    if selection.base_commit is None:
        return selection, NotApplicable(WHOLE_TREE)
    if base is None:
        return selection, NotApplicable("the base's policy could not be read: gov.only-stricter")
    if base.data == selection.head.data:
        return selection, NotApplicable(UNCHANGED)
    if selection.head.data is None:
        return selection, NotApplicable(f"{POLICY_FILE} is deleted: gov.only-stricter reports it")
    if base.data is None:
        return selection, NotApplicable(f"the base has no {POLICY_FILE}: this is its first version")
    return selection, None


class PolicySemver(GovernanceCheck):
    """``policy_version`` is SemVer and bumps with every change of the policy file.

    ACES VII: the policy is versioned with SemVer. Against the base's version,
    a change needs a MAJOR bump when anything is looser (every item
    gov.only-stricter would list), a MINOR bump for a new rule (an entry added:
    a runner, a required section, a core library path, a change-class glob) and
    a PATCH bump for anything else (a value made stricter, an exception removed,
    an edited comment). The new version must be the next one at that level or
    above (1.4.2 -> 1.4.3, 1.5.0 or 2.0.0).
    """

    id = "gov.policy-semver"
    clauses = ("gov.policy-semver",)
    title = "Every policy change bumps policy_version by SemVer"
    remedy = "Set policy_version to the version the finding names (or a higher level)."

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable when the policy file did not change (or there is no base)."""
        return changed_policy(ctx)[1]

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """A finding at ``policy_version`` when the bump is missing or wrong."""
        selection, _ = changed_policy(ctx)
        assert selection.base is not None
        base, head = selection.base.loaded.policy, selection.head.loaded.policy
        needed = required_bump(base, head, file_changed=True)
        problem = bump_problem(base.policy_version, head.policy_version, needed)
        if problem is not None:
            yield self.finding(
                problem,
                Location(policy_path(selection.head), key_line(selection.head, "policy_version")),
                key=problem,
            )


class UnanimousMajor(GovernanceCheck):
    """A MAJOR policy change is approved by every maintainer.

    ACES VII: major changes require unanimous maintainer approval. When the
    change needs or makes a MAJOR bump of ``policy_version``, every maintainer
    listed at the base (``MAINTAINERS``, ``CODEOWNERS`` in the usual places, and
    the base policy's ``[[maintainers]]``) must have approved the PR; the
    approvals are read from the PR event (``docs/change.md``) and the PR's
    author counts as approving. The list is read from the base commit, so the
    change cannot edit who must agree.
    """

    id = "gov.unanimous-major"
    clauses = ("gov.unanimous-major",)
    title = "A MAJOR policy change has every maintainer's approval"
    remedy = "Ask each maintainer the finding names to approve the PR, then re-run."

    def applies(self, ctx: RunContext) -> NotApplicable | None:
        """Not applicable unless the change is a MAJOR one."""
        selection, skip = changed_policy(ctx)
        if skip is not None:
            return skip
        if not _is_major(selection):
            return NotApplicable("the policy change is not a MAJOR one")
        return None

    def run(self, ctx: RunContext) -> Iterator[Finding]:
        """A finding naming the maintainers whose approval is missing."""
        selection, _ = changed_policy(ctx)
        assert selection.base_commit is not None and selection.base is not None
        where = Location(policy_path(selection.head), key_line(selection.head, "policy_version"))
        required = _maintainers(ctx, selection.base_commit, selection.base)
        if not required:
            yield self.finding(
                "a MAJOR policy change needs every maintainer's approval, but the base lists "
                "no maintainers (MAINTAINERS, CODEOWNERS or [[maintainers]])",
                where,
                key="no-maintainers",
            )
            return
        pr = ctx.change.pr
        approved = {name.lower() for name in (*pr.approvals, pr.author) if name}
        missing = [name for name in required if name.lower() not in approved]
        if missing:
            yield self.finding(
                f"a MAJOR policy change lacks the approval of {', '.join(missing)} "
                f"({len(required) - len(missing)} of {len(required)} maintainers approved)",
                where,
                key="\x1f".join(missing),
            )


def _is_major(selection: PolicySelection) -> bool:
    """Whether the change needs, or makes, a MAJOR bump."""
    assert selection.base is not None
    base, head = selection.base.loaded.policy, selection.head.loaded.policy
    if required_bump(base, head, file_changed=True) is Bump.MAJOR:
        return True
    return actual_bump(base.policy_version, head.policy_version) is Bump.MAJOR


def _maintainers(ctx: RunContext, commit: str, base: PolicySnapshot) -> tuple[str, ...]:
    """Handles listed at the base, sorted case-insensitively and without duplicates."""
    found = {person.handle.lower(): person.handle for person in base.loaded.policy.maintainers}
    for path in MAINTAINER_FILES:
        blob = blob_at(ctx.workspace.root, commit, path, limit=MAX_LIST_BYTES)
        if blob is not None:
            for handle in parse_maintainers(blob[1].decode("utf-8", "replace"), path):
                found.setdefault(handle.lower(), handle)
    return tuple(found[key] for key in sorted(found))


def parse_maintainers(text: str, path: str) -> list[str]:
    """Handles of a MAINTAINERS or CODEOWNERS file: ``@name`` (teams ``@org/team`` included).

    In a MAINTAINERS file a line holding one bare word is a handle too; in CODEOWNERS
    the first word of a line is a path pattern and never a handle.
    """
    handles: list[str] = []
    codeowners = path.endswith("CODEOWNERS")
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()[1:] if codeowners else line.split()
        tagged = [m.group(1) for word in words if (m := _HANDLE.fullmatch(word))]
        if tagged:
            handles += tagged
        elif not codeowners and len(words) == 1 and _BARE_HANDLE.fullmatch(words[0]):
            handles.append(words[0])
    return handles
