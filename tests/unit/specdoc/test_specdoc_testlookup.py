"""Test lookup: Python (ast), Rust (#[test] scan), ExUnit (test "name")."""

from __future__ import annotations

import pytest

from aces.engines.specdoc.bindings import parse_binding
from aces.engines.specdoc.testlookup import TestIndex, rust_module_path

FILES = {
    "tests/test_env.py": (
        "import pytest\n"
        "def test_roundtrip():\n    pass\n"
        "async def test_async():\n    pass\n"
        "def helper():\n    pass\n"
        "class TestCodec:\n    def test_decode(self):\n        pass\n"
        "    class Inner:\n        pass\n"
        "def outer():\n    def test_nested():\n        pass\n"
    ),
    "tests/test_broken.py": "def test_x(:\n",
    "crates/core/src/lib.rs": "pub mod envelope;\n#[test]\nfn root_test() {}\n",
    "crates/core/src/envelope.rs": (
        "pub fn decode() {}\n"
        "#[cfg(test)]\n"
        "mod tests {\n"
        "    use super::*;\n"
        "    #[test]\n"
        '    fn decodes() { let s = format!("{}", 1); }\n'
        "    #[tokio::test]\n"
        "    #[should_panic]\n"
        "    async fn rejects_bad() {}\n"
        "    fn not_a_test() {}\n"
        "    mod inner {\n"
        "        #[test]\n"
        "        fn deep() {}\n"
        "    }\n"
        "}\n"
        "#[test]\n"
        "// comment between\n"
        "fn after_comment() {}\n"
    ),
    "crates/core/src/routing/mod.rs": "#[test]\nfn routes() {}\n",
    "crates/core/tests/roundtrip.rs": "#[test]\nfn full_roundtrip() {}\n",
    "test/envelope_test.exs": (
        "defmodule EnvelopeTest do\n"
        "  use ExUnit.Case\n"
        '  test "decodes an envelope" do\n'
        "    assert true\n"
        "  end\n"
        '  describe "encode/1" do\n'
        '    test "is deterministic", %{x: x} do\n'
        "    end\n"
        "  end\n"
        '  test "after describe" do\n'
        "  end\n"
        "end\n"
    ),
}


def index() -> TestIndex:
    return TestIndex(sorted(FILES), FILES.__getitem__)


def lookup(binding: str) -> tuple[bool, str]:
    refs, bad = parse_binding(binding)
    assert not bad and len(refs) == 1
    result = index().lookup(refs[0])
    return result.found, result.reason


@pytest.mark.parametrize(
    "binding",
    [
        "tests/test_env.py::test_roundtrip",
        "tests/test_env.py::test_async",
        "tests/test_env.py::TestCodec::test_decode",
        "tests/test_env.py::test_roundtrip[param]",
        "rust: crate::envelope::tests::decodes",
        "rust: core::envelope::tests::rejects_bad",
        "rust: envelope::tests::inner::deep",
        "rust: crate::envelope::after_comment",
        "rust: crate::root_test",
        "rust: crate::routing::routes",
        "rust: roundtrip::full_roundtrip",
        'exunit: "decodes an envelope"',
        'exunit: "is deterministic"',
        'exunit: "encode/1 is deterministic"',
        'exunit: "after describe"',
        'exunit: test/envelope_test.exs:"decodes an envelope"',
    ],
)
def test_existing_tests_are_found(binding: str) -> None:
    assert lookup(binding) == (True, "")


@pytest.mark.parametrize(
    ("binding", "reason"),
    [
        ("tests/test_missing.py::test_x", "tests/test_missing.py does not exist"),
        ("tests/test_env.py::test_gone", "tests/test_env.py has no test test_gone"),
        ("tests/test_env.py::helper2", "tests/test_env.py has no test helper2"),
        ("tests/test_env.py::test_nested", "tests/test_env.py has no test test_nested"),
        (
            "tests/test_env.py::TestCodec::test_other",
            "tests/test_env.py has no test TestCodec::test_other",
        ),
        ("tests/test_env.py::test_roundtrip::x", "tests/test_env.py has no test test_roundtrip::x"),
        ("tests/test_broken.py::test_x", "tests/test_broken.py does not parse (line 1)"),
        (
            "rust: crate::envelope::tests::not_a_test",
            "no #[test] fn crate::envelope::tests::not_a_test in any .rs file",
        ),
        (
            "rust: crate::envelope::decodes",
            "no #[test] fn crate::envelope::decodes in any .rs file",
        ),
        ('exunit: "encodes nothing"', 'no test "encodes nothing" in any *_test.exs file'),
        ('exunit: test/other_test.exs:"x"', "test/other_test.exs does not exist"),
    ],
)
def test_missing_tests_are_reported_with_the_reason(binding: str, reason: str) -> None:
    assert lookup(binding) == (False, reason)


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("src/lib.rs", ()),
        ("src/main.rs", ()),
        ("src/envelope.rs", ("envelope",)),
        ("src/routing/mod.rs", ("routing",)),
        ("crates/x/src/routing/table.rs", ("routing", "table")),
        ("crates/x/tests/it.rs", ("it",)),
        ("build.rs", ("build",)),
    ],
)
def test_rust_module_path(path: str, module: tuple[str, ...]) -> None:
    assert rust_module_path(path) == module
