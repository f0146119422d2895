"""Both versions of every proto module of a run: head and (when there is one) base.

``load_versions`` is what every native check starts from. The head must compile
(a compile error is an ``InputError`` naming file:line:column; ``schema.proto-lint``
reports each one as a finding). The base comes from a worktree of the Change's
base commit; it is absent in a whole-tree run and when the base has no such
directory (then every element of head counts as new).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import descriptor_pb2 as pb
from google.protobuf.message import DecodeError

from aces.engines.proto.images import (
    Built,
    ImageStore,
    base_proto_names,
    base_worktree,
    build_module,
    image_key,
)
from aces.engines.proto.model import SchemaIndex, index_image, read_image
from aces.engines.proto.roots import infer_modules
from aces.engines.proto.sources import (
    BUF_CONFIG_NAMES,
    ProtoModule,
    aces_config,
    find_modules,
    module_of,
    own_config_excluding,
)
from aces.errors import InputError
from aces.policy.schema import Policy
from aces.tools.buf import BUF_TIMEOUT_SECONDS, Buf, BufDiagnostic
from aces.tools.process import ProcessRunner
from aces.workspace.index import Workspace
from aces.workspace.roles import is_product
from aces.workspace.rundirs import PROTO, run_dir
from aces.workspace.types import Change


def proto_store(ws: Workspace) -> Path:
    """buf's cache and the compiled images: out of the work tree outside CI (``rundirs``)."""
    return run_dir(ws.root, PROTO, is_git=ws.is_git)


@dataclass(frozen=True)
class ModuleVersions:
    """Head and base of one module; ``base`` is None in a whole-tree run or when absent."""

    module: ProtoModule
    config: str | None  # --config for build / lint (None: the module's own buf.yaml)
    breaking_config: str  # --config for breaking on images (JSON, or the buf.yaml path)
    head: SchemaIndex
    head_data: bytes
    head_image: pb.FileDescriptorSet
    base: SchemaIndex | None = None
    base_data: bytes = b""
    base_state: str = "whole-tree"  # whole-tree, absent or present


def module_config(root: Path, module: ProtoModule, policy: Policy) -> tuple[str | None, str]:
    """(config for build / lint, config for breaking on images) of one module.

    The module's test-data directories are excluded from build and lint: in the config
    ACES writes, and in the repository's own v1 ``buf.yaml`` when it can be extended
    (otherwise it is used as written and ``schema.proto-lint`` filters by role)."""
    if module.repo_config is not None:
        path = root / module.repo_config
        text = ""
        if module.excludes:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                text = path.read_text(encoding="utf-8")
        return own_config_excluding(text, module.excludes) if text else None, str(path)
    return aces_config(policy.proto, module.excludes), aces_config(policy.proto)


def proto_modules(ws: Workspace, policy: Policy) -> tuple[ProtoModule, ...]:
    """The modules of the configured proto directories; without any, of every tracked
    product .proto file, grouped by the module roots its package and imports imply."""
    if not policy.paths.proto:
        return infer_modules(ws.files, ws.read_text)
    return find_modules(ws.files, policy.paths.proto)


def open_buf(
    ws: Workspace,
    processes: ProcessRunner,
    executable: Path | None = None,
    timeout: float = BUF_TIMEOUT_SECONDS,
) -> Buf:
    """The buf to use (``executable`` when the caller resolved it), its cache in the proto store."""
    cache = proto_store(ws) / "buf-cache"
    if executable is not None:
        return Buf(executable, processes, cache, min(timeout, BUF_TIMEOUT_SECONDS))
    return Buf.locate(ws.root, processes, cache)


def load_versions(
    ws: Workspace,
    change: Change,
    policy: Policy,
    processes: ProcessRunner,
    buf: Buf | None = None,
) -> tuple[ModuleVersions, ...]:
    """Head and base of every module (``InputError`` when a version does not compile)."""
    if buf is None:
        buf = Buf.locate(ws.root, processes, proto_store(ws) / "buf-cache", policy.toolchain)
    store = ImageStore(proto_store(ws) / "images")
    out: list[ModuleVersions] = []
    for module in proto_modules(ws, policy):
        config, breaking_config = module_config(ws.root, module, policy)
        inputs = [*module.files, *([module.repo_config] if module.repo_config else [])]
        key = image_key("head", str(buf.executable), config or "", ws.digest(inputs))
        head = _require(build_module(buf, ws.root, module, config, store, key), "head")
        assert head.image is not None
        versions = ModuleVersions(
            module, config, breaking_config, _index(head.image, module), head.data, head.image
        )
        if not change.whole_tree and change.base is not None:
            versions = _with_base(versions, ws, change.base, buf, store, processes, policy)
        out.append(versions)
    return tuple(out)


def _index(image: pb.FileDescriptorSet, module: ProtoModule) -> SchemaIndex:
    """The index of the module's own files (files it imports from elsewhere left out)."""
    return index_image(image, module.directory, module.module_names)


def _with_base(
    versions: ModuleVersions,
    ws: Workspace,
    base: str,
    buf: Buf,
    store: ImageStore,
    processes: ProcessRunner,
    policy: Policy,
) -> ModuleVersions:
    """``versions`` completed with the base version of its module (its test data left out)."""
    module = versions.module
    top_path = f"{ws.git_prefix}{module.directory}".rstrip("/")
    prefix = f"{module.directory}/" if module.directory else ""
    found = base_proto_names(processes, ws.root, base, top_path)
    at_base = module_of(module.directory, sorted(prefix + n for n in found), module.excludes)
    if at_base is None:
        return _replace_base(versions, None, b"", "absent")
    names = at_base.module_names
    own = aces_config(policy.proto, at_base.excludes) if module.repo_config is None else None
    material = (versions.config or "", own or "", base, top_path)
    key = image_key("base", str(buf.executable), *material)
    cached = store.get(key)
    if cached is not None:
        with contextlib.suppress(DecodeError):
            image = read_image(cached)
            return _replace_base(
                versions, index_image(image, module.directory, names), cached, "present"
            )
    with base_worktree(processes, ws.root, base, top_path) as tree:
        base_root = tree / ws.git_prefix if ws.git_prefix else tree
        base_module = _base_module(base_root, at_base)
        if base_module.repo_config is not None:
            config, _ = module_config(base_root, base_module, policy)
        else:
            config = own if own is not None else versions.config
        built = build_module(buf, base_root, base_module, config, store, key)
    built = _require(built, f"base ({base[:12]})")
    assert built.image is not None
    base_index = index_image(built.image, module.directory, names)
    return _replace_base(versions, base_index, built.data, "present")


def _base_module(base_root: Path, module: ProtoModule) -> ProtoModule:
    """The module as the base commit has it, with its own buf.yaml when it has one."""
    directory = base_root / module.directory if module.directory else base_root
    prefix = f"{module.directory}/" if module.directory else ""
    config = next((prefix + n for n in BUF_CONFIG_NAMES if (directory / n).is_file()), None)
    return ProtoModule(module.directory, module.files, config, module.excludes)


def _replace_base(
    versions: ModuleVersions, base: SchemaIndex | None, data: bytes, state: str
) -> ModuleVersions:
    """A copy of ``versions`` with its base set."""
    return ModuleVersions(
        versions.module, versions.config, versions.breaking_config, versions.head,
        versions.head_data, versions.head_image, base, data, state,
    )  # fmt: skip


def _require(built: Built, which: str) -> Built:
    """The built image, or ``InputError`` at the first compile error."""
    if built.image is not None:
        return built
    first = built.errors[0]
    where = f"{first.path}:{first.line or 0}:{first.column or 0}"
    more = f" (and {len(built.errors) - 1} more)" if len(built.errors) > 1 else ""
    test_data = not any(is_product(e.path) for e in built.errors)
    raise InputError(
        f"the {which} .proto files do not compile: {where}: {first.message}{more}",
        path=first.path,
        hint="add the test-data directory to the excludes of the module's buf.yaml"
        if test_data
        else "fix the compile error; schema.proto-lint lists every one",
    )


def compile_errors(built_errors: Sequence[BufDiagnostic]) -> tuple[BufDiagnostic, ...]:
    """The compile errors among buf diagnostics."""
    return tuple(d for d in built_errors if d.is_compile_error)
