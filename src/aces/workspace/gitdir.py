"""Whether a directory is in a git repository, decided from the file system alone.

git finds its repository by walking up from the working directory to the first
``.git`` that is a git directory (or a ``gitdir:`` file pointing at one). ACES
looks the same way, so that what git prints never decides whether there is a
repository: a broken git cannot make one disappear.
"""

from __future__ import annotations

import os
from pathlib import Path


def in_repository(root: Path) -> bool:
    """Whether ``root`` or one of its parents holds a ``.git`` entry git would use."""
    return any(names_git_dir(d / ".git") for d in (root, *root.parents))


def names_git_dir(entry: Path) -> bool:
    """Whether ``entry`` is a git directory, or a ``gitdir:`` file pointing at one.

    The test is git's own: a ``HEAD`` file, and ``objects`` and ``refs`` directories
    (in the ``commondir`` of a linked worktree). A stray, empty ``.git`` is not one.
    """
    try:
        if entry.is_file():
            first = entry.read_bytes()[:4096].split(b"\n", 1)[0]
            if not first.startswith(b"gitdir: "):
                return False
            entry = entry.parent / os.fsdecode(first[len(b"gitdir: ") :].strip())
        if not (entry / "HEAD").is_file():
            return False
        common = entry
        if (entry / "commondir").is_file():
            common = entry / (entry / "commondir").read_text(encoding="utf-8").strip()
        return (common / "objects").is_dir() and (common / "refs").is_dir()
    except (OSError, UnicodeDecodeError):
        return True  # something is there that cannot be read: let git say what
