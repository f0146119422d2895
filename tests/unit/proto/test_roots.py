"""Module roots inferred from a .proto file's package, imports and buf.yaml."""

from __future__ import annotations

from aces.engines.proto.roots import infer_modules, infer_root, roots_note

NOTHING: frozenset[str] = frozenset()


def test_the_package_directory_convention_gives_the_root() -> None:
    text = 'syntax = "proto3";\npackage c.v1;\n'
    assert infer_root(text, "a/b/c/v1/x.proto", NOTHING, NOTHING) == "a/b"
    assert infer_root(text, "c/v1/x.proto", NOTHING, NOTHING) == ""


def test_a_package_in_a_comment_is_not_read() -> None:
    text = '// package a.b.c.v1;\n/* package b.c.v1; */\nsyntax = "proto3";\n'
    assert infer_root(text, "a/b/c/v1/x.proto", NOTHING, NOTHING) == "a/b/c/v1"


def test_an_import_naming_a_tracked_file_gives_the_root() -> None:
    text = 'syntax = "proto3";\npackage other;\nimport "c/v1/y.proto";\n'
    tracked = frozenset({"a/b/c/v1/y.proto", "a/b/c/v1/x.proto"})
    assert infer_root(text, "a/b/c/v1/x.proto", tracked, NOTHING) == "a/b"


def test_without_package_or_resolvable_import_the_own_directory_is_the_root() -> None:
    text = 'syntax = "proto3";\npackage elsewhere.v1;\nimport "google/protobuf/any.proto";\n'
    assert infer_root(text, "a/b/x.proto", NOTHING, NOTHING) == "a/b"


def test_a_buf_yaml_above_the_file_wins() -> None:
    text = 'syntax = "proto3";\npackage c.v1;\n'
    assert infer_root(text, "a/b/c/v1/x.proto", NOTHING, frozenset({"a"})) == "a"


def test_nested_roots_are_excluded_from_the_outer_module() -> None:
    texts = {
        "api/acme/v1/x.proto": "package acme.v1;",
        "api/acme/v1/testdata/bad.proto": "package nope;",
        "api/acme/v1/inner/proto/z/v1/y.proto": "package z.v1;",
    }
    outer, inner = infer_modules(sorted(texts), texts.__getitem__)
    assert (outer.directory, outer.files) == ("api", ("api/acme/v1/x.proto",))
    assert outer.excludes == ("acme/v1/inner/proto", "acme/v1/testdata")
    assert (inner.directory, inner.files) == (
        "api/acme/v1/inner/proto",
        ("api/acme/v1/inner/proto/z/v1/y.proto",),
    )
    assert roots_note((outer, inner)).endswith("api/, api/acme/v1/inner/proto/")


def test_an_unreadable_file_is_rooted_at_its_directory() -> None:
    def unreadable(path: str) -> str:
        raise OSError(path)

    (module,) = infer_modules(["a/b/x.proto"], unreadable)
    assert module.directory == "a/b"
