"""The Change: what this PR is (base, head, changed files and hunks, PR metadata).

The base is chosen by the rules of :mod:`aces.workspace.base`; the Change compares
that base (already reduced to its merge-base with HEAD) with the working tree, so
uncommitted edits and untracked files count. With no base, and whenever the
comparison finds nothing changed, the whole tree is the Change: an empty Change
would turn every change-scoped check off. Files of a nested project (a directory
with its own ``aces.toml``) are left out of ``files`` and kept in ``nested``: that
project's own run judges them.
"""

from __future__ import annotations

from aces.errors import InputError
from aces.policy.schema import Policy
from aces.workspace import git
from aces.workspace.base import EMPTY_CHANGE, BaseChoice, choose_base
from aces.workspace.cienv import CiPullRequest
from aces.workspace.globs import GlobMatcher
from aces.workspace.index import Workspace
from aces.workspace.prmeta import load_pr_metadata
from aces.workspace.roles import count_roles, is_product
from aces.workspace.types import Change, ChangedFile, Hunk, PullRequest
from aces.workspace.walk import is_excluded

__all__ = ["BaseChoice", "classify", "compute_change", "load_pr_metadata"]

NO_CI = CiPullRequest()


def compute_change(
    ws: Workspace,
    policy: Policy,
    *,
    base: str | None,
    pr: PullRequest,
    ci: CiPullRequest = NO_CI,
) -> Change:
    """The Change of ``ws``: against the chosen base, or the whole tree when there is none."""
    head = git.head_commit(ws.root) if ws.is_git else None
    choice = choose_base(ws.root, policy, is_git=ws.is_git, base=base, pr=pr, head=head, ci=ci)
    if choice.commit is not None:
        files, nested = _split_nested(ws, changed_files(ws, choice.commit))
        if files or nested:
            classes = classify(files, policy)
            return Change(
                choice.commit, head, False, files, pr, classes,
                base_ref=choice.label, base_rule=choice.rule, roles=count_roles(ws.files),
                nested=nested, nested_projects=ws.nested_projects,
            )  # fmt: skip
        choice = BaseChoice(EMPTY_CHANGE, choice.label)
    whole = tuple(ChangedFile(path, "A") for path in ws.files)
    whole_nested = tuple(
        ChangedFile(path, "A") for path in ws.all_files if ws.nested_project_of(path)
    )
    return Change(
        None, head, True, whole, pr, classify(whole, policy),
        base_ref=choice.label, base_rule=choice.rule, roles=count_roles(ws.files),
        nested=whole_nested, nested_projects=ws.nested_projects,
    )  # fmt: skip


def _split_nested(
    ws: Workspace, files: tuple[ChangedFile, ...]
) -> tuple[tuple[ChangedFile, ...], tuple[ChangedFile, ...]]:
    """The changed files of this project, and those of its nested projects.

    A rename out of or into a nested project counts on this project's side.
    """
    own = tuple(
        f
        for f in files
        if ws.nested_project_of(f.path) is None
        or (f.old_path is not None and ws.nested_project_of(f.old_path) is None)
    )
    kept = set(own)
    return own, tuple(f for f in files if f not in kept)


def changed_files(ws: Workspace, base_commit: str) -> tuple[ChangedFile, ...]:
    """Files that differ between ``base_commit`` and the working tree, untracked ones added."""
    hunks = git.diff_hunks(ws.root, base_commit)
    found: dict[str, ChangedFile] = {}
    for entry in git.diff_name_status(ws.root, base_commit):
        if not is_excluded(entry.path):
            hunk = hunks.get(entry.path, ())
            found[entry.path] = ChangedFile(entry.path, entry.status, entry.old_path, hunk)
    for path in git.untracked_files(ws.root):
        if path not in found and not is_excluded(path):
            found[path] = ChangedFile(path, "A", None, whole_file_hunks(ws, path))
    return tuple(found[path] for path in sorted(found))


def whole_file_hunks(ws: Workspace, rel: str) -> tuple[Hunk, ...]:
    """One hunk covering every line of a new text file; none for binary or unreadable ones."""
    try:
        data = ws.read_bytes(rel)
    except InputError:
        return ()
    if not data or b"\0" in data[:8000]:
        return ()
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return (Hunk(1, lines),)


def classify(files: tuple[ChangedFile, ...], policy: Policy) -> dict[str, tuple[str, ...]]:
    """Change class -> sorted changed paths its globs match (a rename counts on both sides).

    Only product files count: a test, a fixture under ``testdata/``, a document or
    generated code changes no protocol, state machine, API or behaviour of the product.
    """
    candidates = {f.path for f in files} | {f.old_path for f in files if f.old_path}
    candidates = {path for path in candidates if is_product(path)}
    classes: dict[str, tuple[str, ...]] = {}
    for name, globs in policy.change_classes.as_dict().items():
        if not globs:
            classes[name] = ()
            continue
        classes[name] = tuple(sorted(GlobMatcher(globs).filter(candidates)))
    return classes
