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
from aces.nesting import NestingError, parse_bounded
from aces.workspace.globs import compile_spec

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
        return compile_spec(self.globs)

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


_WILDCARDS = re.compile(r"[*?\[\\]")


def literal_prefix(glob: str) -> str:
    """The directory part every path a gitignore-style glob can match starts with.

    A glob without an inner slash matches at any depth (prefix ''); an anchored one
    matches only below its literal leading directories (``proto/a/**`` -> ``proto/a/``).
    """
    pattern = glob.lstrip("!")
    if "/" not in pattern.rstrip("/"):
        return ""
    pattern = pattern.lstrip("/")
    wildcard = _WILDCARDS.search(pattern)
    literal = pattern[: wildcard.start()] if wildcard else pattern
    return literal[: literal.rfind("/") + 1]


@dataclass(frozen=True)
class CoverageIndex:
    """Which specs could cover a path or a package, without testing every spec.

    Each spec is filed under the literal directory prefix of each of its globs and
    under each package it declares; ``candidates`` returns only the specs filed under
    a prefix of the path or a parent of the package. Callers still confirm each
    candidate with ``SpecDocument.covers``: the index narrows, it never decides.
    """

    by_prefix: dict[str, frozenset[str]]
    by_package: dict[str, frozenset[str]]

    @classmethod
    def build(cls, coverages: dict[str, Coverage]) -> CoverageIndex:
        """File every spec (path -> its coverage) under its prefixes and packages."""
        prefixes: dict[str, set[str]] = {}
        packages: dict[str, set[str]] = {}
        for spec, coverage in coverages.items():
            for glob in coverage.globs:
                prefixes.setdefault(literal_prefix(glob), set()).add(spec)
            for package in coverage.proto_packages:
                packages.setdefault(package.removesuffix(".*"), set()).add(spec)
        return cls(
            {k: frozenset(v) for k, v in prefixes.items()},
            {k: frozenset(v) for k, v in packages.items()},
        )

    def candidates(self, path: str, package: str | None) -> frozenset[str]:
        """Specs that may cover ``path`` (by glob) or ``package`` (by declaration)."""
        found: set[str] = set(self.by_prefix.get("", ()))
        cut = path.find("/")
        while cut != -1:
            found.update(self.by_prefix.get(path[: cut + 1], ()))
            cut = path.find("/", cut + 1)
        if package:
            parts = package.split(".")
            for end in range(1, len(parts) + 1):
                found.update(self.by_package.get(".".join(parts[:end]), ()))
        return frozenset(found)


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
        compile_spec([glob])
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
        data = parse_bounded(yaml.safe_load, doc.front_matter.text, "front matter", "yaml")
    except yaml.YAMLError as exc:
        line = 1 + _yaml_error_line(exc)
        problems.append(DeclarationProblem(line, f"front matter is not valid YAML: {_short(exc)}"))
        return
    except NestingError as exc:
        problems.append(DeclarationProblem(1, f"front matter is {exc.message}"))
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
