"""Where the .proto files of a repository are, and which buf configuration builds them.

Each directory of the policy's ``[paths] proto`` that holds .proto files is one
buf module, built with that directory as its root (imports are relative to it).
A ``buf.yaml`` inside the directory is the repository's own module config and is
honoured; otherwise ACES supplies a v1 config with the policy's lint and breaking
categories. A .proto file outside every configured directory cannot be checked
and is reported.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from aces.policy.schema import ProtoPolicy

BUF_CONFIG_NAMES = ("buf.yaml", "buf.yml")


@dataclass(frozen=True)
class ProtoModule:
    """One directory of .proto files built as a buf module."""

    directory: str  # repository-relative, "" for the root
    files: tuple[str, ...]  # repository paths of its .proto files
    repo_config: str | None = None  # repository path of its own buf.yaml

    @property
    def source(self) -> str:
        """The buf input, relative to the repository root."""
        return self.directory or "."

    def module_name(self, path: str) -> str:
        """A repository path as buf names it inside the module."""
        prefix = f"{self.directory}/" if self.directory else ""
        return path[len(prefix) :] if prefix and path.startswith(prefix) else path

    @property
    def module_names(self) -> frozenset[str]:
        """The module-relative names of the module's own files."""
        return frozenset(self.module_name(p) for p in self.files)


def aces_config(policy: ProtoPolicy) -> str:
    """The buf config ACES supplies when the module has none: the policy's categories."""
    return json.dumps(
        {
            "version": "v1",
            "lint": {"use": list(policy.lint)},
            "breaking": {"use": list(policy.breaking)},
        },
        sort_keys=True,
    )


def _norm(directory: str) -> str:
    """``./proto/`` -> ``proto``; ``.`` -> ``""``."""
    norm = posixpath.normpath(directory.strip()) if directory.strip() else "."
    return "" if norm == "." else norm.strip("/")


def find_modules(files: Sequence[str], proto_dirs: Sequence[str]) -> tuple[ProtoModule, ...]:
    """The modules of the configured proto directories that hold .proto files."""
    modules: list[ProtoModule] = []
    claimed: set[str] = set()
    for directory in sorted({_norm(d) for d in proto_dirs}):
        prefix = f"{directory}/" if directory else ""
        protos = tuple(
            f for f in files if f.endswith(".proto") and f.startswith(prefix) and f not in claimed
        )
        if not protos:
            continue
        claimed.update(protos)
        config = next((prefix + n for n in BUF_CONFIG_NAMES if prefix + n in set(files)), None)
        modules.append(ProtoModule(directory, protos, config))
    return tuple(modules)


def stray_protos(files: Sequence[str], modules: Sequence[ProtoModule]) -> tuple[str, ...]:
    """.proto files that no module holds."""
    held = {p for m in modules for p in m.files}
    return tuple(f for f in files if f.endswith(".proto") and f not in held)
