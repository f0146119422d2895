"""The pattern engine on whole files: exact places, messages, zones, settings and bad input."""

from __future__ import annotations

import time

import pytest

from aces.engines.patterns import (
    CheckSettings,
    PatternEngine,
    all_rules,
    check_settings,
    parse_source,
    zone_settings,
)
from aces.engines.patterns.checks import literal_value
from aces.engines.patterns.ruleset import _rule
from aces.engines.patterns.zones import resolve_zones
from aces.errors import DoctrineError, InputError
from aces.policy.schema import PatternsPolicy

UNSAFE = "`unsafe` without a `// SAFETY:` comment right above"
LIBRARY = """\
//! A library file.

const LIMIT: u32 = 60;

pub fn f(x: Option<u32>) -> u32 {
    // TODO: remove
    let v = x.unwrap() * 7;
    if v > LIMIT { panic!("too big") }
    v
}

// SAFETY: the pointer is valid
pub fn g(p: *const u8) -> u8 { unsafe { *p } }

pub fn h(p: *const u8) -> u8 { unsafe { *p } }

fn main() {
    let _ = Some(2).unwrap();
}
"""


def scan(path: str, text: str, policy: PatternsPolicy | None = None) -> list[tuple[object, ...]]:
    chosen = policy or PatternsPolicy()
    source = parse_source(path, "rust", text.encode())
    zones = resolve_zones({path: source}, zone_settings(chosen))
    engine = PatternEngine(all_rules(), check_settings(chosen))
    return [(h.line, h.column, h.rule_id, h.message) for h in engine.scan(source, zones[path])]


def test_a_library_file_gives_exact_hits_in_source_order() -> None:
    assert scan("src/lib.rs", LIBRARY) == [
        (6, 5, "rust.todo-comment", "TODO without a ticket id"),
        (7, 13, "rust.unwrap", "`unwrap()` outside startup and test code"),
        (7, 26, "rust.magic-number", "magic number 7"),
        (8, 20, "rust.panic", "`panic!` in library code"),
        (15, 32, "rust.unsafe-without-safety", UNSAFE),
    ]


def test_hits_end_where_the_matched_code_ends() -> None:
    source = parse_source("src/lib.rs", "rust", LIBRARY.encode())
    zones = resolve_zones({"src/lib.rs": source}, zone_settings(PatternsPolicy()))
    hits = PatternEngine(all_rules(), check_settings(PatternsPolicy())).scan(
        source, zones["src/lib.rs"]
    )
    ends = {h.rule_id: (h.line, h.column, h.end_line, h.end_column) for h in hits}
    # `x.unwrap()` spans columns 13 to 22; the column after it is 23 (SARIF's endColumn).
    assert ends["rust.unwrap"] == (7, 13, 7, 23)
    assert ends["rust.magic-number"] == (7, 26, 7, 27)


def test_the_same_file_under_tests_is_test_code() -> None:
    assert scan("tests/it.rs", LIBRARY) == [
        (6, 5, "rust.todo-comment", "TODO without a ticket id"),
        (15, 32, "rust.unsafe-without-safety", UNSAFE),
    ]


def test_build_rs_is_startup_code() -> None:
    ids = [hit[2] for hit in scan("build.rs", LIBRARY)]
    assert "rust.unwrap" not in ids
    assert "rust.panic" not in ids
    assert "rust.magic-number" in ids


def test_policy_thresholds_and_ticket_form_are_used() -> None:
    policy = PatternsPolicy(max_function_lines=3, allowed_numbers=(0,), ticket_pattern="ARQ-[0-9]+")
    text = "pub fn f() -> u32 {\n    // TODO(ABC-1): x\n    // TODO(ARQ-7): y\n    1\n}\n"
    assert scan("src/lib.rs", text, policy) == [
        (1, 1, "rust.long-function", "function `f` has 5 lines, more than 3"),
        (2, 5, "rust.todo-comment", "TODO without a ticket id"),
        (4, 5, "rust.magic-number", "magic number 1"),
    ]


def test_a_startup_marker_of_the_policy_makes_an_item_startup_code() -> None:
    text = "// boot:here\nfn boot() { None::<u8>.unwrap(); }\n"
    assert scan("src/lib.rs", text, PatternsPolicy(startup_markers=("boot:here",))) == []
    assert [h[2] for h in scan("src/lib.rs", text)] == ["rust.unwrap"]


def test_a_file_that_does_not_parse_cannot_be_verified() -> None:
    with pytest.raises(InputError) as caught:
        parse_source("src/bad.rs", "rust", b"fn f() {\n    let x = ;\n}\n")
    assert caught.value.diagnostics().startswith("src/bad.rs: line 2: does not parse as Rust")


@pytest.mark.parametrize(
    ("text", "language", "value"),
    [
        ("1_000u64", "rust", 1000.0),
        ("0xffu8", "rust", 255.0),
        ("0xf32", "rust", 3890.0),
        ("2.5f64", "rust", 2.5),
        ("0b101", "python", 5.0),
        ("1e3", "python", 1000.0),
        ("3j", "python", None),
    ],
)
def test_literal_values(text: str, language: str, value: float | None) -> None:
    assert literal_value(text, language) == value


def test_ticket_pattern_accepts_only_a_named_ticket() -> None:
    settings = CheckSettings(60, frozenset(), r"[A-Z]+-\d+")
    pattern = settings.todo_pattern
    assert [m.group(2) for m in pattern.finditer("TODO(AB-1) TODO FIXME(x)")] == [
        "(AB-1)",
        None,
        None,
    ]


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "rust.x", "query": "(function_item)", "message": "m"},  # no @match
        {"id": "rust.x", "query": "(nonsense_node) @match", "message": "m"},
        {"id": "python.x", "query": "(function_item) @match", "message": "m"},  # wrong language
        {"id": "rust.x", "query": "(function_item) @match", "check": "nope"},
        {"id": "rust.x", "query": "(function_item) @match", "exempt": ["prod"]},
        {"id": "rust.x", "query": "(function_item) @match", "severity": "low"},
    ],
)
def test_malformed_rule_data_is_refused(entry: dict[str, object]) -> None:
    with pytest.raises(DoctrineError):
        _rule("rust", entry, "rust.toml")


def test_deeply_nested_code_scans_in_linear_time() -> None:
    # 3000 chained `else if`: looking contexts up through ancestors would be quadratic.
    chain = " else ".join(f"if x == {10 + 2 * i} {{ {11 + 2 * i} }}" for i in range(3000))
    text = f"fn f(x: u32) -> u32 {{ {chain} else {{ 0 }} }}\n"
    started = time.perf_counter()
    hits = scan("src/deep.rs", text)
    assert time.perf_counter() - started < 20
    assert len([h for h in hits if h[2] == "rust.magic-number"]) == 6000
