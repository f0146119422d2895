"""Lines of an API description that are examples: documentation, not configuration.

An OpenAPI or Swagger document (``openapi: 3.x`` / ``swagger: "2.0"``, in YAML or
pretty-printed JSON) describes an API; the values under its ``example`` /
``examples`` keys (of an operation, a parameter, a header, a schema, a media type)
show a caller what a request or a response looks like: ``example: "Bearer eyJ…"``
is a documented sample, not a credential the program uses. The same holds for an
API description written in code: a schema's or a parameter's ``example`` given to
the framework that publishes the description (``Field(example="Bearer eyJ…")``,
``@Schema(example = "…")``, ``@ApiProperty({ example: '…' })``,
``json_schema_extra={"examples": [{…}]}``). ``example_lines`` gives those lines; the
rest of the file keeps its file's context.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from aces.workspace.roles import SOURCE_SUFFIXES

EXTENSIONS = (".yaml", ".yml", ".json")
_DESCRIPTION = re.compile(
    rb"""(?mx)^(?:openapi|swagger)[ \t]*:[ \t]*["']?[23]\.
      | "(?:openapi|swagger)"[ \t]*:[ \t]*"[23]\."""
)
# A mapping key at the start of a line (YAML, or JSON with one member a line), a list
# item's dash aside; its column is the key's own.
_KEY = re.compile(r"""^(?P<lead>[ \t]*(?:-[ \t]+)?)["']?(?P<key>[^\s"':#{}\[\],]+)["']?[ \t]*:""")
# In code, a keyword argument or an assignment opens a key too (``example="…"``).
_CODE_KEY = re.compile(r"""^(?P<lead>[ \t]*)["']?(?P<key>[A-Za-z_][\w-]*)["']?[ \t]*(?::|=(?!=))""")
# An example key inside a one-line mapping (``{"type": "string", "example": "…"}``).
_INLINE_EXAMPLE = re.compile(r"""[{,][ \t]*["']?(?:x-)?examples?["']?[ \t]*:""", re.IGNORECASE)
# ... and, in code, an example argument of a call or an annotation (``Field(example=…)``).
_CODE_INLINE_EXAMPLE = re.compile(
    r"""[({,][ \t]*["']?(?:x-)?examples?["']?[ \t]*(?::|=(?!=))""", re.IGNORECASE
)
EXAMPLE_KEYS = frozenset({"example", "examples", "x-example", "x-examples"})


def is_api_description(path: str, data: bytes) -> bool:
    """Whether a YAML / JSON file is an OpenAPI or Swagger document."""
    return path.lower().endswith(EXTENSIONS) and _DESCRIPTION.search(data) is not None


def is_code(path: str) -> bool:
    """Whether a path is source code (where API descriptions are written as code)."""
    return PurePosixPath(path).suffix.lower() in SOURCE_SUFFIXES


def example_lines(path: str, data: bytes) -> frozenset[int]:
    """1-based lines of an API description holding an ``example`` / ``examples`` key (at
    the line's start or inside a one-line mapping or call) or nested under one; none for
    a YAML / JSON file that is no API description or a file of another kind."""
    if is_code(path):
        return _nested_example_lines(data, _CODE_KEY, _CODE_INLINE_EXAMPLE)
    if not is_api_description(path, data):
        return frozenset()
    return _nested_example_lines(data, _KEY, _INLINE_EXAMPLE)


def _nested_example_lines(
    data: bytes, key_pattern: re.Pattern[str], inline: re.Pattern[str]
) -> frozenset[int]:
    """Lines with an example key, or indented under one (a key's block ends at the next
    line indented no deeper than the key)."""
    found: set[int] = set()
    open_keys: list[tuple[int, str]] = []  # (column, key) of the keys enclosing this line
    for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key = key_pattern.match(line)
        column = len(key.group("lead")) if key else len(line) - len(line.lstrip())
        while open_keys and open_keys[-1][0] >= column:
            open_keys.pop()
        inside = any(name in EXAMPLE_KEYS for _, name in open_keys)
        inside = inside or inline.search(line) is not None
        if key:
            name = key.group("key").lower()
            inside = inside or name in EXAMPLE_KEYS
            open_keys.append((column, name))
        if inside:
            found.add(number)
    return frozenset(found)
