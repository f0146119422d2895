"""Language detection from a file's name, its extension or its shebang line."""

from __future__ import annotations

import re

EXTENSIONS: dict[str, str] = {
    ".py": "python", ".pyi": "python",
    ".rs": "rust",
    ".ex": "elixir", ".exs": "elixir", ".heex": "elixir", ".eex": "elixir",
    ".proto": "protobuf",
    ".md": "markdown", ".markdown": "markdown",
    ".yaml": "yaml", ".yml": "yaml",
    ".toml": "toml",
    ".json": "json",
    ".sh": "shell", ".bash": "shell", ".zsh": "shell", ".ksh": "shell",
    ".dockerfile": "dockerfile",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".go": "go",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".hh": "cpp", ".hpp": "cpp", ".hxx": "cpp",
    ".java": "java",
    ".kt": "kotlin", ".kts": "kotlin",
    ".rb": "ruby",
    ".sql": "sql",
    ".rego": "rego",
    ".tf": "terraform",
    ".html": "html", ".htm": "html",
    ".css": "css",
    ".xml": "xml",
    ".avsc": "avro",
    ".pml": "promela",
}  # fmt: skip

FILENAMES: dict[str, str] = {
    "Dockerfile": "dockerfile",
    "Containerfile": "dockerfile",
    "Makefile": "make",
    "GNUmakefile": "make",
    "Cargo.lock": "toml",
    "Pipfile": "toml",
}

INTERPRETERS: dict[str, str] = {
    "python": "python",
    "sh": "shell", "bash": "shell", "dash": "shell", "zsh": "shell", "ksh": "shell",
    "node": "javascript",
    "deno": "typescript",
    "elixir": "elixir",
    "ruby": "ruby",
}  # fmt: skip

SHEBANG_BYTES = 256  # enough for any sensible interpreter line

_VERSION_SUFFIX = re.compile(r"[\d.]+$")


def by_name(path: str) -> str | None:
    """The language a path's file name or extension implies, or None."""
    name = path.rsplit("/", 1)[-1]
    if name in FILENAMES:
        return FILENAMES[name]
    if name.startswith(("Dockerfile.", "Containerfile.")):
        return "dockerfile"
    dot = name.rfind(".")
    return EXTENSIONS.get(name[dot:].lower()) if dot > 0 else None


def needs_shebang(path: str) -> bool:
    """Whether only a shebang can tell: the name has no extension and is not a known name."""
    name = path.rsplit("/", 1)[-1]
    return "." not in name.lstrip(".") and name not in FILENAMES


def by_shebang(head: bytes) -> str | None:
    """The language named by a ``#!`` first line (``#!/usr/bin/env python3`` -> python)."""
    if not head.startswith(b"#!"):
        return None
    line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    words = line.split()
    if not words:
        return None
    program = words[0].rsplit("/", 1)[-1]
    if program == "env":
        rest = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        program = rest[0].rsplit("/", 1)[-1] if rest else ""
    return INTERPRETERS.get(_VERSION_SUFFIX.sub("", program))
