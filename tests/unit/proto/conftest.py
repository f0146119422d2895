"""Compile small .proto texts into schema indexes with grpc_tools' protoc."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from grpc_tools import protoc

from aces.engines.proto.model import SchemaIndex, index_image, read_image


def compile_text(tmp: Path, text: str, name: str = "t.proto") -> bytes:
    """The FileDescriptorSet bytes of one .proto text (with source info)."""
    src = tmp / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / name).write_text(text, encoding="utf-8")
    out = tmp / "out.fds"
    code = protoc.main(
        ["protoc", f"-I{src}", "--include_source_info", f"--descriptor_set_out={out}", name]
    )
    assert code == 0, text
    return out.read_bytes()


@pytest.fixture
def schema(tmp_path: Path) -> Callable[[str], SchemaIndex]:
    """Compile a .proto text (file proto/t.proto) into a SchemaIndex."""
    counter = iter(range(1000))

    def build(text: str) -> SchemaIndex:
        data = compile_text(tmp_path / str(next(counter)), text)
        return index_image(read_image(data), "proto")

    return build
