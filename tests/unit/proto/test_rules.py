"""Should-flag / should-not-flag tables for each native rule, on compiled .proto texts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aces.engines.proto.annotations import parse_version
from aces.engines.proto.model import SchemaIndex
from aces.engines.proto.rules import (
    compat_comments,
    deprecation,
    optional_fields,
    removal,
    rename,
    reserved,
)
from aces.engines.proto.violation import Violation

Build = Callable[[str], SchemaIndex]
Expected = list[tuple[str, str, int | None]]


def ids(cases: list[tuple[object, ...]]) -> list[str]:
    """The first item of each case: its name."""
    return [str(c[0]) for c in cases]


HEAD3 = 'syntax = "proto3";\npackage p.v1;\n'
HEAD2 = 'syntax = "proto2";\npackage p.v1;\n'

BASE_MSG = (
    HEAD3
    + """
// @since 1.0.0
message M {
  // @since 1.0.0
  string a = 1;
  // @since 1.0.0
  int32 b = 2;
}
// @since 1.0.0
enum E {
  // @since 1.0.0
  E_UNSPECIFIED = 0;
  // @since 1.0.0
  E_ONE = 1;
}
"""
)


def triples(violations: list[Violation]) -> Expected:
    return sorted((v.rule_id, v.path, v.line) for v in violations)


# -- reserve before delete ------------------------------------------------------------------

RESERVED_CASES = [
    ("field removed, nothing reserved",
     BASE_MSG.replace("  // @since 1.0.0\n  int32 b = 2;\n", ""),
     [("schema.reserved-tags.name", "proto/t.proto", 5),
      ("schema.reserved-tags.number", "proto/t.proto", 5)]),
    ("field removed, only number reserved",
     BASE_MSG.replace("  // @since 1.0.0\n  int32 b = 2;\n", "  reserved 2;\n"),
     [("schema.reserved-tags.name", "proto/t.proto", 5)]),
    ("field removed, number and name reserved",
     BASE_MSG.replace("  // @since 1.0.0\n  int32 b = 2;\n", '  reserved 2;\n  reserved "b";\n'),
     []),
    ("field removed, number in a reserved range",
     BASE_MSG.replace("  // @since 1.0.0\n  int32 b = 2;\n", '  reserved 2 to 5;\n  reserved "b";\n'),  # noqa: E501
     []),
    ("enum value removed, nothing reserved",
     BASE_MSG.replace("  // @since 1.0.0\n  E_ONE = 1;\n", ""),
     [("schema.reserved-tags.name", "proto/t.proto", 12),
      ("schema.reserved-tags.number", "proto/t.proto", 12)]),
    ("enum value removed, reserved (inclusive end)",
     BASE_MSG.replace("  // @since 1.0.0\n  E_ONE = 1;\n", '  reserved 1;\n  reserved "E_ONE";\n'),
     []),
    ("nothing removed", BASE_MSG, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "head", "expected"), RESERVED_CASES, ids=[c[0] for c in RESERVED_CASES]
)
def test_reserved_tags(schema: Build, name: str, head: str, expected: Expected) -> None:
    assert triples(reserved.check(schema(BASE_MSG), schema(head))) == expected


# -- no rename ---------------------------------------------------------------------------------

RENAME_CASES = [
    ("field renamed", BASE_MSG.replace("string a = 1;", "string aa = 1;"),
     [("schema.no-field-rename.field", "proto/t.proto", 7)]),
    ("json_name changed", BASE_MSG.replace("string a = 1;", 'string a = 1 [json_name = "x"];'),
     [("schema.no-field-rename.json-name", "proto/t.proto", 7)]),
    ("enum value renamed", BASE_MSG.replace("E_ONE = 1;", "E_UNO = 1;"),
     [("schema.no-field-rename.enum-value", "proto/t.proto", 16)]),
    ("type changed, name kept", BASE_MSG.replace("int32 b = 2;", "int64 b = 2;"), []),
    ("field moved in the file", BASE_MSG.replace(
        "  // @since 1.0.0\n  string a = 1;\n  // @since 1.0.0\n  int32 b = 2;\n",
        "  // @since 1.0.0\n  int32 b = 2;\n  // @since 1.0.0\n  string a = 1;\n"), []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "head", "expected"), RENAME_CASES, ids=[c[0] for c in RENAME_CASES]
)
def test_no_field_rename(schema: Build, name: str, head: str, expected: Expected) -> None:
    assert triples(rename.check(schema(BASE_MSG), schema(head))) == expected


# -- deprecation annotations -------------------------------------------------------------------

DEP_OK = (
    HEAD3
    + """
message M {
  // @replaced-by b
  // @removal 2.0.0
  string a = 1 [deprecated = true];
  int32 b = 2;
}
"""
)
DEPRECATION_CASES = [
    ("complete deprecation", DEP_OK, []),
    ("no replacement", DEP_OK.replace("  // @replaced-by b\n", ""),
     [("schema.deprecation-rules.replacement", "proto/t.proto", 6)]),
    ("no removal version", DEP_OK.replace("  // @removal 2.0.0\n", ""),
     [("schema.deprecation-rules.removal-version", "proto/t.proto", 6)]),
    ("removal without a version", DEP_OK.replace("@removal 2.0.0", "@removal soon"),
     [("schema.deprecation-rules.removal-version", "proto/t.proto", 7)]),
    ("bare deprecated option",
     HEAD3 + "message M {\n  string a = 1 [deprecated = true];\n}\n",
     [("schema.deprecation-rules.removal-version", "proto/t.proto", 4),
      ("schema.deprecation-rules.replacement", "proto/t.proto", 4)]),
    ("tags without the option", DEP_OK.replace(" [deprecated = true]", ""),
     [("schema.deprecation-rules.option", "proto/t.proto", 7)]),
    ("deprecated message", HEAD3 + "// @replaced-by N\n// @removal 3.0.0\n"
     "message M {\n  option deprecated = true;\n}\nmessage N {}\n", []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "head", "expected"), DEPRECATION_CASES, ids=[c[0] for c in DEPRECATION_CASES]
)
def test_deprecation_rules(schema: Build, name: str, head: str, expected: Expected) -> None:
    assert triples(deprecation.check(schema(head))) == expected


# -- compatibility comments ----------------------------------------------------------------------

COMMENT_CASES = [
    ("unchanged", BASE_MSG, []),
    ("new field with marker",
     BASE_MSG.replace("  int32 b = 2;\n", "  int32 b = 2;\n  // @since 1.1.0\n  bool c = 3;\n"), []),  # noqa: E501
    ("new field without marker",
     BASE_MSG.replace("  int32 b = 2;\n", "  int32 b = 2;\n  bool c = 3;\n"),
     [("schema.compat-comments.missing", "proto/t.proto", 10)]),
    ("marker without version",
     BASE_MSG.replace("  int32 b = 2;\n", "  int32 b = 2;\n  // @since next\n  bool c = 3;\n"),
     [("schema.compat-comments.version", "proto/t.proto", 11)]),
    ("changed field lost its comment",
     BASE_MSG.replace("  // @since 1.0.0\n  int32 b = 2;", "  int64 b = 2;"),
     [("schema.compat-comments.missing", "proto/t.proto", 8)]),
    ("new enum value without marker", BASE_MSG.replace("  E_ONE = 1;\n", "  E_ONE = 1;\n  E_TWO = 2;\n"),  # noqa: E501
     [("schema.compat-comments.missing", "proto/t.proto", 17)]),
    ("new rpc without marker", BASE_MSG + "// @since 1.1.0\nservice S {\n  rpc Get(M) returns (M);\n}\n",  # noqa: E501
     [("schema.compat-comments.missing", "proto/t.proto", 20)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "head", "expected"), COMMENT_CASES, ids=[c[0] for c in COMMENT_CASES]
)
def test_compat_comments(schema: Build, name: str, head: str, expected: Expected) -> None:
    assert triples(compat_comments.check(schema(BASE_MSG), schema(head), "@since")) == expected


def test_compat_comments_whole_tree_checks_every_element(schema: Build) -> None:
    head = schema(HEAD3 + "// @since 1.0.0\nmessage M {\n  string a = 1;\n}\n")
    assert triples(compat_comments.check(None, head, "@since")) == [
        ("schema.compat-comments.missing", "proto/t.proto", 5)
    ]


def test_compat_comments_custom_marker(schema: Build) -> None:
    head = schema(HEAD3 + "// Added: 1.2.0\nmessage M {}\n")
    assert compat_comments.check(None, head, "Added:") == []
    assert triples(compat_comments.check(None, head, "@since")) == [
        ("schema.compat-comments.missing", "proto/t.proto", 4)
    ]


# -- compat.deprecation ----------------------------------------------------------------------

DEPRECATED_BASE = (
    HEAD3
    + """
message M {
  // @replaced-by b
  // @removal 2.0.0
  string a = 1 [deprecated = true];
  int32 b = 2;
  string c = 3;
}
"""
)
REMOVAL_CASES = [
    ("deprecated field removed on time", "2.0.0",
     DEPRECATED_BASE.replace("  string a = 1 [deprecated = true];\n", ""), []),
    ("deprecated field removed too early", "1.9.9",
     DEPRECATED_BASE.replace("  string a = 1 [deprecated = true];\n", ""),
     [("compat.deprecation.too-early", "proto/t.proto", 4)]),
    ("pre-release is before the release", "2.0.0-rc.1",
     DEPRECATED_BASE.replace("  string a = 1 [deprecated = true];\n", ""),
     [("compat.deprecation.too-early", "proto/t.proto", 4)]),
    ("undeprecated field removed", "9.0.0", DEPRECATED_BASE.replace("  string c = 3;\n", ""),
     [("compat.deprecation.not-deprecated", "proto/t.proto", 4)]),
    ("nothing removed", "1.0.0", DEPRECATED_BASE, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "current", "head", "expected"), REMOVAL_CASES, ids=[c[0] for c in REMOVAL_CASES]
)
def test_compat_deprecation(
    schema: Build, name: str, current: str, head: str, expected: Expected
) -> None:
    version = parse_version(current)
    assert version is not None
    assert triples(removal.check(schema(DEPRECATED_BASE), schema(head), version)) == expected


def test_removed_message_is_reported_once(schema: Build) -> None:
    base = schema(HEAD3 + "message A {\n  string x = 1;\n}\nmessage B {}\n")
    head = schema(HEAD3 + "message B {}\n")
    found = removal.check(base, head, parse_version("1.0.0"))  # type: ignore[arg-type]
    assert [(v.rule_id, v.path, v.line) for v in found] == [
        ("compat.deprecation.not-deprecated", "proto/t.proto", None)
    ]


# -- compat.optional-fields --------------------------------------------------------------------

OPTIONAL_CASES = [
    ("proto3 new scalar, presence required", HEAD3, "  int32 n = 9;\n", True,
     [("compat.optional-fields.proto3-presence", "proto/t.proto", 4)]),
    ("proto3 new optional scalar", HEAD3, "  optional int32 n = 9;\n", True, []),
    ("proto3 new scalar, presence not required", HEAD3, "  int32 n = 9;\n", False, []),
    ("proto3 new message field", HEAD3, "  M m = 9;\n", True, []),
    ("proto3 new repeated", HEAD3, "  repeated int32 n = 9;\n", True, []),
    ("proto3 new map", HEAD3, "  map<string, int32> n = 9;\n", True, []),
    ("proto3 new oneof member", HEAD3, "  oneof o {\n    int32 n = 9;\n  }\n", True, []),
    ("proto2 new required", HEAD2, "  required int32 n = 9;\n", False,
     [("compat.optional-fields.required", "proto/t.proto", 4)]),
    ("proto2 new optional", HEAD2, "  optional int32 n = 9;\n", True, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "header", "added", "strict", "expected"),
    OPTIONAL_CASES,
    ids=[c[0] for c in OPTIONAL_CASES],
)
def test_optional_fields(
    schema: Build, name: str, header: str, added: str, strict: bool, expected: Expected
) -> None:
    base = header + "message M {\n}\n"
    head = header + "message M {\n" + added + "}\n"
    assert triples(optional_fields.check(schema(base), schema(head), strict)) == expected
