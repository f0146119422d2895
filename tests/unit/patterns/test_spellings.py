"""Every spelling of a forbidden construct is the construct: macros, paths, renames, targets."""

from __future__ import annotations

import pytest

from aces.engines.patterns import (
    PatternEngine,
    all_rules,
    check_settings,
    parse_source,
    scan_all,
    zone_settings,
)
from aces.engines.patterns.cargo_targets import cargo_targets
from aces.engines.patterns.zones import TEST, resolve_zones
from aces.policy.schema import PatternsPolicy

MANIFEST = {"crates/a/Cargo.toml": '[package]\nname = "a"\n'}


def findings(
    files: dict[str, str], manifests: dict[str, str] | None = None
) -> set[tuple[str, int, str]]:
    """(path, line, rule) of every hit when ``files`` are one project."""
    policy = PatternsPolicy()
    sources = {p: parse_source(p, "rust", t.encode()) for p, t in files.items()}
    targets = cargo_targets(MANIFEST if manifests is None else manifests)
    zones = resolve_zones(sources, zone_settings(policy), targets)
    engine = PatternEngine(all_rules(), check_settings(policy))
    return {(h.path, h.line, h.rule_id) for h in scan_all(engine, sources.values(), zones)}


LIB = "crates/a/src/lib.rs"
MACROS = "crates/a/src/macros.rs"
MUST = "macro_rules! must {\n    ($e:expr) => {\n        $e.unwrap()\n    };\n}\n"

SHOULD_FLAG = [
    pytest.param(
        {LIB: MUST + "pub fn f(x: Option<u8>) -> u8 { must!(x) }\n"}, (LIB, 3), id="local"
    ),
    pytest.param(
        {
            LIB: "mod macros;\nuse crate::must as m;\npub fn f(x: Option<u8>) -> u8 { m!(x) }\n",
            MACROS: MUST,
        },
        (MACROS, 3),
        id="renamed-by-use-in-another-file",
    ),
    pytest.param(
        {
            LIB: "macro_rules! outer { ($e:expr) => { $crate::must!($e) }; }\n"
            + MUST
            + "pub fn f(x: Option<u8>) -> u8 { outer!(x) }\n"
        },
        (LIB, 4),
        id="through-another-macro",
    ),
    pytest.param(
        {
            LIB: "#[macro_export]\nmacro_rules! all {\n"
            "    ($($e:expr),*) => { $( $e.unwrap() ),* };\n}\n"
        },
        (LIB, 3),
        id="exported-repetition",
    ),
    pytest.param(
        {LIB: 'pub fn f(x: Option<u8>) { log::info!("{}", x.unwrap()); }\n'},
        (LIB, 1),
        id="macro-argument",
    ),
    pytest.param(
        {
            LIB: "type Maybe<T> = Option<T>;\n"
            "pub fn f(x: Maybe<u8>) -> u8 {\n    Maybe::unwrap(x)\n}\n"
        },
        (LIB, 3),
        id="type-alias-path",
    ),
    pytest.param(
        {
            LIB: "mod tests;\n",
            "crates/a/src/tests.rs": "pub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n",
        },
        ("crates/a/src/tests.rs", 1),
        id="library-module-named-tests",
    ),
    pytest.param(
        {
            LIB: "pub mod net;\n",
            "crates/a/src/net/tests/codec.rs": "pub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n",
        },
        ("crates/a/src/net/tests/codec.rs", 1),
        id="library-file-under-src-tests-dir",
    ),
]

SHOULD_NOT_FLAG = [
    pytest.param(
        {LIB: MUST + "#[cfg(test)]\nmod t {\n    fn f() { must!(None::<u8>); }\n}\n"},
        id="macro-invoked-only-in-tests",
    ),
    pytest.param({LIB: MUST}, id="macro-never-invoked"),
    pytest.param({LIB: MUST + "fn main() { must!(None::<u8>); }\n"}, id="macro-invoked-in-main"),
    pytest.param(
        {
            LIB: "#[cfg(test)]\nmod tests;\n",
            "crates/a/src/tests.rs": "fn f() { None::<u8>.unwrap(); }\n",
        },
        id="cfg-test-module",
    ),
    pytest.param(
        {"crates/a/tests/it.rs": "fn t() { None::<u8>.unwrap(); }\n"}, id="cargo-test-target"
    ),
    pytest.param(
        {"crates/a/checks/it.rs": "fn t() { None::<u8>.unwrap(); }\n"}, id="declared-test-target"
    ),
    pytest.param({LIB: "pub fn f(x: u8) -> u8 { wire::unwrap(x) }\n"}, id="module-function"),
    pytest.param(
        {LIB: 'pub fn f(s: &str) -> Vec<&str> { s.split("::").collect() }\n'},
        id="path-text-in-a-string",
    ),
]


@pytest.mark.parametrize(("files", "where"), SHOULD_FLAG)
def test_spelling_is_flagged(files: dict[str, str], where: tuple[str, int]) -> None:
    assert (*where, "rust.unwrap") in findings(files)


@pytest.mark.parametrize("files", SHOULD_NOT_FLAG)
def test_spelling_is_not_flagged(files: dict[str, str]) -> None:
    manifests = {
        **MANIFEST,
        "crates/a/Cargo.toml": '[package]\nname = "a"\n\n[[test]]\n'
        'name = "it"\npath = "checks/it.rs"\n',
    }
    assert findings(files, manifests) == set()


def test_outside_any_crate_the_test_globs_decide() -> None:
    policy = PatternsPolicy()
    sources = {p: parse_source(p, "rust", b"fn f() {}\n") for p in ("src/tests/a.rs", "lib/b.rs")}
    zones = resolve_zones(sources, zone_settings(policy), cargo_targets({}))
    assert zones["src/tests/a.rs"].whole == {TEST}
    assert zones["lib/b.rs"].whole == frozenset()
