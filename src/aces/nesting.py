"""A nesting-depth bound for every file ACES parses.

The parsers ACES relies on (``tomllib``, PyYAML's composer, the ``json`` scanner)
recurse once per level of nesting, and ``tomllib`` spends quadratic time on long
dotted keys: a file nested 100,000 deep would end in ``RecursionError`` (or run
for minutes) instead of a clear line naming the file. ``parse_bounded`` measures
the depth first, without recursion, and refuses a file deeper than any real file
of its kind; a ``RecursionError`` that still escapes a parser (a self-referencing
YAML alias walked by the caller, a deep expression) is translated at the same
boundary. Both become the caller's own ``AcesError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Literal, TypeVar

import yaml

from aces.errors import AcesError, InputError

# Real configuration, lockfiles and reports nest a few levels deep (a lockfile
# ~4, a state machine ~6, a CycloneDX SBOM ~8); Python's own recursion limit is
# 1,000 frames, which the parsers divide between several frames per level.
MAX_DEPTH = 100

Syntax = Literal["json", "toml", "yaml"]
ErrorFactory = Callable[[str], AcesError]
T = TypeVar("T")

_HINT = "no real file nests this deep; the file is damaged or hostile"
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# TOML strings (multi-line first), comments and the digits around a float's point
_TOML_NOISE = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|\d\.\d',
    re.DOTALL,
)
_OPENERS = "[{"


class NestingError(InputError):
    """An input nested deeper than ``MAX_DEPTH``: refused before its parser recurses."""


def nesting_error(path: str) -> ErrorFactory:
    """The default error: ``NestingError`` naming ``path``."""

    def make(message: str) -> AcesError:
        return NestingError(message, path=path, hint=_HINT)

    return make


def parse_bounded(
    parse: Callable[[str], T],
    text: str,
    path: str,
    syntax: Syntax,
    error: ErrorFactory | None = None,
) -> T:
    """``parse(text)`` once ``text`` is known to nest at most ``MAX_DEPTH`` deep.

    ``error`` makes the caller's own error from a message (default: ``NestingError``
    naming ``path``); it is raised for a file too deep and for a ``RecursionError``
    that escapes ``parse`` anyway.
    """
    make = error or nesting_error(path)
    check_depth(text, syntax, make)
    try:
        return parse(text)
    except RecursionError:
        raise make(f"nested too deeply to read (more than {MAX_DEPTH} levels)") from None


def check_depth(text: str, syntax: Syntax, error: ErrorFactory) -> None:
    """Raise ``error(...)`` when ``text`` nests deeper than ``MAX_DEPTH``."""
    depth = {"json": json_depth, "toml": toml_depth, "yaml": yaml_depth}[syntax](text)
    if depth > MAX_DEPTH:
        raise error(f"nested more than {MAX_DEPTH} levels deep (found {depth} or more)")


def json_depth(text: str) -> int:
    """The deepest bracket nesting of JSON ``text`` (strings do not count)."""
    openers = _count_openers(text)
    if openers <= MAX_DEPTH:  # the common case, without stripping strings
        return openers
    return _bracket_depth(_JSON_STRING.sub('""', text))


def toml_depth(text: str) -> int:
    """Bracket nesting plus the longest dotted key of TOML ``text``: its tables' depth."""
    bound = _count_openers(text) + text.count(".")
    if bound <= MAX_DEPTH:
        return bound
    bare = _TOML_NOISE.sub("0", text)
    dots = max((line.count(".") for line in bare.splitlines()), default=0)
    return _bracket_depth(bare) + dots


def yaml_depth(text: str) -> int:
    """The deepest collection nesting of YAML ``text``, read from the event stream.

    PyYAML's parser keeps its own stack (only the composer recurses), so events
    can be counted at any depth. Text that does not parse counts as shallow: the
    real parse reports its syntax error with a position.
    """
    depth = deepest = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
                if deepest > MAX_DEPTH:
                    return deepest
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return deepest
    return deepest


def _count_openers(text: str) -> int:
    return sum(text.count(opener) for opener in _OPENERS)


def _bracket_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting of ``text``, scanning only its brackets."""
    depth = deepest = 0
    for bracket in _brackets(text):
        if bracket in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def _brackets(text: str) -> Iterable[str]:
    return (match.group() for match in re.finditer(r"[\[\]{}]", text))
