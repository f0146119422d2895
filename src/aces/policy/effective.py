"""The policy in force for a run: the stricter of the base's and the head's (the ratchet).

A change may not weaken the rules that judge it. The head's ``aces.toml`` is
compared with the base commit's (read from git's object store): when the head
is looser in any key, or has deleted the file, the run uses the base's policy,
so no later stage is weakened, and stage 1 reports each loosened key
(``gov.only-stricter``). A ``--policy`` file may only add strictness: when it
is looser than the repository's policy in force, the repository's stays in
force. Without a base (a whole-tree run) there is nothing to ratchet against;
the head's policy is used and stage 1 says so.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from pathlib import Path

from aces.errors import AcesError, PolicyError
from aces.policy.loader import (
    EMBEDDED_SOURCE,
    MAX_POLICY_BYTES,
    POLICY_FILE,
    display_name,
    parse_policy,
    read_policy_bytes,
)
from aces.policy.policy_diff import Loosening
from aces.policy.ratchet import compare
from aces.policy.schema import LoadedPolicy, Policy
from aces.workspace import git
from aces.workspace.change import NO_CI, compute_change
from aces.workspace.cienv import CiPullRequest
from aces.workspace.index import Workspace
from aces.workspace.types import Change, PullRequest

_REGULAR_MODES = ("100644", "100755")
_SYMLINK_MODE = "120000"


@dataclass(frozen=True)
class PolicySnapshot:
    """A policy as one side of the change holds it: the loaded value and the file's bytes."""

    loaded: LoadedPolicy
    data: bytes | None = None  # None: no file (the embedded doctrine default)

    @property
    def text(self) -> str:
        """The file's text ('' without a file)."""
        return "" if self.data is None else self.data.decode("utf-8", "replace")


@dataclass(frozen=True)
class PolicySelection:
    """Which policy a run uses, and what the ratchet found on the way there."""

    head: PolicySnapshot  # the repository's aces.toml in the working tree
    effective: LoadedPolicy
    base: PolicySnapshot | None = None  # None: no base commit, or it could not be read
    base_commit: str | None = None
    base_error: str = ""  # why the base's policy could not be read ('' when it was)
    override: PolicySnapshot | None = None  # the --policy file
    head_loosenings: tuple[Loosening, ...] = ()
    override_loosenings: tuple[Loosening, ...] = ()

    @property
    def head_deleted(self) -> bool:
        """Whether the base had a policy file that the head no longer has."""
        return self.base is not None and self.base.data is not None and self.head.data is None

    @property
    def head_in_force(self) -> bool:
        """Whether the head's own policy (not the base's) is the repository's policy in force."""
        return not self.head_loosenings and not self.head_deleted


def snapshot_file(root: Path, path: Path | None = None) -> PolicySnapshot:
    """The policy at ``path`` (default ``<root>/aces.toml``, or the doctrine default)."""
    candidate = root / POLICY_FILE if path is None else path
    if path is None and not candidate.exists() and not candidate.is_symlink():
        return PolicySnapshot(LoadedPolicy(Policy(), EMBEDDED_SOURCE, is_default=True))
    source = display_name(root, candidate)
    data = read_policy_bytes(candidate, source)
    return PolicySnapshot(LoadedPolicy(parse_policy(data, source), source, False), data)


def snapshot_commit(root: Path, commit: str) -> PolicySnapshot:
    """The policy file of ``commit`` (the doctrine default when it had none).

    A symlinked ``aces.toml`` is followed once, to a regular file of the same commit inside
    the repository, as reading the working tree would.
    """
    source = f"{commit[:12]}:{POLICY_FILE}"
    found = blob_at(root, commit, POLICY_FILE, limit=MAX_POLICY_BYTES)
    if found is None:
        return PolicySnapshot(LoadedPolicy(Policy(), EMBEDDED_SOURCE, is_default=True))
    mode, data = found
    if mode == _SYMLINK_MODE:
        target = posixpath.normpath(data.decode("utf-8", "replace"))
        inside = not target.startswith(("/", "../")) and target != ".."
        found = blob_at(root, commit, target, limit=MAX_POLICY_BYTES) if inside else None
        mode, data = found if found is not None else ("missing", b"")
    if mode not in _REGULAR_MODES:
        raise PolicyError(
            f"the base's {POLICY_FILE} is not a regular file, nor a link to one in the "
            f"repository ({mode})",
            path=source,
            hint="keep the policy in a regular file so that its history can be compared",
        )
    return PolicySnapshot(LoadedPolicy(parse_policy(data, source), source, False), data)


def blob_at(root: Path, commit: str, path: str, *, limit: int) -> tuple[str, bytes] | None:
    """Mode and bytes of ``path`` (relative to ``root``) in ``commit``; None when absent."""
    listing = git.run_git(root, "ls-tree", "-l", "-z", commit, "--", path).stdout
    entries = [entry for entry in git.split_z(listing) if entry]
    if not entries:
        return None
    meta = entries[0].partition("\t")[0].split()
    if len(meta) != 4 or meta[1] != "blob":
        return meta[0] if meta else "?", b""
    if not meta[3].isdigit() or int(meta[3]) > limit:
        raise PolicyError(f"larger than {limit} bytes", path=f"{commit[:12]}:{path}")
    return meta[0], git.run_git(root, "cat-file", "blob", meta[2]).stdout


def select_policy(
    root: Path,
    base_commit: str | None,
    head: PolicySnapshot,
    override: PolicySnapshot | None = None,
) -> PolicySelection:
    """The policy in force: the base's when the head loosens it, then ``override`` if stricter."""
    selection = PolicySelection(head=head, effective=head.loaded, base_commit=base_commit)
    if base_commit is not None:
        try:
            base = snapshot_commit(root, base_commit)
        except AcesError as exc:
            # Stage 1 reports this as an ERROR of gov.only-stricter, which blocks the run.
            selection = replace(selection, base_error=exc.diagnostics())
        else:
            loosened = tuple(compare(base.loaded.policy, head.loaded.policy))
            selection = replace(selection, base=base, head_loosenings=loosened)
            if not selection.head_in_force:
                selection = replace(selection, effective=base.loaded)
    if override is not None:
        loosened = tuple(compare(selection.effective.policy, override.loaded.policy))
        selection = replace(selection, override=override, override_loosenings=loosened)
        if not loosened:
            selection = replace(selection, effective=override.loaded)
    return replace(selection, effective=replace(selection.effective, selection=selection))


def policy_and_change(
    ws: Workspace,
    head: PolicySnapshot,
    override: PolicySnapshot | None = None,
    *,
    base: str | None,
    pr: PullRequest,
    ci: CiPullRequest = NO_CI,
) -> tuple[LoadedPolicy, Change]:
    """The policy in force for a run and the Change it judges, as ``aces run`` chooses them.

    The head's policy names the default branch the Change is found against, so a head that
    renames it could make its own branch "the default" and escape the ratchet as a
    whole-tree run. When the head's ``default_branch`` alone makes the run whole-tree, the
    branch found without it is asked: if its policy names another default branch, the
    change is compared with it after all.
    """
    change = compute_change(ws, head.loaded.policy, base=base, pr=pr, ci=ci)
    if change.whole_tree and head.loaded.policy.default_branch and ws.is_git:
        unset = replace(head.loaded.policy, default_branch="")
        probe = compute_change(ws, unset, base=base, pr=pr, ci=ci)
        if probe.base is not None and _default_branch_at(ws.root, probe.base) != (
            head.loaded.policy.default_branch
        ):
            change = probe
    loaded = select_policy(ws.root, change.base, head, override).effective
    if loaded.policy != head.loaded.policy:
        # the Change's classes (and its base) follow the policy in force
        rechosen = compute_change(ws, loaded.policy, base=base, pr=pr, ci=ci)
        change = rechosen if not rechosen.whole_tree or change.whole_tree else change
    return loaded, change


def _default_branch_at(root: Path, commit: str) -> str | None:
    """The ``default_branch`` the policy of ``commit`` names (None when it cannot be read)."""
    try:
        return snapshot_commit(root, commit).loaded.policy.default_branch
    except AcesError:
        return None
