"""Running git: one invocation through a ``ProcessRunner``, and how its failures read.

``run_git`` runs ``git`` in its own process group with a timeout that stops the
whole group, an explicit environment (no prompt, C locale, no pager, no optional
locks) and ``-c core.quotepath=off``. Every failure is a one-line ``GitError``
naming the git command.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from aces.errors import GitError, ToolError
from aces.tools.process import CommandError, ProcessRunner, describe_exit
from aces.tools.resolve import project_dirs
from aces.workspace.git_output import decode_text

T = TypeVar("T")

GIT_TIMEOUT_SECONDS = 60.0
# Listings of very large trees must come back whole: a cut listing would drop files.
GIT_MAX_OUTPUT = 1 << 30


GIT_INSTALL_HINT = "install git and put it on PATH"

# Inherited variables git needs to find its own configuration (safe.directory, ...);
# everything else, notably GIT_DIR / GIT_INDEX_FILE set by a calling hook, is left out
# so that a query always describes the repository at ``root``.
_INHERITED_ENV = ("PATH", "HOME", "XDG_CONFIG_HOME", "TMPDIR", "SYSTEMROOT")
_FIXED_ENV = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",  # `git status` must not rewrite the index of the repo under check
    "GIT_PAGER": "cat",
    "PAGER": "cat",
    "LC_ALL": "C",
    "LANG": "C",
}


@dataclass(frozen=True)
class GitResult:
    """The outcome of one git invocation."""

    args: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: str


def git_env(environ: Mapping[str, str] | None = None, root: Path | None = None) -> dict[str, str]:
    """The environment every git call runs with (built from ``environ``, default os.environ).

    With ``root``, the repository's pinned tool directories come first on PATH, so
    the git that runs is the one the resolver found and version-checked.
    """
    source = os.environ if environ is None else environ
    env = {name: source[name] for name in _INHERITED_ENV if name in source}
    env.update(_FIXED_ENV)
    if root is not None:
        local = os.pathsep.join(str(d) for d in project_dirs(root))
        env["PATH"] = os.pathsep.join(p for p in (local, env.get("PATH", "")) if p)
    return env


def run_git(
    root: Path,
    *args: str,
    timeout: float = GIT_TIMEOUT_SECONDS,
    check: bool = True,
    runner: ProcessRunner | None = None,
) -> GitResult:
    """Run ``git args`` in ``root``; GitError on a missing git, a timeout or (if check) failure.

    ``runner`` is the run's process runner (or a check's, bounded by its deadline);
    without one the call gets a runner of its own.
    """
    argv = ("git", "--no-pager", "-c", "core.quotepath=off", *args)
    processes = runner if runner is not None else ProcessRunner(base_env=git_env(root=root))
    try:
        proc = processes.run(
            argv, cwd=root, timeout=timeout, env=git_env(root=root), max_output=GIT_MAX_OUTPUT
        )
    except CommandError as exc:  # timed out, or stopped by a signal or a deadline
        raise GitError(f"`{shown(args)}` {exc.message}", path=str(root)) from exc
    except ToolError as exc:
        if "not found" in exc.message:
            raise GitError(
                "git executable not found", path=str(root), hint=GIT_INSTALL_HINT
            ) from exc
        raise GitError(f"cannot run `{shown(args)}`: {exc.message}", path=str(root)) from exc
    if proc.truncated:
        raise GitError(f"`{shown(args)}` printed more than {GIT_MAX_OUTPUT} bytes", path=str(root))
    result = GitResult(tuple(args), proc.returncode, proc.raw_stdout, proc.stderr)
    if check and result.returncode != 0:
        raise failure(root, result)
    return result


def shown(args: tuple[str, ...] | list[str]) -> str:
    """A git command as one line for a message: ``git rev-parse --verify HEAD``."""
    return " ".join(("git", *args)).replace("\n", " ")


def failure(root: Path, result: GitResult) -> GitError:
    """A GitError quoting the command, its exit code (or signal) and the first line git printed."""
    first = result.stderr.strip().splitlines()[0] if result.stderr.strip() else "no message"
    code = result.returncode
    how = f"failed with exit code {code}" if code >= 0 else describe_exit(code)
    return GitError(f"`{shown(result.args)}` {how}: {first}", path=str(root))


def unexpected_output(root: Path, result: GitResult) -> GitError:
    """A GitError for output git cannot have meant (a crashed or replaced git)."""
    text = decode_text(result.stdout).strip() or result.stderr.strip() or "nothing"
    sample = text.splitlines()[0][:80] if text else "nothing"
    return GitError(
        f"`{shown(result.args)}` printed unexpected output ({sample!r}, exit code "
        f"{result.returncode})",
        path=str(root),
        hint="check that `git` on PATH is a working git",
    )


def parsed(root: Path, result: GitResult, parse: Callable[[bytes], T]) -> T:
    """``parse`` of git's output; its GitError names the command that printed it."""
    try:
        return parse(result.stdout)
    except GitError as exc:
        raise GitError(f"`{shown(result.args)}` printed {exc.message}", path=str(root)) from exc
