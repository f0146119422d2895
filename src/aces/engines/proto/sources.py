"""Where the .proto files of a repository are, and which buf configuration builds them.

Each directory of the policy's ``[paths] proto`` that holds .proto files is one
buf module, built with that directory as its root (imports are relative to it).
Without ``[paths] proto`` the roots are inferred from the files (``roots``).
A ``buf.yaml`` inside the directory is the repository's own module config and is
honoured; otherwise ACES supplies a v1 config with the policy's lint and breaking
categories. A .proto file outside every configured directory cannot be checked
and is reported.

Test data is no protocol: .proto files under a test-data, test or documentation
directory inside a module (``proto/testdata/broken.proto``, see
``aces.workspace.roles``) are not among the module's files, and their directories
are the module's ``excludes``, so buf neither lints nor compiles them.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from aces.policy.schema import ProtoPolicy
from aces.workspace.roles import is_product, role_directory

BUF_CONFIG_NAMES = ("buf.yaml", "buf.yml")


@dataclass(frozen=True)
class ProtoModule:
    """One directory of .proto files built as a buf module."""

    directory: str  # repository-relative, "" for the root
    files: tuple[str, ...]  # repository paths of its .proto files
    repo_config: str | None = None  # repository path of its own buf.yaml
    excludes: tuple[str, ...] = ()  # module-relative directories of test data left out

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


def aces_config(policy: ProtoPolicy, excludes: Sequence[str] = ()) -> str:
    """The buf config ACES supplies when the module has none: the policy's categories,
    and the module's test-data directories excluded from the build."""
    config: dict[str, object] = {
        "version": "v1",
        "lint": {"use": list(policy.lint)},
        "breaking": {"use": list(policy.breaking)},
    }
    if excludes:
        config["build"] = {"excludes": list(excludes)}
    return json.dumps(config, sort_keys=True)


def _norm(directory: str) -> str:
    """``./proto/`` -> ``proto``; ``.`` -> ``""``."""
    norm = posixpath.normpath(directory.strip()) if directory.strip() else "."
    return "" if norm == "." else norm.strip("/")


def find_modules(files: Sequence[str], proto_dirs: Sequence[str]) -> tuple[ProtoModule, ...]:
    """The modules of the configured proto directories that hold product .proto files."""
    modules: list[ProtoModule] = []
    claimed: set[str] = set()
    for directory in sorted({_norm(d) for d in proto_dirs}):
        prefix = f"{directory}/" if directory else ""
        inside = [f for f in files if f.startswith(prefix) and f not in claimed]
        module = module_of(directory, inside)
        if module is not None:
            claimed.update(module.files)
            modules.append(module)
    return tuple(modules)


def module_of(
    directory: str, files: Sequence[str], nested: Sequence[str] = ()
) -> ProtoModule | None:
    """The module at ``directory`` made of ``files`` (repository paths under it), or None
    when none of them is a product .proto file. ``nested`` are module-relative roots of
    other modules inside it: their files are left out and the directories excluded."""
    prefix = f"{directory}/" if directory else ""
    inner = tuple(f"{prefix}{n}/" for n in nested)
    protos = tuple(
        f
        for f in files
        if f.endswith(".proto") and f.startswith(prefix) and not f.startswith(inner)
    )
    own = tuple(f for f in protos if is_product(f))
    if not own:
        return None
    excludes = set(nested)
    for path in protos:
        held = role_directory(path) if not is_product(path) else None
        if held is not None and held.startswith(prefix):  # test data inside the module
            excludes.add(held[len(prefix) :])
    config = next((prefix + n for n in BUF_CONFIG_NAMES if prefix + n in set(files)), None)
    return ProtoModule(directory, own, config, tuple(sorted(excludes)))


def stray_protos(files: Sequence[str], modules: Sequence[ProtoModule]) -> tuple[str, ...]:
    """.proto files that no module holds."""
    held = {p for m in modules for p in m.files}
    return tuple(f for f in files if f.endswith(".proto") and f not in held)


def own_config_excluding(text: str, excludes: Sequence[str]) -> str | None:
    """The repository's own v1 ``buf.yaml`` (its text) with the module's test-data
    directories added to ``build.excludes``, as a ``--config`` value; None when there is
    nothing to add or the config is not one ACES can extend this way (v2 workspaces,
    v1beta1, modules with dependencies, unreadable YAML), so buf uses it as written."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict) or str(data.get("version", "v1")) != "v1" or data.get("deps"):
        return None
    build = data.get("build") or {}
    if not isinstance(build, dict) or not isinstance(build.get("excludes") or [], list):
        return None
    have = [str(e).strip("/") for e in build.get("excludes") or []]
    added = [e for e in excludes if not any(_nested(e, h) for h in have)]
    if not added:
        return None
    data["build"] = {**build, "excludes": [*have, *added]}
    return json.dumps(data, sort_keys=True)


def _nested(a: str, b: str) -> bool:
    """Whether one of two module-relative directories is or holds the other."""
    return a == b or a.startswith(f"{b}/") or b.startswith(f"{a}/")
