"""Generated protobuf Python code read from its syntax tree, and descriptors compared."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import descriptor_pb2 as pb
from tests.unit.proto.conftest import compile_text

from aces.engines.proto.gencode import (
    GeneratedCodeError,
    descriptor_shape,
    embedded_descriptor,
    generated_modules,
    grpc_methods,
    stub_shape,
)
from aces.engines.proto.gendiff import differences
from aces.engines.proto.regen import include_roots, locate, output_name, output_root
from aces.stages.schema_generated import stub_differences

BASE = (
    'syntax = "proto3";\npackage acme.v1;\n'
    "message Envelope {\n  string id = 1;\n  message Meta {\n    int32 hops = 1;\n  }\n}\n"
    "enum Kind {\n  KIND_UNSPECIFIED = 0;\n  KIND_EVENT = 1;\n}\n"
    "service Bus {\n  rpc Send(Envelope) returns (Envelope);\n}\n"
)


def descriptor(tmp_path: Path, text: str) -> pb.FileDescriptorProto:
    image = pb.FileDescriptorSet.FromString(compile_text(tmp_path, text, "t.proto"))
    proto = image.file[-1]
    proto.ClearField("source_code_info")
    return proto


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("string id = 1;\n", "string id = 1;\n  int64 ttl = 2;\n",
         "message Envelope has field `ttl` the committed module lacks"),
        ("  string id = 1;\n", "", "the committed module has field `id` that message "
         "Envelope no longer has"),
        ("string id = 1;", "bytes id = 1;", "field `Envelope.id` is defined differently"),
        ("int32 hops = 1;", "int32 hops = 1;\n    bool seen = 2;",
         "message Envelope.Meta has field `seen`"),
        ("KIND_EVENT = 1;", "KIND_EVENT = 1;\n  KIND_ACK = 2;",
         "enum Kind has value `KIND_ACK`"),
        ("returns (Envelope);", "returns (Envelope);\n  rpc Ack(Envelope) returns (Envelope);",
         "service Bus has method `Ack`"),
        ("}\nenum Kind", "}\nmessage Extra {}\nenum Kind", "the .proto has message `Extra`"),
    ],
)  # fmt: skip
def test_each_difference_is_named(tmp_path: Path, old: str, new: str, expected: str) -> None:
    committed = descriptor(tmp_path / "a", BASE)
    source = descriptor(tmp_path / "b", BASE.replace(old, new, 1))
    found = differences(committed, source)
    assert any(expected in d for d in found), found


def test_equal_descriptors_have_no_difference(tmp_path: Path) -> None:
    assert differences(descriptor(tmp_path / "a", BASE), descriptor(tmp_path / "b", BASE)) == []


def test_a_file_level_difference_names_the_descriptor_field(tmp_path: Path) -> None:
    committed = descriptor(tmp_path / "a", BASE)
    source = descriptor(
        tmp_path / "b",
        BASE.replace("package acme.v1;", 'package acme.v1;\noption go_package = "x";'),
    )
    # the named elements agree: the file's options differ
    assert differences(committed, source) == ["the descriptor's `options` differs"]


def test_the_descriptor_is_read_from_either_generator_style() -> None:
    data = pb.FileDescriptorProto(name="a/b.proto", package="a").SerializeToString()
    new_style = f"DESCRIPTOR = _pool.Default().AddSerializedFile({data!r})\n"
    old_style = (
        f"DESCRIPTOR = _descriptor.FileDescriptor(name='a/b.proto', serialized_pb={data!r})\n"
    )
    assert embedded_descriptor(new_style, "b_pb2.py").name == "a/b.proto"
    assert embedded_descriptor(old_style, "b_pb2.py").package == "a"


@pytest.mark.parametrize(
    "text",
    ["VALUE = 1\n", "def (:\n", "D = AddSerializedFile(b'\\xff\\xff')\n",
     "D = AddSerializedFile(b'')\n"],
)  # fmt: skip
def test_a_module_without_a_readable_descriptor_is_an_error(text: str) -> None:
    with pytest.raises(GeneratedCodeError):
        embedded_descriptor(text, "x_pb2.py")


def test_stub_shape_and_grpc_methods() -> None:
    stub = (
        "class A(_m.Message):\n    X_FIELD_NUMBER: int\n    x: str\n    class B:\n        y: int\n"
    )
    assert stub_shape(stub, "a_pb2.pyi") == {"A", "A.X_FIELD_NUMBER", "A.x", "A.B", "A.B.y"}
    grpc = "s = channel.unary_unary('/acme.v1.Bus/Send')\nPATH = '/not a method'\n"
    assert grpc_methods(grpc, "a_pb2_grpc.py") == {"/acme.v1.Bus/Send"}


def test_modules_are_grouped_by_their_pb2_module() -> None:
    found = generated_modules(("g/a_pb2_grpc.py", "g/a_pb2.py", "g/a_pb2.pyi", "g/b.py"))
    assert [(m.path, m.descriptor_module) for m in found] == [
        ("g/a_pb2.py", "g/a_pb2.py"),
        ("g/a_pb2.pyi", "g/a_pb2.py"),
        ("g/a_pb2_grpc.py", "g/a_pb2.py"),
    ]


def test_the_source_nearest_to_the_module_is_chosen() -> None:
    files = ("vendor/x/proto/acme/v1/t.proto", "svc/proto/acme/v1/t.proto", "lib/common/v1/m.proto")
    source = locate("acme/v1/t.proto", files, "svc/gen/acme/v1/t_pb2.py")
    assert source is not None and (source.path, source.root) == (
        "svc/proto/acme/v1/t.proto",
        "svc/proto",
    )
    assert locate("acme/v1/none.proto", files, "x_pb2.py") is None
    roots = include_roots(source, ("common/v1/m.proto", "google/protobuf/any.proto"), files)
    assert roots == ["svc/proto", "lib"]
    assert locate("t.proto", ("t.proto",), "t_pb2.py") is not None
    assert output_name("acme/v1/my-thing.proto", "_pb2.py") == "acme/v1/my_thing_pb2.py"
    assert output_name("acme/v0.1/t.proto", "_pb2.pyi") == "acme/v0/1/t_pb2.pyi"


def test_proto2_written_or_left_unset_is_the_same_schema() -> None:
    written = pb.FileDescriptorProto(name="a.proto", syntax="proto2")
    assert differences(pb.FileDescriptorProto(name="a.proto"), written) == []


@pytest.mark.parametrize(
    ("path", "name", "out"),
    [
        ("gen/acme/v1/t_pb2.py", "acme/v1/t.proto", "gen"),
        ("acme/v1/t_pb2.py", "acme/v1/t.proto", "."),
        ("py/acme/v0/1/t_pb2.py", "acme/v0.1/t.proto", "py"),
        ("elsewhere/t_pb2.py", "acme/v1/t.proto", "elsewhere"),
    ],
)
def test_the_regenerate_command_writes_the_module_where_it_is(
    path: str, name: str, out: str
) -> None:
    assert output_root(path, name, "_pb2.py") == out


# A stub in the shape mypy-protobuf writes (helper classes, enum wrappers, aliases).
OTHER_STUB = """
import builtins
import typing

class _Kind:
    ValueType = typing.NewType("ValueType", builtins.int)

class _KindEnumTypeWrapper(typing.Any):
    KIND_UNSPECIFIED: _Kind.ValueType

class Kind(_Kind, metaclass=_KindEnumTypeWrapper): ...

@typing.final
class Envelope(typing.Any):
    @typing.final
    class Meta(typing.Any):
        HOPS_FIELD_NUMBER: builtins.int
        hops: builtins.int

    ID_FIELD_NUMBER: builtins.int
    id: builtins.str

global___Envelope = Envelope
"""


def test_a_stub_of_another_generator_is_compared_by_messages_and_fields(tmp_path: Path) -> None:
    source = descriptor(tmp_path / "a", BASE)
    assert stub_differences(stub_shape(OTHER_STUB, "t_pb2.pyi"), descriptor_shape(source)) == []
    grown = descriptor(
        tmp_path / "b", BASE.replace("string id = 1;", "string id = 1;\n  int64 ttl = 2;")
    )
    assert stub_differences(stub_shape(OTHER_STUB, "t_pb2.pyi"), descriptor_shape(grown)) == [
        "the .proto has `Envelope.TTL_FIELD_NUMBER` the committed stub lacks"
    ]
    shrunk = descriptor(tmp_path / "c", BASE.replace("    int32 hops = 1;\n", ""))
    assert stub_differences(stub_shape(OTHER_STUB, "t_pb2.pyi"), descriptor_shape(shrunk)) == [
        "the committed stub has `Envelope.Meta.HOPS_FIELD_NUMBER` for a field the .proto no "
        "longer has"
    ]
