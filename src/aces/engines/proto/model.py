"""A flat index of the elements of a descriptor image, keyed so base and head line up.

Each message, field, enum, enum value, service and RPC becomes an ``Element``
with its repository path, line and column (from the image's source info), its
leading comment, whether it is deprecated, and a digest of its own descriptor
(children left out) that tells whether it changed between two versions.

Keys identify an element across versions: a message, enum or service by its full
name, a field by its message and number (``pkg.Msg#3``), an enum value by its
enum and number, an RPC by ``pkg.Service/Method``. Synthetic map-entry messages
are left out: their fields belong to the map field.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from google.protobuf import descriptor_pb2 as pb
from google.protobuf.message import Message

# Field numbers of descriptor.proto, as used by SourceCodeInfo location paths.
_FILE_MESSAGE, _FILE_ENUM, _FILE_SERVICE = 4, 5, 6
_MESSAGE_FIELD, _MESSAGE_NESTED, _MESSAGE_ENUM = 2, 3, 4
_ENUM_VALUE = 2
_SERVICE_METHOD = 2

_SCALAR_EXCLUDED = (pb.FieldDescriptorProto.TYPE_MESSAGE, pb.FieldDescriptorProto.TYPE_GROUP)


@dataclass(frozen=True)
class Element:
    """One element of a schema version."""

    kind: str  # message, field, enum, enum_value, service, rpc
    key: str
    full_name: str
    path: str  # repository-relative .proto path
    line: int | None
    column: int | None
    comment: str
    deprecated: bool
    digest: bytes
    parent: str = ""  # key of the containing message / enum / service
    number: int | None = None
    json_name: str = ""
    syntax: str = "proto3"
    required: bool = False
    repeated: bool = False
    scalar: bool = False
    proto3_optional: bool = False
    in_oneof: bool = False

    @property
    def short_name(self) -> str:
        """The last component of the full name."""
        return self.full_name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Reserved:
    """Reserved numbers (inclusive ranges) and names of a message or enum."""

    ranges: tuple[tuple[int, int], ...] = ()
    names: frozenset[str] = frozenset()

    def has_number(self, number: int) -> bool:
        """Whether ``number`` is reserved."""
        return any(low <= number <= high for low, high in self.ranges)


@dataclass(frozen=True)
class SchemaIndex:
    """Every element of one schema version, plus the reserved ranges of containers."""

    elements: dict[str, Element] = field(default_factory=dict)
    reserved: dict[str, Reserved] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    order: tuple[Element, ...] = ()  # the elements in file and line order

    def ordered(self) -> tuple[Element, ...]:
        """The elements in file and line order."""
        return self.order


@dataclass(frozen=True)
class _FileView:
    """What the walk over one file needs to know about it."""

    proto: pb.FileDescriptorProto
    path: str
    syntax: str
    spans: dict[tuple[int, ...], tuple[int | None, int | None, str]]


def index_image(image: pb.FileDescriptorSet, prefix: str = "", only: frozenset[str] = frozenset()
                ) -> SchemaIndex:  # fmt: skip
    """Index the files of ``image``; ``prefix`` turns module-relative names into repo paths.

    ``only``, when given, limits the index to these module-relative file names (an
    image also holds the files it imports).
    """
    elements: dict[str, Element] = {}
    reserved: dict[str, Reserved] = {}
    files: list[str] = []
    for proto in image.file:
        if only and proto.name not in only:
            continue
        view = _FileView(proto, _join(prefix, proto.name), _syntax(proto), _spans(proto))
        files.append(view.path)
        for element, container_reserved in _walk_file(view):
            elements[element.key] = element
            if container_reserved is not None:
                reserved[element.key] = container_reserved
    order = tuple(sorted(elements.values(), key=lambda e: (e.path, e.line or 0, e.key)))
    return SchemaIndex(elements, reserved, tuple(sorted(files)), order)


def read_image(data: bytes) -> pb.FileDescriptorSet:
    """Decode image bytes (``buf build -o x.binpb``) as a FileDescriptorSet."""
    image = pb.FileDescriptorSet()
    image.ParseFromString(data)
    return image


def _join(prefix: str, name: str) -> str:
    """``proto`` + ``a/b.proto`` -> ``proto/a/b.proto``."""
    clean = prefix.strip("/")
    return f"{clean}/{name}" if clean and clean != "." else name


def _syntax(proto: pb.FileDescriptorProto) -> str:
    """proto2, proto3 or editions (an empty syntax field means proto2)."""
    return proto.syntax or "proto2"


Span = tuple[int | None, int | None, str]


def _spans(proto: pb.FileDescriptorProto) -> dict[tuple[int, ...], Span]:
    """Source path -> (1-based line, 1-based column, leading comment).

    Only element paths are kept; they have an even length (a name or type path
    ends in a field number and has an odd length), which is cheap to test first.
    """
    out: dict[tuple[int, ...], Span] = {}
    for location in proto.source_code_info.location:
        path = location.path
        if len(path) % 2:
            continue
        key = tuple(path)
        if key in out:
            continue
        span = location.span
        out[key] = (span[0] + 1, span[1] + 1, location.leading_comments)
    return out


def _digest(message: Message, clear: tuple[str, ...] = ()) -> bytes:
    """The deterministic bytes of a descriptor without its child collections."""
    copy = type(message)()
    copy.CopyFrom(message)
    for name in clear:
        copy.ClearField(name)
    data: bytes = copy.SerializeToString(deterministic=True)
    return data


def _walk_file(view: _FileView) -> Iterator[tuple[Element, Reserved | None]]:
    """Every element of one file with, for containers, their reserved ranges."""
    package = view.proto.package
    for i, message in enumerate(view.proto.message_type):
        yield from _walk_message(view, message, package, "", (_FILE_MESSAGE, i))
    for i, enum in enumerate(view.proto.enum_type):
        yield from _walk_enum(view, enum, package, "", (_FILE_ENUM, i))
    for i, service in enumerate(view.proto.service):
        yield from _walk_service(view, service, package, (_FILE_SERVICE, i))


def _name(scope: str, name: str) -> str:
    return f"{scope}.{name}" if scope else name


def _element(view: _FileView, source: tuple[int, ...], **values: object) -> Element:
    """An element placed at the span of ``source`` in the file of ``view``."""
    line, column, comment = view.spans.get(source, (None, None, ""))
    return Element(
        path=view.path, line=line, column=column, comment=comment, syntax=view.syntax,
        **values,  # type: ignore[arg-type]
    )  # fmt: skip


def _walk_message(
    view: _FileView, message: pb.DescriptorProto, scope: str, parent: str, source: tuple[int, ...]
) -> Iterator[tuple[Element, Reserved | None]]:
    """A message, its fields and its nested types (map entries are skipped)."""
    if message.options.map_entry:
        return
    full = _name(scope, message.name)
    ranges = tuple((r.start, r.end - 1) for r in message.reserved_range)  # end is exclusive
    yield (
        _element(
            view, source, kind="message", key=full, full_name=full, parent=parent,
            deprecated=message.options.deprecated,
            digest=_digest(message, ("field", "nested_type", "enum_type", "extension")),
        ),
        Reserved(ranges, frozenset(message.reserved_name)),
    )  # fmt: skip
    for i, fld in enumerate(message.field):
        yield _field(view, fld, full, (*source, _MESSAGE_FIELD, i)), None
    for i, nested in enumerate(message.nested_type):
        yield from _walk_message(view, nested, full, full, (*source, _MESSAGE_NESTED, i))
    for i, enum in enumerate(message.enum_type):
        yield from _walk_enum(view, enum, full, full, (*source, _MESSAGE_ENUM, i))


def _field(
    view: _FileView, fld: pb.FieldDescriptorProto, message: str, source: tuple[int, ...]
) -> Element:
    """One field of ``message``."""
    label = fld.label
    return _element(
        view, source, kind="field", key=f"{message}#{fld.number}",
        full_name=_name(message, fld.name), parent=message, deprecated=fld.options.deprecated,
        digest=_digest(fld), number=fld.number, json_name=fld.json_name,
        required=label == pb.FieldDescriptorProto.LABEL_REQUIRED,
        repeated=label == pb.FieldDescriptorProto.LABEL_REPEATED,
        scalar=fld.type not in _SCALAR_EXCLUDED,
        proto3_optional=fld.proto3_optional,
        in_oneof=fld.HasField("oneof_index") and not fld.proto3_optional,
    )  # fmt: skip


def _walk_enum(
    view: _FileView, enum: pb.EnumDescriptorProto, scope: str, parent: str, source: tuple[int, ...]
) -> Iterator[tuple[Element, Reserved | None]]:
    """An enum and its values."""
    full = _name(scope, enum.name)
    ranges = tuple((r.start, r.end) for r in enum.reserved_range)  # end is inclusive
    yield (
        _element(
            view, source, kind="enum", key=full, full_name=full, parent=parent,
            deprecated=enum.options.deprecated, digest=_digest(enum, ("value",)),
        ),
        Reserved(ranges, frozenset(enum.reserved_name)),
    )  # fmt: skip
    for i, value in enumerate(enum.value):
        # enum values are scoped as siblings of their enum in protobuf's naming
        yield (
            _element(
                view, (*source, _ENUM_VALUE, i), kind="enum_value",
                key=f"{full}#{value.number}:{value.name}", full_name=_name(full, value.name),
                parent=full, deprecated=value.options.deprecated, digest=_digest(value),
                number=value.number,
            ),
            None,
        )  # fmt: skip


def _walk_service(
    view: _FileView, service: pb.ServiceDescriptorProto, scope: str, source: tuple[int, ...]
) -> Iterator[tuple[Element, Reserved | None]]:
    """A service and its RPCs."""
    full = _name(scope, service.name)
    yield (
        _element(
            view, source, kind="service", key=full, full_name=full,
            deprecated=service.options.deprecated, digest=_digest(service, ("method",)),
        ),
        None,
    )  # fmt: skip
    for i, method in enumerate(service.method):
        yield (
            _element(
                view, (*source, _SERVICE_METHOD, i), kind="rpc", key=f"{full}/{method.name}",
                full_name=_name(full, method.name), parent=full,
                deprecated=method.options.deprecated, digest=_digest(method),
            ),
            None,
        )  # fmt: skip
