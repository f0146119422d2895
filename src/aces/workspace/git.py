"""Thin wrappers over the ``git`` command line, with pure parsers for its output.

Every call runs ``git`` with a timeout, an explicit environment (no prompt, C
locale, no pager, no optional locks) and ``-c core.quotepath=off``; every
listing is read in its ``-z`` form so that unusual file names survive. The
parsers are pure functions of git's bytes and are tested on recorded output.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from aces.errors import GitError
from aces.tools.resolve import project_dirs
from aces.workspace.types import Hunk
from aces.workspace.walk import EXCLUDED_DIRS

GIT_TIMEOUT_SECONDS = 60.0

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


@dataclass(frozen=True)
class NameStatus:
    """One entry of ``git diff --name-status``: status letter, path and, for renames, old path."""

    status: str
    path: str
    old_path: str | None = None


# ---------------------------------------------------------------------------------------------
# Running git


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
    root: Path, *args: str, timeout: float = GIT_TIMEOUT_SECONDS, check: bool = True
) -> GitResult:
    """Run ``git args`` in ``root``; GitError on a missing git, a timeout or (if check) failure."""
    argv = ["git", "--no-pager", "-c", "core.quotepath=off", *args]
    try:
        proc = subprocess.run(
            argv,
            cwd=root,
            env=git_env(root=root),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError(
            "git executable not found", path=str(root), hint="install git and put it on PATH"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise GitError(
            f"`git {' '.join(args)}` timed out after {timeout:g}s", path=str(root)
        ) from exc
    result = GitResult(tuple(args), proc.returncode, proc.stdout, _decode(proc.stderr))
    if check and result.returncode != 0:
        raise _failure(root, result)
    return result


def _failure(root: Path, result: GitResult) -> GitError:
    """A GitError quoting the command, its exit code and the first line git printed."""
    first = result.stderr.strip().splitlines()[0] if result.stderr.strip() else "no message"
    return GitError(
        f"`git {' '.join(result.args)}` failed with exit code {result.returncode}: {first}",
        path=str(root),
    )


def _decode(raw: bytes) -> str:
    """Bytes from git as text; undecodable bytes are kept as surrogates (like file names)."""
    return raw.decode("utf-8", "surrogateescape")


def split_z(raw: bytes) -> list[str]:
    """Split NUL-terminated ``-z`` output into decoded fields (no trailing empty field)."""
    fields = raw.split(b"\0")
    if fields and fields[-1] == b"":
        fields.pop()
    return [os.fsdecode(f) for f in fields]


# ---------------------------------------------------------------------------------------------
# Repository queries


def is_repo(root: Path) -> bool:
    """Whether ``root`` lies inside a git work tree (a GitError if git refuses to say)."""
    try:
        result = run_git(root, "rev-parse", "--is-inside-work-tree", check=False)
    except GitError:
        if _has_dot_git(root):
            raise
        return False  # no git installed and no repository: a plain directory
    if "dubious ownership" in result.stderr:
        # Treating the repository as a plain directory would silently change the Change.
        raise GitError(
            "git refuses to read this repository (dubious ownership)",
            path=str(root),
            hint=f"git config --global --add safe.directory {root}",
        )
    return result.returncode == 0 and result.stdout.strip() == b"true"


def _has_dot_git(root: Path) -> bool:
    """Whether ``root`` or one of its parents holds a ``.git`` entry."""
    return any((d / ".git").exists() for d in (root, *root.parents))


def toplevel(root: Path) -> Path:
    """The top directory of the work tree containing ``root``."""
    out = run_git(root, "rev-parse", "--show-toplevel").stdout
    return Path(os.fsdecode(out.rstrip(b"\n")))


def show_prefix(root: Path) -> str:
    """``root`` relative to the top of its work tree, with a trailing slash ('' at the top)."""
    return os.fsdecode(run_git(root, "rev-parse", "--show-prefix").stdout.rstrip(b"\n"))


def is_ignored_here(root: Path) -> bool:
    """Whether the enclosing repository's ignore rules exclude ``root`` itself."""
    result = run_git(root, "check-ignore", "-q", "--", ".", check=False)
    if result.returncode not in (0, 1):
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


def ls_files(root: Path) -> list[ListedFile]:
    """Tracked and untracked-not-ignored files below ``root``, minus those deleted on disk."""
    staged = run_git(root, "ls-files", "-z", "-s").stdout
    modes = parse_ls_files_stage(staged)
    tagged = run_git(
        root, "ls-files", "-z", "-t", "--modified", "--deleted", "--others", "--exclude-standard"
    ).stdout
    deleted: set[str] = set()
    changed: set[str] = set()
    for tag, path in parse_ls_files_tags(tagged):
        (deleted if tag == "R" else changed).add(path)
    listed = {
        path: ListedFile(path, mode in _REGULAR_MODES and path not in changed)
        for path, mode in modes.items()
        if path not in deleted
    }
    for path in changed - deleted:
        listed.setdefault(path, ListedFile(path, trusted=False))
    return [listed[path] for path in sorted(listed)]


def parse_ls_files_stage(raw: bytes) -> dict[str, str]:
    """``git ls-files -s -z`` -> path -> mode (``100644``, ``120000``, ``160000``, ...)."""
    out: dict[str, str] = {}
    for record in split_z(raw):
        meta, _, path = record.partition("\t")
        if path:
            out[path] = meta.split(" ", 1)[0]
    return out


def parse_ls_files_tags(raw: bytes) -> list[tuple[str, str]]:
    """``git ls-files -t -z`` -> (tag, path): ``C`` modified, ``R`` deleted, ``?`` other."""
    out: list[tuple[str, str]] = []
    for record in split_z(raw):
        tag, _, path = record.partition(" ")
        if path:
            out.append((tag, path))
    return out


def untracked_files(root: Path) -> list[str]:
    """Untracked files below ``root`` that no ignore rule excludes."""
    return sorted(split_z(run_git(root, "ls-files", "-z", "--others", "--exclude-standard").stdout))


def missing_ref_error(ref: str) -> GitError:
    """The error for a base ref that the clone does not hold, with how to get it."""
    name = ref.removeprefix("origin/")
    return GitError(
        f"base ref '{ref}' does not exist; fetch it (git fetch origin {name}) or pass --base"
    )


def ref_exists(root: Path, ref: str) -> bool:
    """Whether ``ref`` names a commit in this repository."""
    return resolve_commit(root, ref) is not None


def resolve_commit(root: Path, ref: str) -> str | None:
    """The commit id ``ref`` names, or None when there is no such commit."""
    if not ref or ref.startswith("-"):
        return None
    result = run_git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}",
        check=False,
    )  # fmt: skip
    if result.returncode != 0:
        return None
    return _decode(result.stdout).strip()


def rev_parse(root: Path, ref: str) -> str:
    """The commit id of ``ref``; GitError telling how to fetch it when it does not exist."""
    sha = resolve_commit(root, ref)
    if sha is None:
        raise missing_ref_error(ref)
    return sha


def head_commit(root: Path) -> str | None:
    """The commit id of HEAD, or None in a repository without commits."""
    return resolve_commit(root, "HEAD")


def current_branch(root: Path) -> str | None:
    """The short name of the checked-out branch, or None when HEAD is detached."""
    result = run_git(root, "symbolic-ref", "-q", "--short", "HEAD", check=False)
    name = _decode(result.stdout).strip()
    return name if result.returncode == 0 and name else None


def is_shallow(root: Path) -> bool:
    """Whether the clone is shallow (history cut off)."""
    out = run_git(root, "rev-parse", "--is-shallow-repository", check=False).stdout
    return out.strip() == b"true"


def merge_base(root: Path, a: str, b: str, *, names: tuple[str, str] | None = None) -> str:
    """The best common ancestor of commits ``a`` and ``b``; GitError when there is none.

    ``names`` says how to call the two commits in the error (defaults to ``a`` and ``b``).
    """
    result = run_git(root, "merge-base", a, b, check=False)
    if result.returncode == 0:
        return _decode(result.stdout).strip()
    if result.returncode == 1 and not result.stderr.strip():
        hint = (
            "the clone is shallow: fetch more history (git fetch --unshallow)"
            if is_shallow(root)
            else "the branches share no history; pass another --base"
        )
        shown = names or (a, b)
        raise GitError(
            f"no common ancestor between {shown[0]} and {shown[1]}", path=str(root), hint=hint
        )
    raise _failure(root, result)


def origin_head(root: Path) -> str | None:
    """The branch ``origin/HEAD`` points at, as ``origin/<name>``, or None."""
    result = run_git(root, "symbolic-ref", "-q", "refs/remotes/origin/HEAD", check=False)
    if result.returncode != 0:
        return None
    return parse_symbolic_ref(_decode(result.stdout))


def parse_symbolic_ref(text: str) -> str | None:
    """``refs/remotes/origin/main`` -> ``origin/main``; None for anything else."""
    ref = text.strip()
    prefix = "refs/remotes/"
    return ref[len(prefix) :] if ref.startswith(prefix) and len(ref) > len(prefix) else None


def default_branch(root: Path, configured: str = "") -> str | None:
    """The default branch to diff against: the configured one, origin/HEAD, main or master.

    A configured branch that exists neither as ``origin/<name>`` nor as ``<name>`` is an
    error (the policy names it, so it must be fetched); otherwise None when nothing fits.
    """
    if configured:
        for candidate in _remote_first(configured):
            if ref_exists(root, candidate):
                return candidate
        raise missing_ref_error(configured)
    remote_head = origin_head(root)
    if remote_head and ref_exists(root, remote_head):
        return remote_head
    for name in ("main", "master"):
        for candidate in _remote_first(name):
            if ref_exists(root, candidate):
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


def diff_name_status(root: Path, base: str) -> list[NameStatus]:
    """Files that differ between commit ``base`` and the working tree below ``root``."""
    out = run_git(root, "diff", "-z", "--name-status", *_DIFF_FLAGS, base, "--").stdout
    return parse_name_status(out)


def diff_hunks(root: Path, base: str) -> dict[str, tuple[Hunk, ...]]:
    """Added or changed line ranges in the working tree, per path, against ``base``."""
    out = run_git(
        root, "diff", "-U0", "--src-prefix=a/", "--dst-prefix=b/", *_DIFF_FLAGS, base, "--"
    ).stdout
    return parse_hunks(out)


def parse_name_status(raw: bytes) -> list[NameStatus]:
    """Parse ``git diff -z --name-status``: ``S\\0path\\0`` or ``R100\\0old\\0new\\0``."""
    fields = split_z(raw)
    entries: list[NameStatus] = []
    i = 0
    while i < len(fields):
        code = fields[i]
        letter = code[:1]
        if letter in ("R", "C"):
            if i + 2 >= len(fields):
                raise GitError(f"truncated `git diff --name-status` output after {code!r}")
            entries.append(NameStatus(letter, fields[i + 2], fields[i + 1]))
            i += 3
        else:
            if i + 1 >= len(fields) or not letter:
                raise GitError(f"truncated `git diff --name-status` output after {code!r}")
            entries.append(NameStatus(letter, fields[i + 1]))
            i += 2
    return entries


_HUNK_HEADER = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def parse_hunks(raw: bytes) -> dict[str, tuple[Hunk, ...]]:
    """Parse ``git diff -U0`` into head-side line ranges per new path.

    Only header lines are read: a section starts at ``diff --git``, names its new path on
    ``+++`` before the first ``@@``, and each ``@@ -a,b +c,d @@`` adds lines ``c..c+d-1``
    (``d`` defaults to 1; ``d == 0`` is a pure deletion and adds nothing).
    """
    hunks: dict[str, list[Hunk]] = {}
    path: str | None = None
    in_header = False
    for line in raw.split(b"\n"):
        if line.startswith(b"diff --git "):
            path, in_header = None, True
        elif in_header and line.startswith(b"+++ "):
            path = _new_path(line[4:])
        elif line.startswith(b"@@"):
            in_header = False
            hunk = _hunk(line)
            if path is not None and hunk is not None:
                hunks.setdefault(path, []).append(hunk)
    return {p: tuple(h) for p, h in sorted(hunks.items())}


def _hunk(line: bytes) -> Hunk | None:
    """The head-side range of one ``@@`` header, None for a pure deletion."""
    match = _HUNK_HEADER.match(line)
    if match is None:
        raise GitError(f"unparsable hunk header from git diff: {_decode(line)!r}")
    count = int(match.group(2)) if match.group(2) is not None else 1
    return Hunk(int(match.group(1)), count) if count > 0 else None


def _new_path(field: bytes) -> str | None:
    """The path of a ``+++`` header: None for /dev/null, C-unquoted when git quoted it."""
    if field.startswith(b'"'):
        field = unquote_c(field)
    elif field.endswith(b"\t"):
        field = field[:-1]  # git appends a tab when the name contains a space
    if field == b"/dev/null":
        return None
    return os.fsdecode(field.removeprefix(b"b/"))


_C_ESCAPES = {
    ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12,
    ord("r"): 13, ord('"'): 34, ord("\\"): 92,
}  # fmt: skip


def unquote_c(quoted: bytes) -> bytes:
    """Undo git's C-style quoting of a path: ``"a\\tb\\303\\251"`` -> the raw bytes."""
    body = quoted[1:-1] if quoted.startswith(b'"') and quoted.endswith(b'"') else quoted
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != ord("\\") or i + 1 >= len(body):
            out.append(ch)
            i += 1
        elif body[i + 1 : i + 4].isdigit() and len(body[i + 1 : i + 4]) == 3:
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out.append(_C_ESCAPES.get(body[i + 1], body[i + 1]))
            i += 2
    return bytes(out)


# ---------------------------------------------------------------------------------------------
# Tree state


def status_porcelain(root: Path) -> bytes:
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
