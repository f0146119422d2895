"""The Workspace: the files of the repository under check, and safe ways to read them.

In a git work tree the files are the tracked ones plus the untracked ones no ignore
rule excludes (``git ls-files``), minus those deleted on disk. Elsewhere the directory
is walked, honouring ``.gitignore`` files. Either way ``.git``, ``.aces`` and ``.venv``
are never read, symlinked directories are never followed, and a symlink resolving
outside the root is not a file of the workspace. Whether the root is in a git work
tree is decided from the file system (``git.is_repo``): when it is, a failing git is
an error, never a reason to fall back to walking the directory.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from collections.abc import Sequence
from pathlib import Path

from aces.errors import InputError
from aces.tools.process import ProcessRunner
from aces.workspace import git
from aces.workspace.globs import GlobMatcher
from aces.workspace.languages import SHEBANG_BYTES, by_name, by_shebang, needs_shebang
from aces.workspace.nested import nested_projects, project_of
from aces.workspace.walk import is_excluded, is_within, keep_listed, walk_files

DEFAULT_MAX_FILE_BYTES = 5_000_000
BINARY_SNIFF_BYTES = 8000  # the window git itself inspects for a NUL byte
_CHUNK = 1 << 20


class Workspace:
    """The repository under check: a sorted, git-aware index of its files."""

    root: Path
    files: tuple[str, ...]  # the files of this project (nested projects left out)
    all_files: tuple[str, ...]  # every file of the tree, nested projects' included
    nested_projects: tuple[str, ...]  # directories below the root with their own aces.toml
    is_git: bool

    def __init__(
        self,
        root: Path,
        files: Sequence[str],
        *,
        is_git: bool,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        git_prefix: str = "",
        processes: ProcessRunner | None = None,
        policy_dir: str = "",
    ) -> None:
        self.root = root
        # git runs through the run's process runner, so a signal to ACES reaches it
        self.processes = processes if processes is not None else ProcessRunner()
        self.all_files = tuple(sorted(files))
        self.nested_projects = nested_projects(self.all_files, policy_dir)
        self.files = tuple(f for f in self.all_files if project_of(f, self.nested_projects) is None)
        self.is_git = is_git
        self.max_file_bytes = max_file_bytes
        self.git_prefix = git_prefix  # root relative to the work tree top, e.g. "examples/x/"
        self._file_set = frozenset(self.files)
        self._match_cache: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._languages: dict[str, tuple[str, ...]] | None = None
        # Symlinks left out of ``files`` (outside the root, loops, dangling), with the reason:
        # a check that needs files of a directory holding one cannot verify it.
        self.unread_links: tuple[tuple[str, str], ...] = ()

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        processes: ProcessRunner | None = None,
        policy_file: Path | None = None,
    ) -> Workspace:
        """Index the directory ``root``; InputError when it is missing or not a directory.

        ``processes`` runs git (the run's runner; a fresh one when not given).
        ``policy_file`` is the policy in force (default ``<root>/aces.toml``): its
        directory is never a nested project.
        """
        resolved = _resolve_root(root)
        policy_dir = _policy_dir(resolved, policy_file or resolved / "aces.toml")
        runner = processes if processes is not None else ProcessRunner()
        rejected: list[tuple[str, str]] = []
        indexed = _git_index(resolved, rejected, runner)
        if indexed is None:
            files = walk_files(resolved, rejected)
            workspace = cls(
                resolved,
                files,
                is_git=False,
                max_file_bytes=max_file_bytes,
                processes=runner,
                policy_dir=policy_dir,
            )
        else:
            files, prefix = indexed
            workspace = cls(
                resolved,
                files,
                is_git=True,
                max_file_bytes=max_file_bytes,
                git_prefix=prefix,
                processes=runner,
                policy_dir=policy_dir,
            )
        workspace.unread_links = tuple(sorted(rejected))
        return workspace

    def unread_links_under(self, dirs: Sequence[str]) -> tuple[tuple[str, str], ...]:
        """Symlinks below these directories that are not read, with the reason."""
        prefixes = {_dir_prefix(d) for d in dirs}
        return tuple(
            (path, why)
            for path, why in self.unread_links
            if any(path.startswith(prefix) for prefix in prefixes)
        )

    # -- membership and selection ------------------------------------------------------------

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` is one of the workspace's files (nested projects' left out)."""
        return rel in self._file_set

    def nested_project_of(self, rel: str) -> str | None:
        """The nested project holding ``rel``, or None when it is this project's."""
        return project_of(rel, self.nested_projects)

    def match(self, globs: Sequence[str]) -> tuple[str, ...]:
        """The files matched by any of these gitwildmatch globs (``proto/**``, ``**/*.proto``)."""
        key = tuple(globs)
        if key not in self._match_cache:
            self._match_cache[key] = tuple(GlobMatcher(key).filter(self.files))
        return self._match_cache[key]

    def under(self, dirs: Sequence[str]) -> tuple[str, ...]:
        """The files below any of these directories ('' or '.' means the whole workspace)."""
        prefixes = {_dir_prefix(d) for d in dirs}
        if "" in prefixes:
            return self.files
        return tuple(f for f in self.files if f.startswith(tuple(prefixes)))

    def languages(self) -> dict[str, tuple[str, ...]]:
        """Language name -> its files, for every language found (by name, extension, shebang)."""
        if self._languages is None:
            found: dict[str, list[str]] = {}
            for rel in self.files:
                language = self.language_of(rel)
                if language is not None:
                    found.setdefault(language, []).append(rel)
            self._languages = {name: tuple(found[name]) for name in sorted(found)}
        return dict(self._languages)

    def language_of(self, rel: str) -> str | None:
        """The language of one file, or None when neither its name nor a shebang tells."""
        language = by_name(rel)
        if language is None and needs_shebang(rel):
            language = by_shebang(self._head(rel, SHEBANG_BYTES))
        return language

    # -- reading -----------------------------------------------------------------------------

    def path(self, rel: str) -> Path:
        """The absolute, resolved path of a file inside the workspace (InputError otherwise)."""
        return Path(self._locate(rel))

    def read_bytes(self, rel: str) -> bytes:
        """The bytes of a file; InputError when missing, too large or resolving outside."""
        real = self._locate(rel)
        size = Path(real).stat().st_size
        if size > self.max_file_bytes:
            raise _too_large(rel, size, self.max_file_bytes)
        with Path(real).open("rb") as handle:
            data = handle.read(self.max_file_bytes + 1)
        if len(data) > self.max_file_bytes:  # it grew while we looked
            raise _too_large(rel, len(data), self.max_file_bytes)
        return data

    def read_text(self, rel: str) -> str:
        """A file as UTF-8 text; InputError naming it when binary or not valid UTF-8."""
        data = self.read_bytes(rel)
        nul = data.find(b"\0")
        if nul >= 0:
            raise InputError(
                f"binary file (NUL byte at offset {nul}), expected UTF-8 text", path=rel
            )
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})",
                path=rel,
                hint="re-encode the file as UTF-8",
            ) from exc
        return text.removeprefix("\ufeff")

    def is_binary(self, rel: str) -> bool:
        """Whether a file looks binary: a NUL byte in its first 8000 bytes (git's rule)."""
        with Path(self._locate(rel)).open("rb") as handle:
            return b"\0" in handle.read(BINARY_SNIFF_BYTES)

    # -- digests -----------------------------------------------------------------------------

    def digest(self, paths: Sequence[str]) -> str:
        """A blake2b digest of these files' paths and contents (order and repeats ignored)."""
        h = hashlib.blake2b(digest_size=32)
        for rel in sorted(set(paths)):
            h.update(os.fsencode(rel) + b"\0")
            h.update(self._content_hash(rel))
        return h.hexdigest()

    def tree_digest(self, processes: ProcessRunner | None = None) -> str:
        """A digest of the whole tree state, cheap to recompute when nothing changed.

        In git: the HEAD commit and porcelain status (index ids of every staged entry) plus
        the content of every dirty or untracked file. Elsewhere: path, size and mtime of
        every file found by a fresh walk. ``processes`` runs git (a check's runner, bounded
        by its deadline); the workspace's own by default.
        """
        h = hashlib.blake2b(digest_size=32)
        if self.is_git:
            self._git_tree_state(h, processes or self.processes)
        else:
            self._walk_tree_state(h)
        return h.hexdigest()

    def _git_tree_state(self, h: hashlib.blake2b, processes: ProcessRunner) -> None:
        """Feed HEAD, the status and the dirty files' state into ``h``."""
        status = git.status_porcelain(self.root, runner=processes)
        h.update(b"git\0" + status)
        for top_rel in git.parse_status_paths(status):
            if top_rel.startswith(self.git_prefix):
                rel = top_rel[len(self.git_prefix) :]
                h.update(os.fsencode(rel) + b"\0" + self._entry_state(rel))

    def _walk_tree_state(self, h: hashlib.blake2b) -> None:
        """Feed path, size and mtime of every file into ``h``."""
        h.update(b"walk\0")
        rejected: list[tuple[str, str]] = []
        files = walk_files(self.root, rejected)
        for rel, why in rejected:
            h.update(os.fsencode(rel) + b"\0link\0" + why.encode() + b"\0")
        for rel in files:
            try:
                st = (self.root / rel).stat()
                state = f"{st.st_size}:{st.st_mtime_ns}"
            except OSError:
                state = "-"
            h.update(os.fsencode(rel) + b"\0" + state.encode() + b"\0")

    def _entry_state(self, rel: str) -> bytes:
        """What a dirty entry holds now: a symlink's target, a file's content hash, or a tag."""
        abs_path = f"{self.root}{os.sep}{rel}"
        try:
            mode = os.lstat(abs_path).st_mode
        except OSError:
            return b"-missing\0"
        if stat.S_ISLNK(mode):
            return b"L" + os.fsencode(Path(abs_path).readlink()) + b"\0"
        if stat.S_ISREG(mode):
            return b"F" + _hash_file(abs_path)
        return b"-other\0"

    def _content_hash(self, rel: str) -> bytes:
        """The content hash of a file, or a tag saying why it cannot be read."""
        try:
            return b"F" + _hash_file(self._locate(rel))
        except (InputError, OSError):
            return b"-unreadable\0"

    # -- helpers -----------------------------------------------------------------------------

    def _locate(self, rel: str) -> str:
        """Resolve ``rel`` to a regular file inside the root, or raise InputError naming it."""
        norm = posixpath.normpath(rel) if rel else ""
        if not norm or norm == "." or posixpath.isabs(norm) or norm.split("/")[0] == "..":
            raise InputError("not a path inside the workspace", path=rel or "''")
        try:
            real = os.path.realpath(f"{self.root}{os.sep}{norm}", strict=True)
        except FileNotFoundError as exc:
            raise InputError("file does not exist in the workspace", path=rel) from exc
        except (OSError, RuntimeError) as exc:
            raise InputError(f"cannot resolve the path ({exc})", path=rel) from exc
        if not is_within(str(self.root), real):
            raise InputError(
                f"symlink resolves outside the workspace (to {real}); ACES does not read it",
                path=rel,
            )
        if not Path(real).is_file():
            raise InputError("not a regular file", path=rel)
        return real

    def _head(self, rel: str, size: int) -> bytes:
        """The first ``size`` bytes of a file, or b'' when it cannot be read."""
        try:
            with Path(self._locate(rel)).open("rb") as handle:
                return handle.read(size)
        except (InputError, OSError):
            return b""


def _git_index(
    root: Path, rejected: list[tuple[str, str]], runner: ProcessRunner
) -> tuple[list[str], str] | None:
    """The files git lists below ``root`` and its prefix, or None when git does not apply.

    A directory the enclosing repository ignores (a scratch copy under ``build/``) would
    list no file at all through git, so it is indexed as the plain directory it is.
    """
    if not git.is_repo(root, runner=runner):
        return None
    prefix = git.show_prefix(root, runner=runner)
    if prefix and git.is_ignored_here(root, runner=runner):
        return None
    root_real = str(root)
    files = [
        f.path
        for f in git.ls_files(root, runner=runner)
        if (f.trusted and not is_excluded(f.path)) or keep_listed(root_real, f.path, rejected)
    ]
    return files, prefix


def _resolve_root(root: Path) -> Path:
    """The resolved workspace root; InputError when it is missing or not a directory."""
    try:
        resolved = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise InputError("workspace root does not exist", path=str(root)) from exc
    if not resolved.is_dir():
        raise InputError("workspace root is not a directory", path=str(root))
    return resolved


def _policy_dir(root: Path, policy_file: Path) -> str:
    """The directory of the policy file in force relative to ``root`` ('' at the root or
    outside it), links followed: a root ``aces.toml`` may link to ``config/aces.toml``."""
    real = os.path.realpath(policy_file)  # a relative --policy is relative to the caller
    if not is_within(str(root), real):
        return ""
    relative = Path(real).parent.relative_to(root).as_posix()
    return "" if relative == "." else relative


def _dir_prefix(directory: str) -> str:
    """A directory as a path prefix: 'proto' -> 'proto/'; '', '.' and './' -> ''."""
    norm = posixpath.normpath(directory.strip()) if directory.strip() else "."
    return "" if norm == "." else norm.strip("/") + "/"


def _too_large(rel: str, size: int, limit: int) -> InputError:
    """The error for a file over the read limit."""
    return InputError(
        f"file is {size} bytes, over the {limit}-byte limit ACES reads",
        path=rel,
        hint="shrink or split the file, or keep it out of the checked paths",
    )


def _hash_file(abs_path: str) -> bytes:
    """The blake2b digest of a file's bytes, read in chunks (no size limit)."""
    h = hashlib.blake2b(digest_size=32)
    with Path(abs_path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            h.update(chunk)
    return h.digest()
