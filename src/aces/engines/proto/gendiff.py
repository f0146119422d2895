"""How a committed module's descriptor differs from the one its ``.proto`` compiles to.

The comparison is semantic: two ``FileDescriptorProto`` messages, not the bytes
of two files (protoc versions lay out the Python code differently). The
differences are named element by element (messages, fields, enums and their
values, services and their methods), in a stable order; whatever else differs
(options, imports, syntax) is named by the descriptor field that differs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Protocol

from google.protobuf import descriptor_pb2 as pb


class _Named(Protocol):
    @property
    def name(self) -> str: ...


PROTO2 = "proto2"
# The element lists of a descriptor compared name by name, and the word for each.
_MESSAGE_PARTS = (
    ("field", "field"),
    ("nested_type", "message"),
    ("enum_type", "enum"),
    ("oneof_decl", "oneof"),
)
_FILE_PARTS = (
    ("message_type", "message"),
    ("enum_type", "enum"),
    ("service", "service"),
)


def differences(committed: pb.FileDescriptorProto, source: pb.FileDescriptorProto) -> list[str]:
    """What ``source`` (freshly compiled) has that ``committed`` lacks or has otherwise."""
    committed, source = _normalized(committed), _normalized(source)
    if committed == source:
        return []
    found = list(_container("", "file", committed, source, _FILE_PARTS))
    if not found:
        found = [
            f"the descriptor's `{f.name}` differs"
            for f in pb.FileDescriptorProto.DESCRIPTOR.fields
            if getattr(committed, f.name) != getattr(source, f.name)
        ]
    return found


def _normalized(proto: pb.FileDescriptorProto) -> pb.FileDescriptorProto:
    """A copy without what protoc versions spell differently for the same schema.

    ``syntax = "proto2"`` is the default some protoc versions write and others leave
    unset; source info is never embedded by the Python generator but may be in a
    descriptor set.
    """
    copy = pb.FileDescriptorProto()
    copy.CopyFrom(proto)
    if copy.syntax == PROTO2:
        copy.ClearField("syntax")
    copy.ClearField("source_code_info")
    return copy


def _container(
    label: str,
    word: str,
    committed: object,
    source: object,
    parts: Sequence[tuple[str, str]],
) -> Iterator[str]:
    """Differences of the element lists ``parts`` of two descriptors of one element."""
    for attribute, kind in parts:
        old = _by_name(getattr(committed, attribute))
        new = _by_name(getattr(source, attribute))
        yield from _compare_lists(label, word, kind, old, new)


def _compare_lists(
    label: str, word: str, kind: str, old: dict[str, object], new: dict[str, object]
) -> Iterator[str]:
    owner = f"{word} {label}" if label else "the .proto"
    for name in sorted(new.keys() - old.keys()):
        yield f"{owner} has {kind} `{name}` the committed module lacks"
    for name in sorted(old.keys() - new.keys()):
        yield f"the committed module has {kind} `{name}` that {owner} no longer has"
    for name in sorted(old.keys() & new.keys()):
        if old[name] != new[name]:
            full = f"{label}.{name}" if label else name
            yield from _changed(full, kind, old[name], new[name])


def _changed(full: str, kind: str, old: object, new: object) -> Iterator[str]:
    """Differences inside one element present on both sides."""
    inner: list[str] = []
    if kind == "message":
        inner = list(_container(full, "message", old, new, _MESSAGE_PARTS))
    elif kind == "enum":
        inner = list(_compare_lists(full, "enum", "value", _values(old), _values(new)))
    elif kind == "service":
        inner = list(_compare_lists(full, "service", "method", _methods(old), _methods(new)))
    if inner:
        yield from inner
    else:
        yield f"{kind} `{full}` is defined differently in the .proto"


def _by_name(items: Sequence[_Named]) -> dict[str, object]:
    return {item.name: item for item in items}


def _values(enum: object) -> dict[str, object]:
    assert isinstance(enum, pb.EnumDescriptorProto)
    return _by_name(enum.value)


def _methods(service: object) -> dict[str, object]:
    assert isinstance(service, pb.ServiceDescriptorProto)
    return _by_name(service.method)
