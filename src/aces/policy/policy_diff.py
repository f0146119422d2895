"""Every difference between two policies, as dotted key paths (``tests.runners.rust.argv``).

``differences`` walks two ``Policy`` values (or any of their parts) in step:
dataclasses field by field, dicts key by key, and tuples either by entry name
(a tuple of dataclasses with a ``name`` field, such as ``[[tests.runners]]``)
or as sets of items. Each difference is ``added`` (only the head has it),
``removed`` (only the base has it) or ``changed``. The walk knows nothing of
which way is stricter; the ratchet and the SemVer rule read its output.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
# Argument vectors: their items mean something only in order, so they change as a whole.
COMMAND_KEYS = frozenset({"argv", "coverage_argv", "command", "commands", "test_command"})


@dataclass(frozen=True, order=True)
class Difference:
    """One key whose value differs: how, and the two values as text (``""`` when absent)."""

    key: str
    kind: str  # ADDED, REMOVED or CHANGED
    before: str = ""
    after: str = ""

    def describe(self) -> str:
        """A short phrase: ``added 'x'``, ``removed 'x'``, ``changed 'a' -> 'b'``."""
        if self.kind == ADDED:
            return f"adds {self.after}"
        if self.kind == REMOVED:
            return f"removes {self.before}"
        return f"changes {self.before} -> {self.after}"


@dataclass(frozen=True, order=True)
class Loosening:
    """One setting that the head policy relaxes against the base (``gov.only-stricter``)."""

    key: str  # dotted key path, e.g. "thresholds.core_coverage_percent"
    message: str
    clause: str  # the doctrine clause the setting serves

    def render(self) -> str:
        """``key: message [clause]``."""
        return f"{self.key}: {self.message} [{self.clause}]"


def differences(base: Any, head: Any, key: str = "") -> list[Difference]:
    """Every difference between ``base`` and ``head`` below ``key``, sorted."""
    if base == head:
        return []
    if dataclasses.is_dataclass(base) and type(base) is type(head):
        found: list[Difference] = []
        for f in dataclasses.fields(base):
            found += differences(getattr(base, f.name), getattr(head, f.name), join(key, f.name))
        return sorted(found)
    if isinstance(base, dict) and isinstance(head, dict):
        return sorted(_dict_differences(base, head, key))
    if isinstance(base, tuple) and isinstance(head, tuple):
        if key.rpartition(".")[2] in COMMAND_KEYS:
            return [Difference(key, CHANGED, show(base), show(head))]
        if (base or head) and _named(base) and _named(head):
            return sorted(_named_differences(base, head, key))
        return sorted(_item_differences(base, head, key))
    return [Difference(key, CHANGED, show(base), show(head))]


def join(key: str, name: object) -> str:
    """``key.name`` (or ``name`` at the top)."""
    return f"{key}.{name}" if key else str(name)


def show(value: object) -> str:
    """A value as it reads in a message (``repr``, short)."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _dict_differences(base: dict[Any, Any], head: dict[Any, Any], key: str) -> list[Difference]:
    found: list[Difference] = []
    for name in sorted(set(base) | set(head), key=str):
        if name not in head:
            found.append(Difference(join(key, name), REMOVED, show(base[name])))
        elif name not in base:
            found.append(Difference(join(key, name), ADDED, after=show(head[name])))
        else:
            found += differences(base[name], head[name], join(key, name))
    return found


def _named(items: tuple[Any, ...]) -> bool:
    """Whether every item is a dataclass with a unique string ``name`` (an array of tables)."""
    names = [getattr(item, "name", None) for item in items]
    return (
        all(dataclasses.is_dataclass(item) for item in items)
        and all(isinstance(n, str) for n in names)
        and len(set(names)) == len(names)
    )


def _named_differences(base: tuple[Any, ...], head: tuple[Any, ...], key: str) -> list[Difference]:
    before = {item.name: item for item in base}
    after = {item.name: item for item in head}
    found: list[Difference] = []
    for name in sorted(set(before) | set(after)):
        if name not in after:
            found.append(Difference(join(key, name), REMOVED, repr(name)))
        elif name not in before:
            found.append(Difference(join(key, name), ADDED, after=repr(name)))
        else:
            found += differences(before[name], after[name], join(key, name))
    return found


def _item_differences(base: tuple[Any, ...], head: tuple[Any, ...], key: str) -> list[Difference]:
    # Items are compared by their text: entries may hold dicts and so not be hashable.
    before = [show(item) for item in base]
    after = [show(item) for item in head]
    found = [Difference(key, REMOVED, item) for item in sorted(set(before) - set(after))]
    found += [Difference(key, ADDED, after=item) for item in sorted(set(after) - set(before))]
    if not found:  # same items, another order or count
        found.append(Difference(key, CHANGED, show(base), show(head)))
    return found
