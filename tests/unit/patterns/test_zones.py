"""Test and startup zones, resolved across the project."""

from __future__ import annotations

import pytest

from aces.engines.patterns import parse_source, zone_settings
from aces.engines.patterns.zones import STARTUP, TEST, is_test_attribute, resolve_zones
from aces.policy.schema import PatternsPolicy

LANGUAGES = {".rs": "rust", ".py": "python", ".ex": "elixir", ".exs": "elixir"}


def zones_of(files: dict[str, str], policy: PatternsPolicy | None = None) -> dict[str, object]:
    sources = {
        path: parse_source(path, LANGUAGES["." + path.rsplit(".", 1)[1]], text.encode())
        for path, text in files.items()
    }
    return dict(resolve_zones(sources, zone_settings(policy or PatternsPolicy())))


def whole(files: dict[str, str]) -> dict[str, set[str]]:
    return {path: set(z.whole) for path, z in zones_of(files).items()}  # type: ignore[attr-defined]


def test_cfg_test_mod_declared_in_a_parent_makes_the_whole_file_test_code() -> None:
    assert whole(
        {
            "crates/a/src/lib.rs": "pub mod codec;\n#[cfg(test)]\nmod fixtures;\n",
            "crates/a/src/codec.rs": "pub fn f() {}\n",
            "crates/a/src/fixtures.rs": "pub fn g() {}\nmod deep;\n",
            "crates/a/src/fixtures/deep.rs": "pub fn h() {}\n",
        }
    ) == {
        "crates/a/src/lib.rs": set(),
        "crates/a/src/codec.rs": set(),
        "crates/a/src/fixtures.rs": {TEST},
        "crates/a/src/fixtures/deep.rs": {TEST},
    }


def test_mod_rs_layout_inline_modules_and_path_attributes_resolve() -> None:
    assert whole(
        {
            "src/main.rs": 'mod net;\n#[cfg(all(test, unix))]\n#[path = "support/x.rs"]\nmod x;\n',
            "src/net/mod.rs": "mod inner {\n    #[cfg(test)]\n    mod helpers;\n}\n",
            "src/net/inner/helpers.rs": "fn f() {}\n",
            "src/support/x.rs": "fn f() {}\n",
        }
    ) == {
        "src/main.rs": set(),
        "src/net/mod.rs": set(),
        "src/net/inner/helpers.rs": {TEST},
        "src/support/x.rs": {TEST},
    }


def test_a_mod_declared_inside_a_cfg_test_block_is_test_code() -> None:
    files = {
        "src/lib.rs": "#[cfg(test)]\nmod tests {\n    mod util;\n}\n",
        "src/tests/util.rs": "fn f() {}\n",
    }
    assert whole(files)["src/tests/util.rs"] == {TEST}


def test_cfg_not_test_is_not_test_code() -> None:
    files = {"src/lib.rs": "#[cfg(not(test))]\nmod real;\n", "src/real.rs": "fn f() {}\n"}
    assert whole(files)["src/real.rs"] == set()


def test_globs_give_whole_file_zones() -> None:
    assert whole(
        {
            "tests/it.rs": "fn f() {}\n",
            "benches/b.rs": "fn f() {}\n",
            "build.rs": "fn main() {}\n",
            "pkg/test_x.py": "x = 1\n",
            "test/a_test.exs": "x = 1\n",
        }
    ) == {
        "tests/it.rs": {TEST},
        "benches/b.rs": {TEST},
        "build.rs": {STARTUP},
        "pkg/test_x.py": {TEST},
        "test/a_test.exs": {TEST},
    }


def test_spans_of_rust_items() -> None:
    text = (
        "fn main() { a(); }\n"  # 0..19
        "#[test]\nfn t() {}\n"
        "// aces:startup\nfn boot() {}\n"
        "fn lib() {}\n"
    )
    zones = zones_of({"src/x.rs": text})["src/x.rs"]
    at = zones.at  # type: ignore[attr-defined]
    assert at(text.index("a()")) == {STARTUP}
    assert at(text.index("fn t")) == {TEST}
    assert at(text.index("fn boot")) == {STARTUP}
    assert at(text.index("fn lib")) == frozenset()


def test_python_main_block_is_startup() -> None:
    text = 'def f():\n    pass\n\nif __name__ == "__main__":\n    f()\n'
    zones = zones_of({"pkg/cli.py": text})["pkg/cli.py"]
    assert zones.at(text.index("f()\n", 40)) == {STARTUP}  # type: ignore[attr-defined]
    assert zones.at(0) == frozenset()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("attribute", "is_test"),
    [
        ("#[cfg(test)]", True),
        ("#[ cfg( test ) ]", True),
        ('#[cfg(all(test, feature = "x"))]', True),
        ("#[test]", True),
        ("#[tokio::test]", True),
        ("#[cfg(not(test))]", False),
        ("#[cfg(any(test, fuzzing))]", False),
        ('#[cfg(feature = "test")]', False),
        ("#[derive(Debug)]", False),
    ],
)
def test_test_attributes(attribute: str, is_test: bool) -> None:
    assert is_test_attribute(attribute) is is_test
