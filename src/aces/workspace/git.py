"""Thin wrappers over the ``git`` command line, with pure parsers for its output.

Every call runs ``git`` through a ``ProcessRunner`` (its own process group, a
timeout that stops the whole group), with an explicit environment (no prompt,
C locale, no pager, no optional locks) and ``-c core.quotepath=off``; every
listing is read in its ``-z`` form so that unusual file names survive. Pass the
run's runner (``runner=``) so that a signal to ACES, or a check's deadline,
reaches git too; without one each call gets a runner of its own.

Whether a directory is a repository is decided from the file system (a ``.git``
entry), never from git's answer; once there is a repository, git failing,
timing out or printing something it cannot have meant is a ``GitError`` naming
the command, never "no repository", "no commit" or "no such branch". The
parsers of git's output are in ``git_output``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from aces.errors import GitError
from aces.tools.process import ProcessRunner

# The parsers live in git_output; they are re-exported here, where callers know them.
from aces.workspace.git_output import NameStatus as NameStatus
from aces.workspace.git_output import decode_text as _decode
from aces.workspace.git_output import parse_hunks as parse_hunks
from aces.workspace.git_output import parse_ls_files_stage as parse_ls_files_stage
from aces.workspace.git_output import parse_ls_files_tags as parse_ls_files_tags
from aces.workspace.git_output import parse_name_status as parse_name_status
from aces.workspace.git_output import parse_symbolic_ref as parse_symbolic_ref
from aces.workspace.git_output import split_z as split_z
from aces.workspace.git_output import unquote_c as unquote_c
from aces.workspace.git_run import GIT_TIMEOUT_SECONDS as GIT_TIMEOUT_SECONDS
from aces.workspace.git_run import GitResult as GitResult
from aces.workspace.git_run import failure as _failure
from aces.workspace.git_run import git_env as git_env
from aces.workspace.git_run import parsed, unexpected_output
from aces.workspace.git_run import run_git as run_git
from aces.workspace.gitdir import in_repository
from aces.workspace.types import Hunk
from aces.workspace.walk import EXCLUDED_DIRS

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


# ---------------------------------------------------------------------------------------------
# Repository queries


def is_repo(root: Path, *, runner: ProcessRunner | None = None) -> bool:
    """Whether ``root`` lies inside a git work tree.

    Decided from the file system, as git itself discovers a repository (``GIT_DIR``
    and friends are never passed on): a ``.git`` entry in ``root`` or a parent, and
    ``root`` not inside a ``.git`` directory. Without one no git runs; with one, git
    must confirm, and anything else it does (a crash, a timeout, another answer) is
    a GitError, never "not a repository".
    """
    if ".git" in root.parts or not in_repository(root):
        return False
    result = run_git(root, "rev-parse", "--is-inside-work-tree", check=False, runner=runner)
    if "dubious ownership" in result.stderr:
        # Treating the repository as a plain directory would silently change the Change.
        raise GitError(
            "git refuses to read this repository (dubious ownership)",
            path=str(root),
            hint=f"git config --global --add safe.directory {root}",
        )
    if result.returncode != 0:
        raise _failure(root, result)
    if result.stdout.strip() != b"true":
        raise unexpected_output(root, result)
    return True


def toplevel(root: Path, *, runner: ProcessRunner | None = None) -> Path:
    """The top directory of the work tree containing ``root``."""
    result = run_git(root, "rev-parse", "--show-toplevel", runner=runner)
    top = Path(os.fsdecode(result.stdout.rstrip(b"\n")))
    if not top.is_absolute() or not top.is_dir():
        raise unexpected_output(root, result)
    return top


def show_prefix(root: Path, *, runner: ProcessRunner | None = None) -> str:
    """``root`` relative to the top of its work tree, with a trailing slash ('' at the top)."""
    result = run_git(root, "rev-parse", "--show-prefix", runner=runner)
    prefix = os.fsdecode(result.stdout.rstrip(b"\n"))
    if prefix and not _names_tail_of(prefix, root):
        raise unexpected_output(root, result)
    return prefix


def _names_tail_of(prefix: str, root: Path) -> bool:
    """Whether ``prefix`` (``a/b/``) is the tail of the path ``root``, as git's prefix must be."""
    parts = tuple(prefix.split("/"))
    if parts[-1] != "" or "" in parts[:-1] or ".." in parts:
        return False
    names = parts[:-1]
    return root.parts[-len(names) :] == names


def is_ignored_here(root: Path, *, runner: ProcessRunner | None = None) -> bool:
    """Whether the enclosing repository's ignore rules exclude ``root`` itself."""
    result = run_git(root, "check-ignore", "-q", "--", ".", check=False, runner=runner)
    if result.returncode not in (0, 1) or result.stdout.strip():
        raise _failure(root, result)
    return result.returncode == 0


@dataclass(frozen=True)
class ListedFile:
    """A path git lists, and whether the index alone vouches for it as a regular file.

    ``trusted`` is true for a tracked regular file git reports unmodified: its index stat
    data matched the disk, so it is a regular file there too and need not be stat'ed again.
    Everything else (symlinks, modified, untracked entries) must be looked at on disk.
    """

    path: str
    trusted: bool


_REGULAR_MODES = frozenset({"100644", "100755"})


def ls_files(root: Path, *, runner: ProcessRunner | None = None) -> list[ListedFile]:
    """Tracked and untracked-not-ignored files below ``root``, minus those absent on disk.

    An entry of the index can be absent without git calling it deleted: a sparse
    checkout marks the files outside its cone skip-worktree and leaves them out of
    the work tree. Those are not files of the workspace either.
    """
    staged = run_git(root, "ls-files", "-z", "-s", runner=runner)
    modes = parsed(root, staged, parse_ls_files_stage)
    tagged = run_git(
        root, "ls-files", "-z", "-t", "--modified", "--deleted", "--others", "--exclude-standard",
        runner=runner,
    )  # fmt: skip
    deleted: set[str] = set()
    changed: set[str] = set()
    for tag, path in parsed(root, tagged, parse_ls_files_tags):
        (deleted if tag == "R" else changed).add(path)
    listed = {
        path: ListedFile(path, mode in _REGULAR_MODES and path not in changed)
        for path, mode in modes.items()
        if path not in deleted and os.path.lexists(root / path)
    }
    for path in changed - deleted:
        listed.setdefault(path, ListedFile(path, trusted=False))
    return [listed[path] for path in sorted(listed)]


def untracked_files(root: Path, *, runner: ProcessRunner | None = None) -> list[str]:
    """Untracked files below ``root`` that no ignore rule excludes (each must exist on disk)."""
    args = ("ls-files", "-z", "--others", "--exclude-standard")
    result = run_git(root, *args, runner=runner)
    paths = sorted(split_z(result.stdout))
    if any(not os.path.lexists(root / path) for path in paths):
        raise unexpected_output(root, result)
    return paths


def missing_ref_error(ref: str) -> GitError:
    """The error for a base ref that the clone does not hold, with how to get it."""
    name = ref.removeprefix("origin/")
    return GitError(
        f"base ref '{ref}' does not exist; fetch it (git fetch origin {name}) or pass --base"
    )


def ref_exists(root: Path, ref: str, *, runner: ProcessRunner | None = None) -> bool:
    """Whether ``ref`` names a commit in this repository."""
    return resolve_commit(root, ref, runner=runner) is not None


def resolve_commit(root: Path, ref: str, *, runner: ProcessRunner | None = None) -> str | None:
    """The commit id ``ref`` names, or None when there is no such commit.

    "No such commit" is git's quiet exit code 1 and nothing else: any other failure,
    or an answer that is not an object id, is a GitError.
    """
    if not ref or ref.startswith("-"):
        return None
    result = run_git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
        check=False, runner=runner,
    )  # fmt: skip
    if _quiet_no(result):
        return None
    return _object_id(root, result)


def _quiet_no(result: GitResult) -> bool:
    """Whether git answered a quiet query with a plain "no": exit code 1, no output at all."""
    return result.returncode == 1 and not result.stdout.strip() and not result.stderr.strip()


def _object_id(root: Path, result: GitResult) -> str:
    """The object id git printed; GitError when it failed or printed anything else."""
    if result.returncode != 0:
        raise _failure(root, result)
    sha = _decode(result.stdout).strip()
    if not _OBJECT_ID.fullmatch(sha):
        raise unexpected_output(root, result)
    return sha


def rev_parse(root: Path, ref: str, *, runner: ProcessRunner | None = None) -> str:
    """The commit id of ``ref``; GitError telling how to fetch it when it does not exist."""
    sha = resolve_commit(root, ref, runner=runner)
    if sha is None:
        raise missing_ref_error(ref)
    return sha


def head_commit(root: Path, *, runner: ProcessRunner | None = None) -> str | None:
    """The commit id of HEAD, or None in a repository without commits."""
    return resolve_commit(root, "HEAD", runner=runner)


_BRANCH_NAME = re.compile(r"[^\x00-\x20\x7f~^:?*\[\\]+")


def current_branch(root: Path, *, runner: ProcessRunner | None = None) -> str | None:
    """The short name of the checked-out branch, or None when HEAD is detached."""
    result = run_git(root, "symbolic-ref", "-q", "--short", "HEAD", check=False, runner=runner)
    if _quiet_no(result):
        return None
    if result.returncode != 0:
        raise _failure(root, result)
    name = _decode(result.stdout).strip()
    if not _BRANCH_NAME.fullmatch(name):
        raise unexpected_output(root, result)
    return name


def is_shallow(root: Path, *, runner: ProcessRunner | None = None) -> bool:
    """Whether the clone is shallow (history cut off)."""
    result = run_git(root, "rev-parse", "--is-shallow-repository", runner=runner)
    answer = result.stdout.strip()
    if answer not in (b"true", b"false"):
        raise unexpected_output(root, result)
    return answer == b"true"


def merge_base(
    root: Path,
    a: str,
    b: str,
    *,
    names: tuple[str, str] | None = None,
    runner: ProcessRunner | None = None,
) -> str:
    """The best common ancestor of commits ``a`` and ``b``; GitError when there is none.

    ``names`` says how to call the two commits in the error (defaults to ``a`` and ``b``).
    """
    result = run_git(root, "merge-base", a, b, check=False, runner=runner)
    if result.returncode == 0:
        return _object_id(root, result)
    if _quiet_no(result):
        hint = (
            "the clone is shallow: fetch more history (git fetch --unshallow)"
            if is_shallow(root, runner=runner)
            else "the branches share no history; pass another --base"
        )
        shown = names or (a, b)
        raise GitError(
            f"no common ancestor between {shown[0]} and {shown[1]}", path=str(root), hint=hint
        )
    raise _failure(root, result)


def origin_head(root: Path, *, runner: ProcessRunner | None = None) -> str | None:
    """The branch ``origin/HEAD`` points at, as ``origin/<name>``, or None."""
    result = run_git(
        root, "symbolic-ref", "-q", "refs/remotes/origin/HEAD", check=False, runner=runner
    )
    if _quiet_no(result):
        return None
    if result.returncode != 0:
        raise _failure(root, result)
    if not result.stdout.startswith(b"refs/"):
        raise unexpected_output(root, result)
    return parse_symbolic_ref(_decode(result.stdout))


def default_branch(
    root: Path, configured: str = "", *, runner: ProcessRunner | None = None
) -> str | None:
    """The default branch to diff against: the configured one, origin/HEAD, main or master.

    A configured branch that exists neither as ``origin/<name>`` nor as ``<name>`` is an
    error (the policy names it, so it must be fetched); otherwise None when nothing fits.
    """
    if configured:
        for candidate in _remote_first(configured):
            if ref_exists(root, candidate, runner=runner):
                return candidate
        raise missing_ref_error(configured)
    remote_head = origin_head(root, runner=runner)
    if remote_head and ref_exists(root, remote_head, runner=runner):
        return remote_head
    for name in ("main", "master"):
        for candidate in _remote_first(name):
            if ref_exists(root, candidate, runner=runner):
                return candidate
    return None


def _remote_first(name: str) -> tuple[str, ...]:
    """Candidates for a branch name: the remote-tracking ref first (it is what CI fetched)."""
    if name.startswith(("origin/", "refs/")):
        return (name,)
    return (f"origin/{name}", name)


# ---------------------------------------------------------------------------------------------
# Diffs against the working tree

_DIFF_FLAGS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M", "--relative")


def diff_name_status(
    root: Path, base: str, *, runner: ProcessRunner | None = None
) -> list[NameStatus]:
    """Files that differ between commit ``base`` and the working tree below ``root``."""
    args = ("diff", "-z", "--name-status", *_DIFF_FLAGS, base, "--")
    return parsed(root, run_git(root, *args, runner=runner), parse_name_status)


def diff_hunks(
    root: Path, base: str, *, runner: ProcessRunner | None = None
) -> dict[str, tuple[Hunk, ...]]:
    """Added or changed line ranges in the working tree, per path, against ``base``."""
    args = ("diff", "-U0", "--src-prefix=a/", "--dst-prefix=b/", *_DIFF_FLAGS, base, "--")
    return parsed(root, run_git(root, *args, runner=runner), parse_hunks)


# ---------------------------------------------------------------------------------------------
# Tree state


def status_porcelain(root: Path, *, runner: ProcessRunner | None = None) -> bytes:
    """``git status --porcelain=v2 --branch -z --untracked-files=all`` limited to ``root``.

    With ``--branch`` it names the HEAD commit, and each changed entry carries the object
    ids of its HEAD and index versions, so together with the content of the dirty files
    it pins the whole tree state in a single git call.
    """
    # ACES's own output (.aces/) and the directories it never reads must not change the
    # digest: a run writes its reports there, and the next run must still hit the cache.
    excludes = [f":(exclude,glob)**/{name}/**" for name in sorted(EXCLUDED_DIRS - {".git"})]
    return run_git(
        root,
        "status",
        "--porcelain=v2",
        "--branch",
        "-z",
        "--untracked-files=all",
        "--",
        ".",
        *excludes,
        runner=runner,
    ).stdout


# Fields before the path in each porcelain v2 entry kind (the path may contain spaces).
_V2_FIELDS_BEFORE_PATH = {"1": 8, "2": 9, "u": 10, "?": 1, "!": 1}


def parse_status_paths(raw: bytes) -> list[str]:
    """Paths (relative to the top of the work tree) named by porcelain v2 ``-z`` status.

    Header lines (``# branch.oid ...``) name no path; a rename or copy entry (``2``) is
    followed by its original path as a separate field, which is dirty too.
    """
    fields = split_z(raw)
    paths: list[str] = []
    i = 0
    while i < len(fields):
        entry = fields[i]
        kind = entry[:1]
        i += 1
        if kind == "#":
            continue
        before = _V2_FIELDS_BEFORE_PATH.get(kind)
        parts = entry.split(" ", before) if before is not None else []
        if before is None or len(parts) != before + 1:
            raise GitError(f"unparsable `git status --porcelain=v2` entry: {entry!r}")
        paths.append(parts[-1])
        if kind == "2" and i < len(fields):
            paths.append(fields[i])
            i += 1
    return sorted(set(paths))


# ---------------------------------------------------------------------------------------------
# History queries that may find nothing


def common_ancestor(root: Path, a: str, b: str) -> str | None:
    """The best common ancestor of commits ``a`` and ``b``, or None when they share none.

    Unlike :func:`merge_base`, missing history is an answer here, not an error; a git
    failure still is one.
    """
    result = run_git(root, "merge-base", a, b, check=False)
    if result.returncode == 0:
        return _object_id(root, result)
    if _quiet_no(result):
        return None
    return merge_base(root, a, b)  # raises the failure with git's own message


def common_dir(root: Path) -> Path:
    """The repository's git directory shared by all its worktrees (``.git`` of the main one)."""
    out = os.fsdecode(run_git(root, "rev-parse", "--git-common-dir").stdout.rstrip(b"\n"))
    path = Path(out)
    return path if path.is_absolute() else (root / path).resolve()


def show_file(root: Path, commit: str, path: str) -> str | None:
    """The text of ``path`` (relative to ``root``) at ``commit``; None when it has no such file.

    Undecodable bytes are replaced: the text is read for its structure, not copied.
    """
    result = run_git(root, "cat-file", "-e", f"{commit}:./{path}", check=False)
    if result.returncode == 128 and (
        "does not exist" in result.stderr or "not in" in result.stderr
    ):
        return None  # git's answer: the commit has no such path
    if result.returncode != 0:
        raise _failure(root, result)  # a crashed git is no answer about the file
    blob = run_git(root, "show", f"{commit}:./{path}").stdout
    return blob.decode("utf-8", "replace")
