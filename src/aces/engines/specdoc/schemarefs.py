"""Does a spec reference a schema file? By path, by file name, or by proto package.

The search runs over the spec's visible text (comments removed) without its
coverage declaration: declaring that a spec covers ``proto/**`` or a package is
not the same as the spec saying what changes in that contract.
"""

from __future__ import annotations

import posixpath
import re

_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)\s*;", re.MULTILINE)
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_LINE_COMMENT = re.compile(r"//[^\n]*")


def proto_package(text: str) -> str | None:
    """The ``package`` of a .proto file, comments ignored; None when it declares none."""
    without = _LINE_COMMENT.sub("", _BLOCK_COMMENT.sub(" ", text))
    match = _PACKAGE.search(without)
    return match.group(1) if match else None


def references(text: str, path: str, package: str | None) -> bool:
    """True when ``text`` names the schema file: its path, its file name or its package."""
    names = [path, posixpath.basename(path)]
    if package:
        names.append(package)
    return any(_mentions(text, name) for name in names)


def _mentions(text: str, name: str) -> bool:
    """``name`` occurs in ``text`` as a whole token (``a.b`` is not found in ``xa.b``/``a.bc``)."""
    pattern = rf"(?<![\w.\-]){re.escape(name)}(?![\w\-]|\.\w)"
    if "/" not in name:
        # a file name or package may follow a directory: "proto/x/envelope.proto"
        pattern = rf"(?<![\w.\-]){re.escape(name)}(?![\w\-])|/{re.escape(name)}(?![\w\-])"
    return re.search(pattern, text) is not None
