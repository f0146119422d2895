"""What protoc's Python output says about its source, read from the syntax tree.

A ``*_pb2.py`` module embeds the serialized ``FileDescriptorProto`` of its
``.proto`` (``AddSerializedFile(b'...')``, or ``serialized_pb=b'...'`` in the
older generator's output); its ``name`` is the proto's path relative to the
import root. A ``*_pb2.pyi`` stub and a ``*_pb2_grpc.py`` module carry no
descriptor: they are compared by their shape (the stub's classes and their
declared names; the gRPC module's method paths ``/pkg.Service/Method``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from google.protobuf import descriptor_pb2 as pb
from google.protobuf.message import DecodeError

PB2 = "_pb2.py"
PYI = "_pb2.pyi"
GRPC = "_pb2_grpc.py"
GENERATED_SUFFIXES: tuple[str, ...] = (PB2, PYI, GRPC)
# The keyword of the descriptor bytes in the pre-3.20 generator's output.
SERIALIZED_KEYWORD = "serialized_pb"
ADD_SERIALIZED = "AddSerializedFile"
FIELD_NUMBER = "_FIELD_NUMBER"
# A gRPC method path as grpc_tools writes it: '/<package>.<Service>/<Method>'.
METHOD_PATH = re.compile(r"^/[\w.]+/\w+$")


class GeneratedCodeError(ValueError):
    """A generated module that cannot be read (not Python, no or bad descriptor)."""


@dataclass(frozen=True)
class GeneratedModule:
    """One generated file and the ``_pb2.py`` module that names its source."""

    path: str
    kind: str  # one of GENERATED_SUFFIXES
    descriptor_module: str  # the sibling ``_pb2.py`` (the path itself for a ``_pb2.py``)


def generated_modules(paths: tuple[str, ...]) -> tuple[GeneratedModule, ...]:
    """The protobuf / gRPC Python modules among ``paths``, sorted."""
    found = []
    for path in sorted(paths):
        kind = next((s for s in GENERATED_SUFFIXES if path.endswith(s)), None)
        if kind is not None:
            found.append(GeneratedModule(path, kind, path[: -len(kind)] + PB2))
    return tuple(found)


def embedded_descriptor(source: str, path: str) -> pb.FileDescriptorProto:
    """The ``FileDescriptorProto`` a ``_pb2.py`` module embeds.

    Raises ``GeneratedCodeError`` when the module does not parse, holds no
    descriptor bytes, or the bytes are no FileDescriptorProto.
    """
    tree = _parse(source, path)
    data = _descriptor_bytes(tree)
    if data is None:
        raise GeneratedCodeError(
            f"holds no serialized descriptor ({ADD_SERIALIZED}(b'...') or {SERIALIZED_KEYWORD}=)"
        )
    try:
        proto = pb.FileDescriptorProto.FromString(data)
    except DecodeError as exc:
        raise GeneratedCodeError(f"its serialized descriptor does not decode ({exc})") from exc
    if not proto.name:
        raise GeneratedCodeError("its serialized descriptor names no .proto file")
    return proto


def _descriptor_bytes(tree: ast.AST) -> bytes | None:
    """The first bytes literal passed to ``AddSerializedFile`` or as ``serialized_pb=``."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == ADD_SERIALIZED and node.args:
            value = _bytes_literal(node.args[0])
            if value is not None:
                return value
        for keyword in node.keywords:
            if keyword.arg == SERIALIZED_KEYWORD:
                value = _bytes_literal(keyword.value)
                if value is not None:
                    return value
    return None


def _bytes_literal(node: ast.expr) -> bytes | None:
    """A bytes constant (concatenated literals are one constant in the tree)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, bytes):
        return node.value
    return None


def descriptor_shape(proto: pb.FileDescriptorProto) -> frozenset[str]:
    """What every stub generator writes for a descriptor: a class per message and enum
    (nested as in the schema) and a ``<FIELD>_FIELD_NUMBER`` constant per field.

    protoc's ``--pyi_out`` and mypy-protobuf agree on these names, and differ on the
    rest (helper classes, enum wrappers), which is therefore not compared.
    """
    shape: set[str] = {enum.name for enum in proto.enum_type}
    for message in proto.message_type:
        _message_shape(message, "", shape)
    return frozenset(shape)


def _message_shape(message: pb.DescriptorProto, prefix: str, shape: set[str]) -> None:
    name = f"{prefix}{message.name}"
    shape.add(name)
    shape.update(f"{name}.{field.name.upper()}{FIELD_NUMBER}" for field in message.field)
    shape.update(f"{name}.{enum.name}" for enum in message.enum_type)
    for nested in message.nested_type:
        _message_shape(nested, f"{name}.", shape)


def stub_shape(source: str, path: str) -> frozenset[str]:
    """A ``.pyi`` stub's classes and the names each declares, as ``Outer.Inner.name``."""
    tree = _parse(source, path)
    shape: set[str] = set()
    _collect_classes(tree.body, "", shape)
    return frozenset(shape)


def _collect_classes(body: list[ast.stmt], prefix: str, shape: set[str]) -> None:
    for node in body:
        if not isinstance(node, ast.ClassDef):
            continue
        name = f"{prefix}{node.name}"
        shape.add(name)
        for item in node.body:
            if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                shape.add(f"{name}.{item.target.id}")
            elif isinstance(item, ast.Assign):
                shape.update(f"{name}.{t.id}" for t in item.targets if isinstance(t, ast.Name))
        _collect_classes(node.body, f"{name}.", shape)


def grpc_methods(source: str, path: str) -> frozenset[str]:
    """The method paths (``/pkg.Service/Method``) a ``_pb2_grpc.py`` module serves or calls."""
    tree = _parse(source, path)
    return frozenset(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and METHOD_PATH.match(node.value)
    )


def _parse(source: str, path: str) -> ast.Module:
    """The syntax tree of a generated module; one that does not parse is a GeneratedCodeError."""
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as exc:
        raise GeneratedCodeError(
            f"does not parse as Python ({exc.msg}, line {exc.lineno})"
        ) from exc
