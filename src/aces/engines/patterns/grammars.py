"""The tree-sitter grammars of the languages the native analyses read.

Grammars come from the PyPI wheels ``tree-sitter-rust``, ``tree-sitter-python`` and
``tree-sitter-elixir`` (compiled in, no download at run time). A ``Language`` is
immutable and loaded once per process; a ``Parser`` is cheap and made per use,
because parsers are not safe to share between threads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import tree_sitter_elixir
import tree_sitter_python
import tree_sitter_rust
from tree_sitter import Language, Parser, Query

_LOADERS: dict[str, Callable[[], object]] = {
    "rust": tree_sitter_rust.language,
    "python": tree_sitter_python.language,
    "elixir": tree_sitter_elixir.language,
}

LANGUAGES: tuple[str, ...] = tuple(sorted(_LOADERS))


@functools.cache
def grammar(language: str) -> Language:
    """The grammar of ``language`` (one of ``LANGUAGES``); KeyError for any other."""
    return Language(_LOADERS[language]())


def parser(language: str) -> Parser:
    """A fresh parser for ``language``."""
    return Parser(grammar(language))


@functools.cache
def query(language: str, source: str) -> Query:
    """The compiled query ``source`` for ``language`` (compiled once per process)."""
    return Query(grammar(language), source)
