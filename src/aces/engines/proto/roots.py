"""Where a .proto file's imports resolve: the root of the buf module that holds it.

Without ``[paths] proto`` in the policy every tracked product .proto file is
checked, and its module root is inferred from the file itself, first match wins:

1. the nearest directory above it holding a ``buf.yaml`` (the repository's own module);
2. the directory its package names, by buf's directory convention: a file
   ``a/b/c/v1/x.proto`` declaring ``package c.v1;`` has its root at ``a/b``;
3. the root its imports resolve from: a file importing ``c/v1/y.proto`` that
   sits under ``a/b/`` where ``a/b/c/v1/y.proto`` is tracked has its root at ``a/b``;
4. its own directory.

Roots may nest (``api`` and ``api/v2/proto``): the outer module excludes the inner
root, so buf builds each file in one module only.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Sequence

from aces.engines.proto.sources import BUF_CONFIG_NAMES, ProtoModule, module_of
from aces.errors import InputError
from aces.workspace.roles import is_product

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)\s*;", re.MULTILINE)
_IMPORT = re.compile(r'^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;', re.MULTILINE)


def _parent(path: str) -> str:
    """The directory of a repository path, ``""`` for the root."""
    return posixpath.dirname(path)


def _strip_suffix(directory: str, tail: str) -> str | None:
    """``directory`` without the trailing ``tail`` directories, or None when it does not end so."""
    if directory == tail:
        return ""
    return directory[: -len(tail) - 1] if directory.endswith(f"/{tail}") else None


def _config_root(path: str, configs: frozenset[str]) -> str | None:
    """The nearest directory above ``path`` that holds a buf.yaml."""
    directory = _parent(path)
    while True:
        if directory in configs:
            return directory
        if not directory:
            return None
        directory = _parent(directory)


def _import_root(path: str, imports: Sequence[str], tracked: frozenset[str]) -> str | None:
    """A directory above ``path`` from which one of its imports names a tracked file."""
    directory = _parent(path)
    while True:
        prefix = f"{directory}/" if directory else ""
        if any(prefix + name in tracked for name in imports):
            return directory
        if not directory:
            return None
        directory = _parent(directory)


def infer_root(text: str, path: str, tracked: frozenset[str], configs: frozenset[str]) -> str:
    """The module root of the .proto file at ``path`` whose text is ``text``."""
    root = _config_root(path, configs)
    if root is not None:
        return root
    code = _COMMENT.sub("", text)
    package = _PACKAGE.search(code)
    if package is not None:
        root = _strip_suffix(_parent(path), package.group(1).replace(".", "/"))
        if root is not None:
            return root
    root = _import_root(path, _IMPORT.findall(code), tracked)
    return root if root is not None else _parent(path)


def infer_modules(files: Sequence[str], read_text: Callable[[str], str]) -> tuple[ProtoModule, ...]:
    """The buf modules of every tracked product .proto file, grouped by inferred root."""
    protos = sorted(f for f in files if f.endswith(".proto"))
    tracked = frozenset(protos)
    configs = frozenset(_parent(f) for f in files if posixpath.basename(f) in BUF_CONFIG_NAMES)
    roots: set[str] = set()
    for path in protos:
        if is_product(path):
            try:
                text = read_text(path)
            except (OSError, UnicodeDecodeError, InputError):
                text = ""  # unreadable: its own directory; buf reports the file itself
            roots.add(infer_root(text, path, tracked, configs))
    modules: list[ProtoModule] = []
    for root in sorted(roots):
        prefix = f"{root}/" if root else ""
        nested = tuple(
            r[len(prefix) :] for r in sorted(roots) if r != root and r.startswith(prefix)
        )
        module = module_of(root, list(files), nested)
        if module is not None:
            modules.append(module)
    return tuple(modules)


def roots_note(modules: Sequence[ProtoModule]) -> str:
    """What a report says of inferred modules: ``proto modules inferred at api/proto, .``."""
    return "proto module roots inferred from package and imports: " + ", ".join(
        f"{m.source}/" if m.directory else "." for m in modules
    )
