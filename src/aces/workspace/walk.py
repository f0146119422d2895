"""Listing the files of a directory that is not a git work tree.

The walk honours ``.gitignore`` files at every level (git's wildmatch rules, deeper
files taking precedence), never enters ``.git``, ``.aces`` or ``.venv``, and never
follows a symlinked directory, so a symlink loop cannot make it hang.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

EXCLUDED_DIRS = frozenset({".git", ".aces", ".venv"})


@dataclass(frozen=True)
class IgnoreFile:
    """The patterns of one ``.gitignore``; ``base`` is its directory ('' for the root)."""

    base: str
    spec: GitIgnoreSpec


def is_excluded(rel: str) -> bool:
    """Whether a relative path lies in a directory ACES never reads (.git, .aces, .venv)."""
    return any(part in EXCLUDED_DIRS for part in rel.split("/")[:-1])


def is_ignored(ignores: tuple[IgnoreFile, ...], rel: str, *, is_dir: bool) -> bool:
    """Git's verdict for ``rel``: the deepest ``.gitignore`` with a matching pattern decides."""
    for ignore in reversed(ignores):
        sub = rel[len(ignore.base) + 1 :] if ignore.base else rel
        verdict = ignore.spec.check_file(sub + "/" if is_dir else sub).include
        if verdict is not None:
            return verdict
    return False


def link_problem(root_real: str, abs_path: str) -> str | None:
    """Why a symlink is not read (outside the root, dangling, a loop, a directory), or None."""
    try:
        target = os.path.realpath(abs_path, strict=True)
    except RuntimeError:
        return "symlink loop"
    except OSError:
        return "dangling symlink (or a symlink loop)"
    if not is_within(root_real, target):
        return f"symlink resolves outside the repository (to {target})"
    if not Path(target).is_file():
        return "symlink to a directory, which is never followed"
    return None


def symlink_target_inside(root_real: str, abs_path: str) -> bool:
    """Whether a symlink resolves to a regular file inside the root (dangling or loop: no)."""
    return link_problem(root_real, abs_path) is None


def is_within(root_real: str, target: str) -> bool:
    """Whether the resolved path ``target`` is ``root_real`` or below it."""
    return target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep)


def keep_listed(root_real: str, rel: str, rejected: list[tuple[str, str]] | None = None) -> bool:
    """Whether a path git listed is a file the workspace exposes (regular, or safe symlink).

    Symlinks that are not exposed are added to ``rejected`` with the reason.
    """
    if is_excluded(rel):
        return False
    abs_path = f"{root_real}{os.sep}{rel}"
    try:
        mode = os.lstat(abs_path).st_mode
    except OSError:
        return False
    if stat.S_ISREG(mode):
        return True
    # A gitlink (submodule) is a directory, and a symlinked directory is never followed.
    if not stat.S_ISLNK(mode):
        return False
    problem = link_problem(root_real, abs_path)
    if problem is not None and rejected is not None:
        rejected.append((rel, problem))
    return problem is None


def walk_files(root: Path, rejected: list[tuple[str, str]] | None = None) -> list[str]:
    """Sorted relative POSIX paths of the files below ``root`` (a resolved directory).

    Symlinks that are not followed are added to ``rejected`` with the reason.
    """
    root_real = str(root)
    found: list[str] = []
    pending: list[tuple[str, tuple[IgnoreFile, ...]]] = [("", ())]
    while pending:
        rel_dir, inherited = pending.pop()
        abs_dir = f"{root_real}{os.sep}{rel_dir}" if rel_dir else root_real
        ignores = inherited + _load_ignore(abs_dir, rel_dir)
        for entry in _entries(abs_dir):
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in EXCLUDED_DIRS and not is_ignored(ignores, rel, is_dir=True):
                    pending.append((rel, ignores))
            elif is_ignored(ignores, rel, is_dir=False):
                continue
            elif entry.is_symlink():
                problem = link_problem(root_real, entry.path)
                if problem is None:
                    found.append(rel)
                elif rejected is not None:
                    rejected.append((rel, problem))
            elif entry.is_file(follow_symlinks=False):
                found.append(rel)  # sockets, fifos and devices are not files to check
    return sorted(found)


def _entries(abs_dir: str) -> list[os.DirEntry[str]]:
    """The entries of a directory; an unreadable directory contributes nothing."""
    try:
        with os.scandir(abs_dir) as it:
            return list(it)
    except OSError:
        return []


def _load_ignore(abs_dir: str, rel_dir: str) -> tuple[IgnoreFile, ...]:
    """The ``.gitignore`` of a directory, if it has a regular one."""
    path = Path(abs_dir) / ".gitignore"
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return ()
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError:
        return ()
    return (IgnoreFile(rel_dir, GitIgnoreSpec.from_lines(text.splitlines(), backend="simple")),)
