"""Which Wasm modules outside the policy directories are test data: only tests load them.

A Wasm host's repository carries guest modules its tests run (``include_bytes!("../wasm/
echo.wasm")`` in a test, a benchmark, an example). They are inputs of the tests, not
modules the product loads, so their imports and memories are not judged against the
sandbox policy (as test .proto files are judged by the tests that read them). A module
is test data when code outside the product names its file and no product code does:
names in comments (a doctest's ``///`` line) and in examples do not count as product
use. A module nothing names is judged, since where it runs is unknown.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

from aces.workspace.index import Workspace
from aces.workspace.roles import PRODUCT, SOURCE_SUFFIXES, role_of

_COMMENT = re.compile(r"^\s*(?://|#|/\*|\*|--|%)")
_EXAMPLE_NAMES = frozenset({"example", "examples"})


def _is_example(path: str) -> bool:
    parts = path.lower().split("/")
    stem = posixpath.splitext(parts[-1])[0]
    return stem in _EXAMPLE_NAMES or bool(_EXAMPLE_NAMES.intersection(parts[:-1]))


def _code_lines(text: str) -> Iterable[str]:
    return (line for line in text.splitlines() if not _COMMENT.match(line))


def test_only_modules(ws: Workspace, modules: Iterable[str]) -> frozenset[str]:
    """The modules among ``modules`` that only tests, examples or comments name."""
    names = {posixpath.basename(m): m for m in modules}
    if not names:
        return frozenset()
    pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
    in_product: set[str] = set()
    elsewhere: set[str] = set()
    for path in ws.files:
        if posixpath.splitext(path)[1].lower() not in SOURCE_SUFFIXES:
            continue
        text = ws.read_text(path)
        if pattern.search(text) is None:
            continue
        product = role_of(path) == PRODUCT and not _is_example(path)
        for line in _code_lines(text) if product else text.splitlines():
            for found in pattern.findall(line):
                (in_product if product else elsewhere).add(found)
    return frozenset(names[n] for n in elsewhere - in_product)
