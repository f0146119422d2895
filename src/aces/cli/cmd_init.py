"""``aces init [PATH] [--force]``: lay down the layout, policy and templates ACES expects.

Idempotent: a file that already exists is kept (and reported so) unless ``--force`` is
given; a ``.gitkeep`` is added only to a directory that is missing or empty.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aces.errors import InputError
from aces.generate.scaffold import is_keep_file, scaffold_files

CREATED = "created"
KEPT = "kept"
OVERWRITTEN = "overwritten"


@dataclass(frozen=True)
class Outcome:
    """What ``aces init`` did with one scaffold path."""

    path: str
    status: str


def add_parser(sub: Any) -> None:
    """Register the ``init`` sub-command."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "init",
        help="create specs/, proto/, state_machines/, aces.toml and the PR template",
        description=(
            "Scaffold a repository for ACES: the directories the doctrine expects, a commented "
            "aces.toml at the doctrine defaults, a spec template and a pull request template. "
            "Existing files are kept unless --force is given."
        ),
    )
    parser.add_argument("path", nargs="?", default=".", help="repository root (default: .)")
    parser.add_argument("--force", action="store_true", help="overwrite files that exist")
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    """Write the scaffold, print one line per path and a summary; always 0 when it worked."""
    root = Path(args.path)
    if root.exists() and not root.is_dir():
        raise InputError("not a directory", path=str(root), hint="give a repository root")
    outcomes = apply_scaffold(root, scaffold_files(), force=args.force)
    for outcome in outcomes:
        print(f"{outcome.status:<11} {outcome.path}")
    print(summary(outcomes, str(args.path)))
    return 0


def apply_scaffold(root: Path, files: dict[str, str], *, force: bool) -> list[Outcome]:
    """Write ``files`` under ``root``; what happened to each, in path order."""
    return [_apply_one(root, rel, content, force=force) for rel, content in sorted(files.items())]


def summary(outcomes: list[Outcome], where: str) -> str:
    """``aces init: 3 created, 4 kept, 0 overwritten in PATH``."""
    counts = dict.fromkeys((CREATED, KEPT, OVERWRITTEN), 0)
    for outcome in outcomes:
        counts[outcome.status] += 1
    parts = ", ".join(f"{count} {status}" for status, count in counts.items())
    return f"aces init: {parts} in {where}"


def _apply_one(root: Path, rel: str, content: str, *, force: bool) -> Outcome:
    """Create, keep or overwrite one file."""
    target = root / rel
    if is_keep_file(rel) and not target.exists() and _has_entries(target.parent):
        # The directory already exists with content: a .gitkeep would only be noise.
        return Outcome(f"{rel.rsplit('/', 1)[0]}/", KEPT)
    if target.is_dir():
        raise InputError("expected a file, found a directory", path=str(target))
    if target.exists():
        if not force or _read(target) == content:
            return Outcome(rel, KEPT)
        _write(target, content)
        return Outcome(rel, OVERWRITTEN)
    _write(target, content)
    return Outcome(rel, CREATED)


def _has_entries(directory: Path) -> bool:
    """Whether ``directory`` exists and holds anything."""
    return directory.is_dir() and any(directory.iterdir())


def _read(path: Path) -> str | None:
    """The file's text, or None when it is not readable as UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write(path: Path, content: str) -> None:
    """Write one file (parents included), translating OS errors into an input error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", path=str(path)) from exc
