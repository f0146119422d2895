"""Lines of an API description that are examples: documentation, not configuration.

An OpenAPI or Swagger document (``openapi: 3.x`` / ``swagger: "2.0"``, in YAML or
pretty-printed JSON) describes an API; the values under its ``example`` /
``examples`` keys (of an operation, a parameter, a header, a schema, a media type)
show a caller what a request or a response looks like: ``example: "Bearer eyJ…"``
is a documented sample, not a credential the program uses. ``example_lines`` gives
those lines; the rest of the document keeps its file's context.
"""

from __future__ import annotations

import re

EXTENSIONS = (".yaml", ".yml", ".json")
_DESCRIPTION = re.compile(
    rb"""(?mx)^(?:openapi|swagger)[ \t]*:[ \t]*["']?[23]\.
      | "(?:openapi|swagger)"[ \t]*:[ \t]*"[23]\."""
)
# A mapping key at the start of a line (YAML, or JSON with one member a line), a list
# item's dash aside; its column is the key's own.
_KEY = re.compile(r"""^(?P<lead>[ \t]*(?:-[ \t]+)?)["']?(?P<key>[^\s"':#{}\[\],]+)["']?[ \t]*:""")
# An example key inside a one-line mapping (``{"type": "string", "example": "…"}``).
_INLINE_EXAMPLE = re.compile(r"""[{,][ \t]*["']?(?:x-)?examples?["']?[ \t]*:""", re.IGNORECASE)
EXAMPLE_KEYS = frozenset({"example", "examples", "x-example", "x-examples"})


def is_api_description(path: str, data: bytes) -> bool:
    """Whether a YAML / JSON file is an OpenAPI or Swagger document."""
    return path.lower().endswith(EXTENSIONS) and _DESCRIPTION.search(data) is not None


def example_lines(path: str, data: bytes) -> frozenset[int]:
    """1-based lines of an API description holding an ``example`` / ``examples`` key (at
    the line's start or inside a one-line mapping) or nested under one; none for any
    other file."""
    if not is_api_description(path, data):
        return frozenset()
    found: set[int] = set()
    open_keys: list[tuple[int, str]] = []  # (column, key) of the keys enclosing this line
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key = _KEY.match(line)
        column = len(key.group("lead")) if key else len(line) - len(line.lstrip())
        while open_keys and open_keys[-1][0] >= column:
            open_keys.pop()
        inside = any(name in EXAMPLE_KEYS for _, name in open_keys)
        inside = inside or _INLINE_EXAMPLE.search(line) is not None
        if key:
            name = key.group("key").lower()
            inside = inside or name in EXAMPLE_KEYS
            open_keys.append((column, name))
        if inside:
            found.add(number)
    return frozenset(found)
