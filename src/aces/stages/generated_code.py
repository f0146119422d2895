"""Which code files are generated, once per run, so stage 3 lints only hand-written code.

A generator's output (protobuf / gRPC modules, files headed ``@generated`` or
``DO NOT EDIT``, paths ``.gitattributes`` marks ``linguist-generated``) is not
written by the project's authors: ruff, the forbidden patterns, the complexity
limits and the inline-suppression scan leave it alone (rules: ``aces.workspace.roles``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable

from aces.errors import InputError
from aces.pipeline.context import RunContext
from aces.workspace.index import Workspace
from aces.workspace.roles import HEAD_BYTES, generated_files

GITATTRIBUTES = ".gitattributes"


def generated_paths(ctx: RunContext) -> frozenset[str]:
    """The workspace's generated code files (memoized for the run)."""
    return ctx.memo.get("stage3.generated", lambda: _find(ctx.workspace))


def hand_written(ctx: RunContext, paths: Iterable[str]) -> tuple[str, ...]:
    """``paths`` without the generated ones, order kept."""
    generated = generated_paths(ctx)
    return tuple(p for p in paths if p not in generated)


def _find(ws: Workspace) -> frozenset[str]:
    code = sorted({path for files in ws.languages().values() for path in files})
    attributes = {
        path: ws.read_text(path) for path in ws.files if posixpath.basename(path) == GITATTRIBUTES
    }
    return generated_files(code, lambda path: _head(ws, path), attributes)


def _head(ws: Workspace, path: str) -> str:
    """A file's first bytes as text; '' when unreadable (it is then linted, and fails there)."""
    try:
        with ws.path(path).open("rb") as handle:
            return handle.read(HEAD_BYTES).decode("utf-8", errors="replace")
    except (InputError, OSError):
        return ""
