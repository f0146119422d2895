"""The coverage index narrows candidate specs without ever losing one."""

from __future__ import annotations

import pytest

from aces.engines.specdoc.coverage import Coverage, CoverageIndex, literal_prefix


@pytest.mark.parametrize(
    ("glob", "prefix"),
    [
        ("proto/**", "proto/"),
        ("proto/arqonbus/v1/*.proto", "proto/arqonbus/v1/"),
        ("/src/core.py", "src/"),
        ("*.proto", ""),
        ("**/*.sm.yaml", ""),
        ("src/*/x.py", "src/"),
        ("docs/", ""),
        ("a/b[0-9]/c", "a/"),
    ],
)
def test_literal_prefix(glob: str, prefix: str) -> None:
    assert literal_prefix(glob) == prefix


def test_candidates_by_path_and_package() -> None:
    index = CoverageIndex.build(
        {
            "specs/a.md": Coverage(globs=("proto/a/**",)),
            "specs/any.md": Coverage(globs=("**/*.proto",)),
            "specs/pkg.md": Coverage(proto_packages=("arqonbus.*",)),
            "specs/exact.md": Coverage(proto_packages=("arqonbus.b.v1",)),
        }
    )
    assert index.candidates("proto/a/x.proto", None) == {"specs/a.md", "specs/any.md"}
    assert index.candidates("proto/b/x.proto", "arqonbus.b.v1") == {
        "specs/any.md",
        "specs/pkg.md",
        "specs/exact.md",
    }
    assert index.candidates("src/core.py", "other.v1") == {"specs/any.md"}
