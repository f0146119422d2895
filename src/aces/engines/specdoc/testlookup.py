"""Does the test a binding names exist? Python, Rust and ExUnit lookups.

* Python: the file is parsed with ``ast``; ``path::func`` is a top-level
  function, ``path::Class::method`` a method of a top-level class.
* Rust: every ``.rs`` file is scanned for functions under a test attribute
  (``#[test]``, ``#[tokio::test]``, ``#[async_std::test(...)]``); the module path
  of each is the file's path below ``src/`` (``lib.rs`` / ``main.rs`` are the
  root, ``mod.rs`` its folder) or, below ``tests/``, the file stem, followed by
  the inline ``mod x { ... }`` blocks around it. A reference may start with
  ``crate::`` or with the crate name.
* ExUnit: ``test "name"`` in ``*_test.exs`` files, also as ``"<describe> <name>"``.
* A test file named on its own (kind ``file``, from spec-kit tasks): the file exists.

The scans are regex based, not full parsers: a brace inside a string can
confuse the Rust module tracking, which is accepted for test files.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from aces.engines.specdoc.bindings import TestRef

_RUST_TEST_ATTR = re.compile(r"^\s*#\[\s*(?:\w+::)*test\s*(?:\(.*\))?\s*\]")
_RUST_ATTR = re.compile(r"^\s*#!?\[")
_RUST_FN = re.compile(
    r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:(?:async|const|unsafe|extern(?:\s+\"[^\"]*\")?)\s+)*fn\s+(\w+)"
)
_RUST_MOD_OPEN = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*\{")
_EX_DESCRIBE = re.compile(r'^(\s*)describe\s+"((?:[^"\\]|\\.)*)"')
_EX_TEST = re.compile(r'^\s*test\s+"((?:[^"\\]|\\.)*)"')
_EX_END = re.compile(r"^(\s*)end\b")


@dataclass(frozen=True)
class LookupResult:
    """Whether a referenced test exists; ``reason`` says why not."""

    found: bool
    reason: str = ""


@dataclass
class TestIndex:
    """Looks tests up in a set of repository files, reading each file at most once.

    ``read_text`` returns a file's text; it may raise for unreadable files, which
    makes the lookup fail with the file named.
    """

    __test__ = False  # not a pytest test class, despite the name

    files: Sequence[str]
    read_text: Callable[[str], str]
    _rust: frozenset[tuple[str, ...]] | None = field(default=None, init=False, repr=False)
    _exunit: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    def lookup(self, ref: TestRef) -> LookupResult:
        """Find the test ``ref`` names."""
        if ref.kind == "python":
            return self._python(ref)
        if ref.kind == "rust":
            return self._rust_lookup(ref)
        if ref.kind == "file":
            found = ref.file in self._file_set
            return LookupResult(found, "" if found else f"{ref.file} does not exist")
        return self._exunit_lookup(ref)

    def _python(self, ref: TestRef) -> LookupResult:
        assert ref.file is not None
        if ref.file not in self._file_set:
            return LookupResult(False, f"{ref.file} does not exist")
        try:
            tree = ast.parse(self.read_text(ref.file), filename=ref.file)
        except SyntaxError as exc:
            return LookupResult(False, f"{ref.file} does not parse (line {exc.lineno})")
        if python_test_exists(tree, ref.names):
            return LookupResult(True)
        return LookupResult(False, f"{ref.file} has no test {'::'.join(ref.names)}")

    def _rust_lookup(self, ref: TestRef) -> LookupResult:
        if self._rust is None:
            rust_files = [f for f in self.files if f.endswith(".rs")]
            self._rust = frozenset(
                path for f in rust_files for path in rust_tests(f, self.read_text(f))
            )
        wanted = tuple(ref.names[1:] if ref.names[0] == "crate" else ref.names)
        if wanted in self._rust or wanted[1:] in self._rust:
            return LookupResult(True)
        return LookupResult(False, f"no #[test] fn {'::'.join(ref.names)} in any .rs file")

    def _exunit_lookup(self, ref: TestRef) -> LookupResult:
        if ref.file is not None and ref.file not in self._file_set:
            return LookupResult(False, f"{ref.file} does not exist")
        candidates = [ref.file] if ref.file else [f for f in self.files if f.endswith("_test.exs")]
        name = ref.names[0]
        for path in candidates:
            if path not in self._exunit:
                self._exunit[path] = exunit_tests(self.read_text(path))
            if name in self._exunit[path]:
                return LookupResult(True)
        where = ref.file or "any *_test.exs file"
        return LookupResult(False, f'no test "{name}" in {where}')

    @cached_property
    def _file_set(self) -> frozenset[str]:
        return frozenset(self.files)


def python_test_exists(tree: ast.Module, names: Sequence[str]) -> bool:
    """True when ``names`` (function, or class then method) is defined at the top of ``tree``."""
    body: Iterable[ast.stmt] = tree.body
    for depth, name in enumerate(names):
        last = depth == len(names) - 1
        node = _named(body, name, functions=last)
        if node is None:
            return False
        if not last:
            if not isinstance(node, ast.ClassDef):
                return False
            body = node.body
    return True


def _named(body: Iterable[ast.stmt], name: str, *, functions: bool) -> ast.stmt | None:
    """The function (or class) definition called ``name`` in ``body``."""
    kinds: tuple[type[ast.stmt], ...] = (
        (ast.FunctionDef, ast.AsyncFunctionDef) if functions else (ast.ClassDef,)
    )
    for node in body:
        if isinstance(node, kinds) and getattr(node, "name", None) == name:
            return node
    return None


def rust_module_path(path: str) -> tuple[str, ...]:
    """The module path of a Rust source file relative to its crate root."""
    parts = path.split("/")
    dirs, name = parts[:-1], parts[-1][: -len(".rs")]
    for root in ("src", "tests"):
        if root in dirs:
            index = len(dirs) - 1 - dirs[::-1].index(root)
            below = dirs[index + 1 :]
            if root == "tests":
                return (*below, name) if below else (name,)
            if not below and name in ("lib", "main"):
                return ()
            return tuple(below) if name == "mod" else (*below, name)
    return (name,)


def rust_tests(path: str, text: str) -> tuple[tuple[str, ...], ...]:
    """Module paths of every test function of one Rust file."""
    base = rust_module_path(path)
    found: list[tuple[str, ...]] = []
    mods: list[tuple[str, int]] = []  # inline module name, brace depth inside it
    depth = 0
    pending = False
    for raw in text.splitlines():
        line = raw.split("//", 1)[0]
        if _RUST_TEST_ATTR.match(line):
            pending = True
        elif pending and (fn := _RUST_FN.match(line)):
            found.append((*base, *(m for m, _ in mods), fn.group(1)))
            pending = False
        elif line.strip() and not _RUST_ATTR.match(line):
            pending = False
        opened = _RUST_MOD_OPEN.match(line)
        depth += line.count("{") - line.count("}")
        if opened:
            mods.append((opened.group(1), depth))
        while mods and depth < mods[-1][1]:
            mods.pop()
    return tuple(found)


def exunit_tests(text: str) -> frozenset[str]:
    """Names of the ExUnit tests of a file, bare and prefixed by their ``describe``."""
    names: set[str] = set()
    describes: list[tuple[str, int]] = []
    for line in text.splitlines():
        end = _EX_END.match(line)
        if end and describes and len(end.group(1)) <= describes[-1][1]:
            describes.pop()
            continue
        describe = _EX_DESCRIBE.match(line)
        if describe:
            describes.append((_unescape(describe.group(2)), len(describe.group(1))))
            continue
        test = _EX_TEST.match(line)
        if test:
            name = _unescape(test.group(1))
            names.add(name)
            if describes:
                names.add(f"{describes[-1][0]} {name}")
    return frozenset(names)


def _unescape(text: str) -> str:
    """Undo ``\\"`` escapes of an Elixir string literal."""
    return text.replace('\\"', '"')
