"""Magic numbers in Rust: builder arguments, match tables and dates are named.

Each line of ``MODULE`` ends with ``// flag`` when its literal is magic; every other
literal is named (``aces/engines/patterns/named_numbers.py``).
"""

from __future__ import annotations

from aces.engines.patterns import (
    PatternEngine,
    all_rules,
    check_settings,
    parse_source,
    zone_settings,
)
from aces.engines.patterns.zones import resolve_zones
from aces.policy.schema import PatternsPolicy

MODULE = """\
pub fn respond(builder: Builder, level: Level, items: &[u8]) -> u32 {
    let reply = builder.status(404).max_connections(5).build();
    let stamp = NaiveDate::from_ymd(2016, 7, 8).and_hms(9, 10, 11);
    let rank = match level {
        Level::Warn => 3,
        Level::Error => 4,
        _ => 0,
    };
    let first = items.iter().take(5).count(); // flag
    let cubed = rank.pow(3); // flag
    if first > 37 { // flag
        return 12; // flag
    }
    reply.code(rank) + stamp.year() as u32
}
"""


def flagged_lines(text: str) -> list[int]:
    policy = PatternsPolicy()
    source = parse_source("src/service.rs", "rust", text.encode())
    zones = resolve_zones({source.path: source}, zone_settings(policy))
    rules = {"rust": tuple(r for r in all_rules()["rust"] if r.id == "rust.magic-number")}
    engine = PatternEngine(rules, check_settings(policy))
    return sorted(hit.line for hit in engine.scan(source, zones[source.path]))


def test_only_the_unnamed_literals_in_rust_logic_are_flagged() -> None:
    expected = [i for i, line in enumerate(MODULE.splitlines(), 1) if line.endswith("// flag")]
    assert flagged_lines(MODULE) == expected
