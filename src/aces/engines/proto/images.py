"""Descriptor images of the head and base versions, built by buf and kept on disk.

The head image is built from the working tree; the base image from a git
worktree of the base commit (checked out with only the module's directory, no
network), removed again whatever happens. Images are stored in the proto store
(``aces.workspace.rundirs``) keyed by a digest of every input, so the checks of one
run (and later runs) build each version once.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2 as pb
from google.protobuf.message import DecodeError

from aces.engines.proto.model import read_image
from aces.engines.proto.sources import ProtoModule
from aces.errors import GitError, ToolError
from aces.tools.buf import Buf, BufDiagnostic
from aces.tools.process import ProcessRunner
from aces.workspace.git import git_env
from aces.workspace.scratch import make_scratch, scratch_parent

IMAGE_FORMAT = "1"
GIT_TIMEOUT_SECONDS = 120.0


@dataclass(frozen=True)
class Built:
    """The outcome of building one module version: an image, or its compile errors."""

    image: pb.FileDescriptorSet | None
    data: bytes = b""
    errors: tuple[BufDiagnostic, ...] = ()


@dataclass(frozen=True)
class ImageStore:
    """Images on disk, keyed by the digest of their inputs; unreadable entries are misses."""

    directory: Path

    def get(self, key: str) -> bytes | None:
        """The stored image bytes, or None."""
        try:
            return (self.directory / f"{key}.binpb").read_bytes()
        except OSError:
            return None

    def put(self, key: str, data: bytes) -> None:
        """Store atomically; a store that cannot be written is only slower, never wrong."""
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            Path(name).replace(self.directory / f"{key}.binpb")


def image_key(*parts: str) -> str:
    """The digest naming an image built from these inputs."""
    return hashlib.sha256("\x1f".join((IMAGE_FORMAT, *parts)).encode("utf-8")).hexdigest()


def build_module(
    buf: Buf, root: Path, module: ProtoModule, config: str | None, store: ImageStore, key: str
) -> Built:
    """Build ``module`` under ``root`` (stored under ``key``); compile errors as repo paths."""
    cached = store.get(key)
    if cached is not None:
        with contextlib.suppress(DecodeError):
            return Built(read_image(cached), cached)
    with tempfile.TemporaryDirectory(prefix="aces-image-", dir=scratch_parent()) as tmp:
        out = Path(tmp) / "image.binpb"
        errors = buf.build(root, module.source, out, config)
        if errors:
            return Built(None, b"", errors)
        try:
            data = out.read_bytes()
        except OSError as exc:
            raise ToolError(f"buf build wrote no image ({exc})") from exc
    try:
        image = read_image(data)
    except DecodeError as exc:
        raise ToolError(f"buf build wrote an image protobuf cannot read ({exc})") from exc
    store.put(key, data)
    return Built(image, data)


def _git(processes: ProcessRunner, cwd: Path, *args: str) -> tuple[int, str]:
    """Run git through the run's process runner; exit code and stdout."""
    env = git_env(root=cwd)  # the repository's .tools/bin first, like every tool
    env["GIT_LFS_SKIP_SMUDGE"] = "1"  # never fetch large files: no network
    result = processes.run(
        ("git", "--no-pager", "-c", "core.quotepath=off", *args),
        cwd=cwd,
        timeout=GIT_TIMEOUT_SECONDS,
        env=env,
        install_hint="apt-get install -y git",
    )
    return result.returncode, result.stdout + result.stderr


def base_proto_names(
    processes: ProcessRunner, root: Path, commit: str, top_path: str
) -> frozenset[str]:
    """The .proto files below ``top_path`` (relative to the work tree top) in ``commit``,
    named relative to ``top_path``; empty when the directory does not exist there."""
    code, out = _git(
        processes, root, "ls-tree", "-r", "-z", "--name-only", "--full-tree", commit, "--",
        top_path or ".",
    )  # fmt: skip
    if code != 0:
        raise GitError(f"cannot list {top_path or '.'} at {commit[:12]}: {out.strip()[:200]}")
    prefix = f"{top_path}/" if top_path else ""
    return frozenset(
        name[len(prefix) :]
        for name in out.split("\0")
        if name.endswith(".proto") and name.startswith(prefix)
    )


@contextlib.contextmanager
def base_worktree(
    processes: ProcessRunner, root: Path, commit: str, top_path: str
) -> Iterator[Path]:
    """A temporary worktree of ``commit`` holding only ``top_path``; always removed."""
    tmp = make_scratch("aces-base-")
    tree = tmp / "tree"
    added = False
    try:
        code, out = _git(
            processes, root, "worktree", "add", "--detach", "--no-checkout", "--quiet",
            str(tree), commit,
        )  # fmt: skip
        if code != 0:
            raise GitError(f"cannot create a worktree of {commit[:12]}: {out.strip()[:200]}")
        added = True
        code, out = _git(processes, tree, "checkout", commit, "--", top_path or ".")
        if code != 0:
            raise GitError(f"cannot check out {top_path} at {commit[:12]}: {out.strip()[:200]}")
        yield tree
    finally:
        if added:
            with contextlib.suppress(ToolError):
                _git(processes, root, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(ToolError):
            _git(processes, root, "worktree", "prune")
