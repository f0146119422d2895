"""Values that name where a secret comes from instead of holding one.

A rule's regex sees ``key = "value"``; some values are references the program or
the platform resolves, never literals:

- ``env(NAME)`` (Supabase's ``config.toml``, Symfony's ``%env(NAME)%`` with its
  processors ``%env(resolve:NAME)%``): the variable ``NAME`` of the environment,
  also on a commented-out line;
- ``secrets: inherit`` in a GitHub workflow's reusable-workflow call: the caller
  passes its own secrets on; ``inherit`` is a keyword, not a value;
- a whole value that is one format field (``postgres://app:{password}@db`` in a
  Python f-string or ``str.format``, Rust's ``format!``, C#'s ``$"…"``): the
  program puts a variable there.

The placeholder shapes of the rule file's ``[allowlist] secrets`` (``${VAR}``,
``{{ … }}``) are the others; these are the ones whose syntax needs their line.
"""

from __future__ import annotations

import re

from aces.engines.secrets.matcher import Match

_ENV_FUNCTION = re.compile(rb"^%?env\((?:[A-Za-z][\w-]*:)*[A-Za-z_][A-Za-z0-9_]*\)%?$")
_FORMAT_FIELD = re.compile(rb"^\{(?:[A-Za-z_][A-Za-z0-9_.]*|\d*)(?:![rsa])?(?::[^{}]*)?\}$")
_INHERIT = re.compile(rb"""^[ \t]*["']?secrets["']?[ \t]*:[ \t]*["']?inherit["']?[ \t]*(?:#.*)?$""")


def is_reference(match: Match, buffer: bytes) -> bool:
    """Whether a match's value is a reference to a secret held elsewhere (see above)."""
    if _ENV_FUNCTION.match(match.secret) or _FORMAT_FIELD.match(match.secret):
        return True
    start = buffer.rfind(b"\n", 0, match.start) + 1
    end = buffer.find(b"\n", match.end)
    line = buffer[start : len(buffer) if end == -1 else end].rstrip(b"\r")
    return _INHERIT.match(line) is not None


def without_references(matches: list[Match], buffer: bytes) -> list[Match]:
    """``matches`` without those whose value is a reference."""
    return [match for match in matches if not is_reference(match, buffer)]
