"""The binding notation: how an acceptance criterion names the tests that verify it.

A criterion carries one or more ``Verified by:`` lines (case-insensitive, on the
criterion's own line or its continuation lines), each listing references
separated by commas or semicolons, optionally in backticks:

* Python (pytest): ``tests/test_x.py::test_y`` or ``tests/test_x.py::TestX::test_y``
  (a parametrisation suffix ``[...]`` is ignored); prefix ``pytest:`` optional;
* Rust: ``rust: crate::envelope::tests::decodes`` (``crate::`` or the crate name
  first; the prefix may be left out when the path has ``::`` and no ``.py``);
* ExUnit: ``exunit: "decodes an envelope"`` or
  ``exunit: test/envelope_test.exs:"decodes an envelope"``; a test inside
  ``describe "x"`` may also be named ``"x decodes an envelope"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BINDING_LINE = re.compile(r"\bverified\s+by[*_]*\s*:[*_]*\s*(.*)$", re.IGNORECASE)
_SEPARATOR = re.compile(r"[\s,;]+|\band\b", re.IGNORECASE)
_KIND = re.compile(r"(python|pytest|rust|exunit)\s*:\s*(?!:)", re.IGNORECASE)
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_BARE = re.compile(r'[^\s,;"]+')
_RUST_PATH = re.compile(r"^[A-Za-z_]\w*(?:::[A-Za-z_]\w*)+$")
_PY_NAME = re.compile(r"^[A-Za-z_]\w*(?:\[.*\])?$")


@dataclass(frozen=True)
class TestRef:
    """One test reference of a binding: ``kind`` is ``python``, ``rust``, ``exunit`` or ``file``.

    Python: ``file`` and ``names`` (function, or class then method). Rust: ``names``
    is the module path. ExUnit: optional ``file`` and ``names == (test name,)``.
    File (a whole test file, named by a spec-kit task): ``file`` only.
    """

    __test__ = False  # not a pytest test class, despite the name

    kind: str
    text: str
    file: str | None = None
    names: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class BadRef:
    """A reference the binding notation does not understand, with why."""

    text: str
    reason: str


def parse_binding(text: str) -> tuple[tuple[TestRef, ...], tuple[BadRef, ...]]:
    """The references listed after ``Verified by:`` (``text`` is what follows the colon)."""
    refs: list[TestRef] = []
    bad: list[BadRef] = []
    rest = text.replace("`", " ").strip()
    while rest:
        sep = _SEPARATOR.match(rest)
        if sep and sep.end() > 0:
            rest = rest[sep.end() :]
            continue
        kind_match = _KIND.match(rest)
        kind = kind_match.group(1).lower() if kind_match else None
        if kind_match:
            rest = rest[kind_match.end() :]
        token, rest = _next_token(rest)
        if token is None:
            bad.append(BadRef(rest[:40] or (kind or ""), "nothing after the prefix"))
            break
        result = classify(kind, token)
        if isinstance(result, TestRef):
            refs.append(result)
        else:
            bad.append(result)
    return tuple(refs), tuple(bad)


def _next_token(rest: str) -> tuple[str | None, str]:
    """The next reference token (a quoted name, ``file:"name"`` or a bare word)."""
    quoted = _QUOTED.match(rest)
    if quoted:
        return rest[: quoted.end()], rest[quoted.end() :]
    bare = _BARE.match(rest)
    if not bare:
        return None, rest
    token, rest = bare.group(0).rstrip("."), rest[bare.end() :]
    if token.endswith(":"):
        follow = _QUOTED.match(rest)
        if follow:
            return token + rest[: follow.end()], rest[follow.end() :]
    return token, rest


def classify(kind: str | None, token: str) -> TestRef | BadRef:
    """Turn one token (and its optional prefix) into a reference, or say why it is not one."""
    text = f"{kind}: {token}" if kind else token
    if kind == "exunit" or (kind is None and token.startswith('"')):
        return _exunit(text, token)
    if kind == "rust" or (kind is None and _RUST_PATH.match(token) and ".py" not in token):
        return _rust(text, token)
    if kind in ("python", "pytest") or ".py::" in token:
        return _python(text, token)
    return BadRef(text, 'not a test reference (expected path.py::test, rust: a::b, exunit: "x")')


def _python(text: str, token: str) -> TestRef | BadRef:
    """``path.py::func`` or ``path.py::Class::method``."""
    parts = token.split("::")
    file, names = parts[0], tuple(parts[1:])
    if not file.endswith(".py") or not names or not all(_PY_NAME.match(n) for n in names):
        return BadRef(text, "a Python reference is path/to/test_file.py::test_name")
    if len(names) > 2:
        return BadRef(text, "a Python reference names a function or Class::method")
    stripped = (*names[:-1], names[-1].split("[", 1)[0])
    return TestRef("python", text, file=file.removeprefix("./"), names=stripped)


def _rust(text: str, token: str) -> TestRef | BadRef:
    """``crate::module::tests::name`` (at least a module and a function)."""
    if not _RUST_PATH.match(token):
        return BadRef(text, "a Rust reference is a module path such as crate::mod::tests::test_fn")
    return TestRef("rust", text, names=tuple(token.split("::")))


def _exunit(text: str, token: str) -> TestRef | BadRef:
    """``"name"`` or ``path_test.exs:"name"``."""
    file: str | None = None
    body = token
    if not body.startswith('"'):
        file, _, body = body.partition(":")
        if not file.endswith(".exs"):
            return BadRef(text, 'an ExUnit reference is "test name" or path_test.exs:"test name"')
    quoted = _QUOTED.fullmatch(body)
    if not quoted or not quoted.group(1).strip():
        return BadRef(text, "an ExUnit reference names the test in double quotes")
    name = quoted.group(1).replace('\\"', '"')
    return TestRef("exunit", text, file=file, names=(name,))
