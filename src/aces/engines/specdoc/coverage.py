"""The coverage declaration of a spec: which paths and proto packages it covers.

Two notations, documented in ``docs/specs.md``:

* YAML front matter at the top of the file::

      ---
      covers:
        - src/arqonbus_mini/tenancy.py
        - state_machines/session.sm.yaml
      proto_packages: [arqonbus.v1]
      ---

* or declaration lines anywhere outside code (handy in spec-kit files)::

      **Covers**: `src/arqonbus_mini/envelope.py`, `proto/**`
      **Proto packages**: arqonbus.v1

``covers`` holds gitwildmatch globs (``proto/**``, ``**/*.sm.yaml``);
``proto_packages`` holds package names, where ``arqonbus.*`` matches the package
and every package below it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pathspec
import yaml

from aces.engines.specdoc.markdown import MarkdownDoc

_DECLARATION = re.compile(
    r"^\s*(?:[-*+]\s+)?[*_]{0,2}(covers|proto[ _-]packages)[*_]{0,2}\s*:[*_]{0,2}\s*(.*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Coverage:
    """What a spec declares it covers; ``lines`` are the lines that declare it."""

    globs: tuple[str, ...] = ()
    proto_packages: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()

    @property
    def declared(self) -> bool:
        """True when the spec declares anything at all."""
        return bool(self.globs or self.proto_packages)

    @cached_property
    def _spec(self) -> pathspec.PathSpec[Any]:
        return pathspec.PathSpec.from_lines("gitignore", self.globs)

    def covers_path(self, path: str) -> bool:
        """True when ``path`` matches one of the declared globs."""
        return bool(self.globs) and self._spec.match_file(path)

    def covers_package(self, package: str) -> bool:
        """True when the proto ``package`` is declared (``a.b.*`` covers ``a.b`` and below)."""
        for declared in self.proto_packages:
            if declared.endswith(".*"):
                stem = declared[:-2]
                if package == stem or package.startswith(stem + "."):
                    return True
            elif package == declared:
                return True
        return False


@dataclass(frozen=True)
class DeclarationProblem:
    """A malformed coverage declaration: where and what is wrong."""

    line: int
    message: str


def read_coverage(doc: MarkdownDoc) -> tuple[Coverage, tuple[DeclarationProblem, ...]]:
    """The coverage a document declares (front matter and declaration lines) and any
    problems found reading it."""
    globs: list[str] = []
    packages: list[str] = []
    lines: list[int] = []
    problems: list[DeclarationProblem] = []
    if doc.front_matter is not None:
        _from_front_matter(doc, globs, packages, lines, problems)
    for number, text in enumerate(doc.visible, start=1):
        if number in doc.code or number in doc.structural:
            continue
        match = _DECLARATION.match(text)
        if not match:
            continue
        values = _split_values(match.group(2))
        if not values:
            problems.append(DeclarationProblem(number, f"'{match.group(1)}:' lists nothing"))
            continue
        target = globs if match.group(1).lower() == "covers" else packages
        target.extend(values)
        lines.append(number)
    valid = [g for g in globs if _valid_glob(g, problems, lines[0] if lines else 1)]
    coverage = Coverage(tuple(valid), tuple(packages), tuple(sorted(set(lines))))
    return coverage, tuple(problems)


def _valid_glob(glob: str, problems: list[DeclarationProblem], line: int) -> bool:
    """True when ``glob`` compiles; otherwise record the problem."""
    try:
        pathspec.PathSpec.from_lines("gitignore", [glob])
    except ValueError as exc:
        problems.append(DeclarationProblem(line, f"invalid glob {glob!r} in 'covers': {exc}"))
        return False
    return True


def declaration_lines(doc: MarkdownDoc) -> frozenset[int]:
    """Lines that only declare coverage (front matter, ``Covers:`` lines)."""
    out = set(range(1, doc.front_matter.end_line + 1)) if doc.front_matter else set()
    for number, text in enumerate(doc.visible, start=1):
        if number not in doc.code and _DECLARATION.match(text):
            out.add(number)
    return frozenset(out)


def _from_front_matter(
    doc: MarkdownDoc,
    globs: list[str],
    packages: list[str],
    lines: list[int],
    problems: list[DeclarationProblem],
) -> None:
    """Read ``covers`` and ``proto_packages`` from the YAML front matter."""
    assert doc.front_matter is not None
    try:
        data = yaml.safe_load(doc.front_matter.text)
    except yaml.YAMLError as exc:
        line = 1 + _yaml_error_line(exc)
        problems.append(DeclarationProblem(line, f"front matter is not valid YAML: {_short(exc)}"))
        return
    if data is None:
        return
    if not isinstance(data, dict):
        problems.append(DeclarationProblem(1, "front matter must be a YAML mapping"))
        return
    for key, target in (("covers", globs), ("proto_packages", packages)):
        if key not in data:
            continue
        values = _string_list(data[key])
        line = _key_line(doc, key)
        if values is None:
            problems.append(
                DeclarationProblem(line, f"'{key}' must be a string or a list of strings")
            )
            continue
        target.extend(values)
        lines.append(line)


def _string_list(value: object) -> list[str] | None:
    """A YAML string or list of strings as a list; None when it is anything else."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return None


def _key_line(doc: MarkdownDoc, key: str) -> int:
    """Line of ``key:`` in the front matter (1 when it cannot be told)."""
    for number, text in enumerate(doc.lines, start=1):
        if text.startswith(f"{key}:"):
            return number
        if doc.front_matter and number >= doc.front_matter.end_line:
            break
    return 1


def _split_values(raw: str) -> list[str]:
    """Comma-separated values with backticks and emphasis removed."""
    cleaned = raw.replace("`", " ").strip().strip("*_")
    return [v.strip().strip("*_") for v in re.split(r"[,\s]+", cleaned) if v.strip().strip("*_")]


def _yaml_error_line(exc: yaml.YAMLError) -> int:
    """Front-matter line of a YAML error (1-based within the document, after ``---``)."""
    mark = getattr(exc, "problem_mark", None)
    return int(mark.line) + 1 if mark is not None else 0


def _short(exc: yaml.YAMLError) -> str:
    """The first line of a YAML error."""
    problem = getattr(exc, "problem", None)
    return str(problem) if problem else str(exc).splitlines()[0]
