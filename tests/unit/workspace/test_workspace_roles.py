"""The role of each workspace file, from structure and naming conventions."""

from __future__ import annotations

import pytest

from aces.workspace.roles import count_roles, product_files, role_of


@pytest.mark.parametrize(
    ("path", "role"),
    [
        ("proto/bus/v1/bus.proto", "product"),
        ("src/pkg/server.py", "product"),
        ("crates/core/src/lib.rs", "product"),
        ("requirements.txt", "product"),
        ("internal/parser/testdata/broken.proto", "fixture"),
        ("tests/fixtures/event.json", "fixture"),
        ("pkg/__snapshots__/view.snap", "fixture"),
        ("tests/data/sample.proto", "fixture"),
        ("tests/test_session.py", "test"),
        ("crates/core/tests/roundtrip.rs", "test"),
        ("src/pkg/test_codec.py", "test"),
        ("src/pkg/conftest.py", "test"),
        ("pkg/codec/codec_test.go", "test"),
        ("web/app.spec.ts", "test"),
        ("src/pkg/bus_pb2.py", "generated"),
        ("src/pkg/bus_pb2_grpc.py", "generated"),
        ("api/bus.pb.go", "generated"),
        ("docs/guide.md", "docs"),
        ("docs/examples/demo.proto", "docs"),
        ("README.md", "docs"),
        ("tests/README.md", "docs"),
    ],
)
def test_role_of(path: str, role: str) -> None:
    assert role_of(path) == role


def test_counts_leave_product_out() -> None:
    paths = ["a.py", "tests/test_a.py", "tests/testdata/x.proto", "testdata/y.proto", "README.md"]
    assert count_roles(paths) == {"test": 1, "fixture": 2, "docs": 1}
    assert product_files(paths) == ("a.py",)
