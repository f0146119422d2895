"""Golden vectors: recorded bytes of wire envelopes still decode with the head schema.

For each message the policy lists as a wire envelope there is a folder
``<golden_dir>/<message full name>/`` of ``*.binpb`` files (serialized messages
recorded from a released version). Each must parse with the head schema and
leave no unknown field anywhere in the tree: an unknown field means the head
schema lost or retyped something the old bytes carry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from google.protobuf import descriptor_pb2 as pb
from google.protobuf import descriptor_pool, message, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.unknown_fields import UnknownFieldSet

VECTOR_SUFFIX = ".binpb"


@dataclass(frozen=True)
class VectorProblem:
    """Why one envelope or vector fails: a kind (missing, no-message, decode, unknown-fields)."""

    kind: str
    envelope: str
    path: str  # the vector file, or "" when the envelope has none
    message: str


def build_pool(image: pb.FileDescriptorSet) -> descriptor_pool.DescriptorPool:
    """A descriptor pool holding every file of the image (imports come first in an image)."""
    pool = descriptor_pool.DescriptorPool()
    for proto in image.file:
        pool.Add(proto)
    return pool


def vector_files(files: Sequence[str], golden_dir: str, envelope: str) -> tuple[str, ...]:
    """The vector files of one envelope, sorted."""
    folder = f"{golden_dir.strip('/')}/{envelope}/"
    return tuple(f for f in files if f.startswith(folder) and f.endswith(VECTOR_SUFFIX))


def check_vectors(
    pool: descriptor_pool.DescriptorPool,
    envelopes: Sequence[str],
    golden_dir: str,
    files: Sequence[str],
    read_bytes: Callable[[str], bytes],
) -> list[VectorProblem]:
    """Every problem with the envelopes' golden vectors."""
    problems: list[VectorProblem] = []
    for envelope in envelopes:
        try:
            descriptor = pool.FindMessageTypeByName(envelope)
        except KeyError:
            problems.append(
                VectorProblem("no-message", envelope, "", f"no message {envelope} in the schema")
            )
            continue
        vectors = vector_files(files, golden_dir, envelope)
        if not vectors:
            problems.append(
                VectorProblem(
                    "missing", envelope, "",
                    f"wire envelope {envelope} has no golden vector "
                    f"({golden_dir.strip('/')}/{envelope}/*{VECTOR_SUFFIX})",
                )
            )  # fmt: skip
        for path in vectors:
            problem = _decode(descriptor, envelope, path, read_bytes(path))
            if problem is not None:
                problems.append(problem)
    return problems


def _decode(descriptor: Descriptor, envelope: str, path: str, data: bytes) -> VectorProblem | None:
    """The problem of one vector, or None when it decodes cleanly."""
    cls = message_factory.GetMessageClass(descriptor)
    msg = cls()
    try:
        msg.ParseFromString(data)
    except message.DecodeError as exc:
        return VectorProblem(
            "decode", envelope, path, f"{path} no longer decodes as {envelope}: {exc}"
        )
    unknown = _unknown_fields(msg, envelope)
    if unknown:
        return VectorProblem(
            "unknown-fields", envelope, path,
            f"{path} decodes as {envelope} with fields the head schema does not know: "
            + ", ".join(unknown),
        )  # fmt: skip
    return None


def _unknown_fields(msg: message.Message, where: str) -> list[str]:
    """``where#number`` of every unknown field in the message tree."""
    unknown = UnknownFieldSet(msg)
    found = [f"{where}#{unknown[i].field_number}" for i in range(len(unknown))]
    for field, value in msg.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        name = f"{where}.{field.name}"
        if _is_map(field):
            values = list(value.values()) if _map_of_messages(field) else []
        elif field.is_repeated:
            values = list(value)
        else:
            values = [value]
        for item in values:
            found.extend(_unknown_fields(item, name))
    return found


def _is_map(field: FieldDescriptor) -> bool:
    """Whether the field is a map (a repeated synthetic entry message)."""
    entry = field.message_type
    return entry is not None and entry.GetOptions().map_entry


def _map_of_messages(field: FieldDescriptor) -> bool:
    """Whether a map's values are messages."""
    entry = field.message_type
    return entry is not None and entry.fields_by_name["value"].type == FieldDescriptor.TYPE_MESSAGE
