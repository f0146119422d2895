"""Source paths of a coverage report made repository-relative.

Reports name files absolute (``/home/ci/repo/src/a.rs``), relative to the
directory the tests ran in, or with Windows separators. ACES compares them with
the workspace's relative POSIX paths; a file outside the repository (a
dependency, the standard library) is dropped.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace
from pathlib import PurePosixPath

from aces.engines.coverage.model import CoverageData, FileCoverage, merge_file


def relative_to_root(path: str, root: str, run_dir: str) -> str | None:
    """``path`` relative to the repository ``root``; None when it lies outside.

    ``root`` is absolute; ``run_dir`` is where the tests ran, relative to the
    root ("" for the root itself).
    """
    posix = path.replace("\\", "/")
    if not PurePosixPath(posix).is_absolute():
        posix = posixpath.join(root, run_dir, posix)
    normal = posixpath.normpath(posix)
    base = posixpath.normpath(root)
    if normal == base or not normal.startswith(base.rstrip("/") + "/"):
        return None
    return normal[len(base.rstrip("/")) + 1 :]


def rebase(data: CoverageData, root: str, run_dir: str) -> CoverageData:
    """The report with repository-relative paths, files outside the repository dropped."""
    out: dict[str, FileCoverage] = {}
    for path, cov in data.files.items():
        rel = relative_to_root(path, root, run_dir)
        if rel is None:
            continue
        moved = replace(cov, path=rel)
        out[rel] = merge_file(out[rel], moved) if rel in out else moved
    return CoverageData(dict(sorted(out.items())))
