"""The role of each file of the workspace: product, test, fixture, docs or generated.

Classified once, from repository structure and the ecosystems' naming conventions, and
used by every stage: a file under ``testdata/`` or ``fixtures/`` is test data, not a
protocol the product speaks; a test module is judged by the rules for tests; generated
code is checked against its source, not linted as written by hand.

- **fixture**: a path with a test-data directory (``testdata``, ``test_data``,
  ``fixtures``, ``__fixtures__``, ``__snapshots__``, ``golden``...), or a file under a
  test directory that is not source code (data the tests read), or a file under a
  benchmark directory (``benchmarks``, ``benchmark``) that is not source
  code (the inputs a benchmark measures on, which the product does not ship);
- **test**: source under a test directory (``tests``, ``test``, ``__tests__``, ``e2e``,
  ``benches``...), or named as a test (``test_*.py``, ``*_test.py``, ``conftest.py``,
  ``*_test.go``, ``*_test.exs``, ``*.test.ts``, ``*.spec.js``...);
- **generated**: protobuf/gRPC output (``*_pb2.py``, ``*_pb2_grpc.py``, ``*.pb.go``...);
  with the file's content and the ``.gitattributes`` files at hand
  (``generated_files``), also a file whose first lines carry a generator's mark
  (``@generated``, ``DO NOT EDIT``, Go's ``Code generated ... DO NOT EDIT.``) or
  that ``.gitattributes`` marks ``linguist-generated``;
- **docs**: under ``docs``/``doc``, or a prose document (``.md``, ``.rst``, ``.adoc``);
- **product**: everything else.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import PurePosixPath

from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

PRODUCT = "product"
TEST = "test"
FIXTURE = "fixture"
DOCS = "docs"
GENERATED = "generated"
ROLES = (PRODUCT, TEST, FIXTURE, DOCS, GENERATED)

FIXTURE_DIRS = frozenset(
    {
        "testdata", "test_data", "test-data", "testfixtures", "fixtures", "fixture",
        "__fixtures__", "__snapshots__", "snapshots", "golden", "goldens", "testcases",
    }
)  # fmt: skip
TEST_DIRS = frozenset(
    {"tests", "test", "__tests__", "testing", "e2e", "integration_tests", "benches"}
)
DOC_DIRS = frozenset({"docs", "doc"})
# Benchmark code is still the project's code (linted as written); its data is no product.
# ("bench" alone is left out: it is also a product's name, as a CLI called bench.)
BENCH_DIRS = frozenset({"benchmarks", "benchmark"})
ROLE_DIRS = FIXTURE_DIRS | TEST_DIRS | DOC_DIRS  # directories nothing under is product
SOURCE_SUFFIXES = frozenset(
    {
        ".py", ".pyi", ".rs", ".ex", ".exs", ".go", ".js", ".jsx", ".ts", ".tsx", ".mjs",
        ".cjs", ".java", ".kt", ".rb", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".swift",
        ".sh", ".php", ".scala", ".erl", ".hrl",
    }
)  # fmt: skip
DOC_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".adoc"})
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", ".pb.go", "_grpc.pb.go", ".pb.rs")
TEST_NAME_SUFFIXES = (
    "_test.py", "_tests.py", "_test.go", "_test.rs", "_test.exs", "_spec.rb",
    ".test.js", ".test.ts", ".test.jsx", ".test.tsx", ".spec.js", ".spec.ts",
)  # fmt: skip


def role_of(path: str) -> str:
    """The role of one workspace path (POSIX, relative to the workspace root)."""
    pure = PurePosixPath(path)
    dirs = {part.lower() for part in pure.parts[:-1]}
    name = pure.name.lower()
    if dirs & FIXTURE_DIRS:
        return FIXTURE
    if name.endswith(GENERATED_SUFFIXES):
        return GENERATED
    in_tests = bool(dirs & TEST_DIRS)
    if dirs & (TEST_DIRS | BENCH_DIRS) and pure.suffix.lower() not in SOURCE_SUFFIXES:
        return DOCS if pure.suffix.lower() in DOC_SUFFIXES else FIXTURE
    if in_tests or _named_as_test(name):
        return TEST
    if dirs & DOC_DIRS or pure.suffix.lower() in DOC_SUFFIXES:
        return DOCS
    return PRODUCT


def _named_as_test(name: str) -> bool:
    """Whether a file name follows a test naming convention of its ecosystem."""
    if name == "conftest.py":
        return True
    return (name.startswith("test_") and name.endswith(".py")) or name.endswith(TEST_NAME_SUFFIXES)


def role_directory(path: str) -> str | None:
    """The shallowest directory of ``path`` whose name makes everything under it test data,
    tests or documents (``proto/testdata/a.proto`` -> ``proto/testdata``), or None."""
    parts = PurePosixPath(path).parts[:-1]
    for depth, part in enumerate(parts, start=1):
        if part.lower() in ROLE_DIRS:
            return "/".join(parts[:depth])
    return None


def is_product(path: str) -> bool:
    """Whether a path is part of the product (not a test, fixture, document or output)."""
    return role_of(path) == PRODUCT


def product_files(paths: Iterable[str]) -> tuple[str, ...]:
    """The product paths among ``paths``, order kept."""
    return tuple(p for p in paths if is_product(p))


def count_roles(paths: Iterable[str]) -> dict[str, int]:
    """How many paths have each role other than product (roles with none are left out)."""
    counts = Counter(role_of(p) for p in paths)
    return {role: counts[role] for role in ROLES if role != PRODUCT and counts[role]}


# A generator writes its mark at the top: only these first lines are read (cheap, and a
# hand-written file that merely mentions the phrase further down is not taken for output).
HEAD_LINES = 5
HEAD_BYTES = 2048
_GENERATED_MARK = re.compile(r"@generated\b|\bDO NOT EDIT\b")
_LINGUIST = "linguist-generated"


def is_generated_head(head: str) -> bool:
    """Whether a file's first lines carry a generator's mark (``@generated``, ``DO NOT EDIT``)."""
    return any(_GENERATED_MARK.search(line) for line in head.splitlines()[:HEAD_LINES])


def linguist_rules(directory: str, text: str) -> list[tuple[GitIgnoreSpecPattern, bool]]:
    """The ``linguist-generated`` lines of one ``.gitattributes`` in ``directory`` ('' root).

    Each is (pattern, set): ``linguist-generated`` / ``=true`` sets the attribute,
    ``-linguist-generated`` / ``=false`` / ``!linguist-generated`` unsets it. Patterns
    follow gitignore's rules, relative to the file's directory.
    """
    rules: list[tuple[GitIgnoreSpecPattern, bool]] = []
    for raw in text.splitlines():
        fields = raw.strip().split()
        if len(fields) < 2 or fields[0].startswith("#"):
            continue
        state = _linguist_state(fields[1:])
        if state is None or fields[0].startswith("!"):
            continue
        pattern = fields[0]
        if directory:
            anchored = "/" in pattern.rstrip("/")
            pattern = (
                f"{directory}/{pattern.lstrip('/')}" if anchored else f"{directory}/**/{pattern}"
            )
        rules.append((GitIgnoreSpecPattern(pattern), state))
    return rules


def _linguist_state(attributes: list[str]) -> bool | None:
    """Whether attributes set (True) or unset (False) ``linguist-generated``; None: neither."""
    state: bool | None = None
    for attribute in attributes:
        if attribute in (_LINGUIST, f"{_LINGUIST}=true"):
            state = True
        elif attribute in (f"-{_LINGUIST}", f"!{_LINGUIST}", f"{_LINGUIST}=false"):
            state = False
    return state


def generated_files(
    paths: Iterable[str],
    read_head: Callable[[str], str],
    gitattributes: Mapping[str, str],
) -> frozenset[str]:
    """The paths that are generated: by name, by ``.gitattributes``, or by their first lines.

    ``gitattributes`` maps each ``.gitattributes`` path to its text; deeper files
    and later lines win, as in git. ``read_head`` gives a file's first bytes as text
    and is called only for files neither name nor attributes decide.
    """
    rules = [
        rule
        for path in sorted(gitattributes, key=lambda p: (p.count("/"), p))
        for rule in linguist_rules(str(PurePosixPath(path).parent).strip("."), gitattributes[path])
    ]
    found: set[str] = set()
    for path in paths:
        marked = None
        for pattern, state in rules:
            if pattern.match_file(path) is not None:
                marked = state
        if marked is False:
            continue
        if marked or role_of(path) == GENERATED or is_generated_head(read_head(path)):
            found.add(path)
    return frozenset(found)
