"""Reading a permission matrix (YAML or TOML) with the line of every entry.

The format (``docs/security-rules.md``)::

    default: deny
    roles:
      admin:
        "*": allow
      publisher:
        "bus:publish": allow
        "rpc:arqonbus.v1.Bus/Publish": deny

or the same in TOML (``default = "deny"``, ``[roles.publisher]``). An action
key may end in ``*`` to cover a namespace (``bus:*``) or be ``*`` alone. A file
that does not parse, or whose shape is wrong, raises ``MatrixError`` naming the
line; a wrong value of one entry is kept and reported by the rules.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

import yaml

from aces.nesting import NestingError, parse_bounded
from aces.policy.locate import locate


class MatrixError(ValueError):
    """The matrix cannot be read; ``line`` is where (1 when unknown)."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Entry:
    """One role x action cell: its raw value and line."""

    action: str
    value: str
    line: int


@dataclass(frozen=True)
class Role:
    """A role, the line that names it, and its entries."""

    name: str
    line: int
    entries: tuple[Entry, ...]

    def entry(self, action: str) -> Entry | None:
        """The entry naming exactly ``action``."""
        return next((e for e in self.entries if e.action == action), None)

    def covering(self, action: str) -> Entry | None:
        """The entry deciding ``action``: exact, else the longest matching wildcard."""
        exact = self.entry(action)
        if exact is not None:
            return exact
        wild = [e for e in self.entries if is_wildcard(e.action) and covers(e.action, action)]
        return max(wild, key=lambda e: len(e.action), default=None)


@dataclass(frozen=True)
class Matrix:
    """A parsed matrix: the declared default (None when absent) and the roles."""

    default: str | None
    default_line: int
    roles: tuple[Role, ...]

    def role(self, name: str) -> Role | None:
        """The role called ``name``."""
        return next((r for r in self.roles if r.name == name), None)

    def allows(self, role: str, action: str) -> bool:
        """Whether ``role`` may perform ``action`` (only an explicit allow, or default allow)."""
        found = self.role(role)
        entry = found.covering(action) if found is not None else None
        if entry is not None:
            return entry.value == "allow"
        return self.default == "allow"


def is_wildcard(action: str) -> bool:
    """Whether an action key is a wildcard (``*`` or ``prefix*``)."""
    return action.endswith("*")


def covers(pattern: str, action: str) -> bool:
    """Whether a wildcard key covers ``action`` (``*`` covers everything)."""
    return action.startswith(pattern[:-1])


def _text(value: object) -> str:
    """An entry value as text: YAML booleans become ``true`` / ``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_matrix(path: str, text: str) -> Matrix:
    """Parse a matrix file, YAML unless its name ends in ``.toml``."""
    if path.endswith(".toml"):
        return _parse_toml(text)
    return _parse_yaml(text)


def _parse_yaml(text: str) -> Matrix:
    """The YAML form, lines from the composed node tree."""
    try:
        root = parse_bounded(
            lambda t: yaml.compose(t, Loader=yaml.SafeLoader), text, "matrix", "yaml"
        )
    except NestingError as exc:
        raise MatrixError(exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MatrixError(
            f"YAML does not parse: {getattr(exc, 'problem', None) or exc}",
            int(mark.line) + 1 if mark is not None else 1,
        ) from exc
    if not isinstance(root, yaml.MappingNode):
        raise MatrixError("expected a mapping with 'default' and 'roles'")
    default: str | None = None
    default_line = 1
    roles_node: yaml.Node | None = None
    for key, value in root.value:
        if key.value == "default":
            default, default_line = _scalar_text(value), key.start_mark.line + 1
        elif key.value == "roles":
            roles_node = value
        else:
            raise MatrixError(
                f"unknown key {key.value!r}; expected 'default' or 'roles'", key.start_mark.line + 1
            )
    return Matrix(default, default_line, _yaml_roles(roles_node))


def _scalar_text(node: yaml.Node) -> str:
    """The text of a scalar node, resolved as YAML would (``true`` stays ``true``)."""
    if not isinstance(node, yaml.ScalarNode):
        raise MatrixError("expected 'allow' or 'deny'", node.start_mark.line + 1)
    if node.tag == "tag:yaml.org,2002:bool":
        return "true" if str(node.value).lower() in ("true", "yes", "on", "y") else "false"
    return str(node.value)


def _yaml_roles(node: yaml.Node | None) -> tuple[Role, ...]:
    """The roles mapping."""
    if node is None:
        return ()
    if not isinstance(node, yaml.MappingNode):
        raise MatrixError("'roles' must map role names to their entries", node.start_mark.line + 1)
    roles: list[Role] = []
    for key, value in node.value:
        line = key.start_mark.line + 1
        if not isinstance(value, yaml.MappingNode):
            if isinstance(value, yaml.ScalarNode) and value.value in ("", "null", "~"):
                roles.append(Role(str(key.value), line, ()))
                continue
            raise MatrixError(f"role {key.value!r} must map actions to allow / deny", line)
        entries = tuple(
            Entry(str(k.value), _scalar_text(v), k.start_mark.line + 1) for k, v in value.value
        )
        roles.append(Role(str(key.value), line, entries))
    return tuple(roles)


def _parse_toml(text: str) -> Matrix:
    """The TOML form, lines from the policy locator."""
    try:
        data = parse_bounded(tomllib.loads, text, "matrix", "toml")
    except NestingError as exc:
        raise MatrixError(exc.message) from None
    except tomllib.TOMLDecodeError as exc:
        raise MatrixError(f"TOML does not parse: {exc}", getattr(exc, "lineno", 1) or 1) from exc
    index = locate(text)
    unknown = sorted(set(data) - {"default", "roles"})
    if unknown:
        raise MatrixError(
            f"unknown key {unknown[0]!r}; expected 'default' or 'roles'",
            index.line_of((unknown[0],)),
        )
    roles_value = data.get("roles", {})
    if not isinstance(roles_value, dict):
        raise MatrixError("'roles' must be a table of role tables", index.line_of(("roles",)))
    roles: list[Role] = []
    for name, table in roles_value.items():
        if not isinstance(table, dict):
            raise MatrixError(
                f"role {name!r} must be a table of actions", index.line_of(("roles", name))
            )
        entries = tuple(
            Entry(action, _text(value), index.line_of(("roles", name, action)))
            for action, value in table.items()
        )
        roles.append(Role(name, index.line_of(("roles", name)), entries))
    default = data.get("default")
    return Matrix(
        None if default is None else _text(default), index.line_of(("default",)), tuple(roles)
    )
