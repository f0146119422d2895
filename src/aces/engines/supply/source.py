"""What the supply-chain documents say about the source: HEAD, its time, the base version.

Thin reads of git through ``aces.workspace.git.run_git`` (timeouts, fixed
environment); every function returns None when the directory is not a git
work tree or the asked-for thing does not exist, so callers decide whether
that is an error.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from aces.engines.supply.sbom import SourceState
from aces.tools.process import ProcessRunner
from aces.workspace.git import head_commit, is_repo, run_git
from aces.workspace.git_run import unexpected_output

_CHUNK = 1 << 20


def head_state(root: Path, *, runner: ProcessRunner | None = None) -> SourceState | None:
    """HEAD's commit id and committer time, or None outside git / before the first commit."""
    if not is_repo(root, runner=runner) or head_commit(root, runner=runner) is None:
        return None
    # a commit exists: a git that fails or prints something else is an error, not "no commit"
    result = run_git(root, "log", "-1", "--format=%H %ct", "HEAD", runner=runner)
    parts = result.stdout.decode("utf-8", "replace").split()
    if len(parts) != 2 or not parts[1].isdigit():
        raise unexpected_output(root, result)
    return SourceState(parts[0], int(parts[1]))


def origin_uri(root: Path, *, runner: ProcessRunner | None = None) -> str:
    """``git+<origin url>`` when an origin remote exists, else ``git+file:<dir name>``."""
    if is_repo(root, runner=runner):
        result = run_git(root, "config", "--get", "remote.origin.url", check=False, runner=runner)
        url = result.stdout.decode("utf-8", "replace").strip()
        if result.returncode == 0 and url:
            return f"git+{url}"
    return f"git+file:{root.name}"


def show_at(
    root: Path, commit: str, rel: str, *, runner: ProcessRunner | None = None
) -> str | None:
    """The text of ``rel`` (relative to ``root``) at ``commit``, or None when it is absent."""
    result = run_git(root, "show", f"{commit}:./{rel}", check=False, runner=runner)
    if result.returncode != 0:
        return None
    return result.stdout.decode("utf-8", "replace")


def sha256_path(path: Path) -> str:
    """SHA-256 (hex) of a file, read in chunks (artifacts may be large)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
