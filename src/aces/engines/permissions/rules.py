"""The permission matrix rules: complete, deny by default, no stray wildcards, no silent grants.

``validate`` checks one matrix against the actions and the roles allowed
wildcards; ``gains`` lists the grants the head matrix makes that the base did
not (a role new in the head gains each of its allows). Each result is an
``Issue`` with a rule suffix, message and line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aces.engines.permissions.matrix import Matrix, Role, covers, is_wildcard

VALUES = frozenset({"allow", "deny"})


@dataclass(frozen=True)
class Issue:
    """One rule broken by the matrix: rule suffix, message, line in the matrix file."""

    rule: str  # "default", "value", "missing-entry", "unknown-action", "wildcard", "escalation"
    message: str
    line: int


def validate(matrix: Matrix, actions: Sequence[str], wildcard_roles: Sequence[str]) -> list[Issue]:
    """Every issue of one matrix under the policy."""
    issues = _default(matrix)
    known = frozenset(actions)
    for role in matrix.roles:
        issues.extend(_values(role))
        issues.extend(_wildcards(role, wildcard_roles))
        issues.extend(_unknown(role, known))
        issues.extend(_missing(role, actions))
    return sorted(issues, key=lambda i: (i.line, i.rule, i.message))


def _default(matrix: Matrix) -> list[Issue]:
    """The matrix must declare ``default: deny``."""
    if matrix.default is None:
        return [Issue("default", "the matrix declares no default; declare 'default: deny'", 1)]
    if matrix.default != "deny":
        return [
            Issue(
                "default",
                f"the default is {matrix.default!r}; permissions must be deny by default",
                matrix.default_line,
            )
        ]
    return []


def _values(role: Role) -> list[Issue]:
    """Each entry is ``allow`` or ``deny``."""
    return [
        Issue(
            "value",
            f"role {role.name!r}: {e.action!r} is {e.value!r}, expected allow or deny",
            e.line,
        )
        for e in role.entries
        if e.value not in VALUES
    ]


def _wildcards(role: Role, wildcard_roles: Sequence[str]) -> list[Issue]:
    """Only the policy's wildcard roles may hold an allowing wildcard."""
    if role.name in wildcard_roles:
        return []
    return [
        Issue(
            "wildcard",
            f"role {role.name!r} is granted {e.action!r}; only {_names(wildcard_roles)} may hold "
            "wildcard grants",
            e.line,
        )
        for e in role.entries
        if is_wildcard(e.action) and e.value == "allow"
    ]


def _unknown(role: Role, known: frozenset[str]) -> list[Issue]:
    """An entry naming an action no proto RPC or bus command defines is stale."""
    return [
        Issue(
            "unknown-action",
            f"role {role.name!r} names {e.action!r}, which is no proto RPC or listed bus command",
            e.line,
        )
        for e in role.entries
        if not is_wildcard(e.action) and e.action not in known
    ]


def _missing(role: Role, actions: Sequence[str]) -> list[Issue]:
    """Every action needs an entry (exact or wildcard) in every role."""
    return [
        Issue("missing-entry", f"role {role.name!r} has no entry for {action!r}", role.line)
        for action in actions
        if role.covering(action) is None
    ]


def _names(roles: Sequence[str]) -> str:
    """``'admin'`` / ``'admin', 'ops'`` / ``no role``."""
    return ", ".join(repr(r) for r in roles) if roles else "no role"


def gains(head: Matrix, base: Matrix | None) -> list[Issue]:
    """Allows in ``head`` that ``base`` did not grant (everything, when there is no base)."""
    issues: list[Issue] = []
    for role in head.roles:
        for entry in role.entries:
            if entry.value != "allow" or _granted_before(base, role.name, entry.action):
                continue
            issues.append(
                Issue(
                    "escalation",
                    f"role {role.name!r} gains {entry.action!r} without the required approval",
                    entry.line,
                )
            )
    return issues


def _granted_before(base: Matrix | None, role: str, action: str) -> bool:
    """Whether the base already granted ``action`` (a wildcard only by a covering wildcard)."""
    if base is None:
        return False
    if not is_wildcard(action):
        return base.allows(role, action)
    old = base.role(role)
    if old is None:
        return base.default == "allow"
    return any(
        e.value == "allow" and is_wildcard(e.action) and covers(e.action, action[:-1])
        for e in old.entries
    )
