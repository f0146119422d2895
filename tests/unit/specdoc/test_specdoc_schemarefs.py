"""Schema references: proto package and mentions by path, file name or package."""

from __future__ import annotations

import pytest

from aces.engines.specdoc.document import parse_spec
from aces.engines.specdoc.schemarefs import proto_package, references

PATH = "proto/arqonbus/v1/envelope.proto"


@pytest.mark.parametrize(
    ("text", "package"),
    [
        ('syntax = "proto3";\npackage arqonbus.v1;\n', "arqonbus.v1"),
        ("// package fake.one;\n/* package fake.two; */\npackage real.v2 ;\n", "real.v2"),
        ('syntax = "proto3";\nmessage X {}\n', None),
    ],
)
def test_proto_package(text: str, package: str | None) -> None:
    assert proto_package(text) == package


@pytest.mark.parametrize(
    "text",
    [
        "Changes `proto/arqonbus/v1/envelope.proto` field 9.",
        "The envelope.proto file gains a field.",
        "See arqonbus.v1.Envelope.",
        "Package arqonbus.v1 only.",
    ],
)
def test_references(text: str) -> None:
    assert references(text, PATH, "arqonbus.v1")


@pytest.mark.parametrize(
    "text",
    [
        "Nothing about schemas.",
        "my_envelope.proto is another file",
        "arqonbus.v10 is another package",
        "xarqonbus.v1 is another package",
        "envelope.protobuf is not it",
    ],
)
def test_not_references(text: str) -> None:
    assert not references(text, PATH, "arqonbus.v1")


def test_declaration_does_not_count_as_reference() -> None:
    spec = parse_spec("s.md", "---\nproto_packages: [arqonbus.v1]\n---\n# X\nBody.\n")
    assert spec.covers(PATH, "arqonbus.v1")
    assert not spec.references(PATH, "arqonbus.v1")
    spec2 = parse_spec("s.md", "# X\n**Proto packages**: arqonbus.v1\nBody.\n")
    assert not spec2.references(PATH, "arqonbus.v1")
