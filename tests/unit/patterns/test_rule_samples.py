"""Every shipped rule flags each of its ``flag`` samples and none of its ``pass`` samples."""

from __future__ import annotations

import pytest

from aces.engines.patterns import (
    PatternEngine,
    Rule,
    all_rules,
    check_settings,
    parse_source,
    zone_settings,
)
from aces.engines.patterns.zones import resolve_zones
from aces.policy.schema import PatternsPolicy

SAMPLE_PATHS = {"rust": "src/sample.rs", "python": "pkg/sample.py", "elixir": "lib/sample.ex"}
RULES = [rule for rules in all_rules().values() for rule in rules]


def rule_ids(rule: Rule, sample: str) -> list[str]:
    """The rule ids the engine reports on ``sample`` as a library file."""
    policy = PatternsPolicy()
    source = parse_source(SAMPLE_PATHS[rule.language], rule.language, sample.encode())
    zones = resolve_zones({source.path: source}, zone_settings(policy))
    engine = PatternEngine({rule.language: (rule,)}, check_settings(policy))
    return [hit.rule_id for hit in engine.scan(source, zones[source.path])]


def cases(*, flagged: bool) -> list[object]:
    return [
        pytest.param(rule, sample, id=f"{rule.id}-{i}")
        for rule in RULES
        for i, sample in enumerate(rule.samples(flagged=flagged))
    ]


@pytest.mark.parametrize(("rule", "sample"), cases(flagged=True))
def test_flag_sample_is_flagged(rule: Rule, sample: str) -> None:
    assert rule.id in rule_ids(rule, sample)


@pytest.mark.parametrize(("rule", "sample"), cases(flagged=False))
def test_pass_sample_is_not_flagged(rule: Rule, sample: str) -> None:
    assert rule_ids(rule, sample) == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_every_rule_has_both_kinds_of_sample_and_a_message(rule: Rule) -> None:
    assert rule.flag, "a rule that cannot fail is a defect"
    assert rule.passing
    assert rule.message
    assert rule.help


def test_the_rule_set_covers_the_doctrine_examples() -> None:
    ids = {rule.id for rule in RULES}
    assert {
        "rust.unwrap",
        "rust.expect",
        "rust.long-function",
        "rust.magic-number",
        "rust.todo",
        "rust.panic",
        "rust.unsafe-without-safety",
        "rust.todo-comment",
        "rust.fail-open",
        "python.bare-except",
        "python.swallowed-exception",
        "python.assert",
        "python.long-function",
        "python.magic-number",
        "python.todo-comment",
        "elixir.long-function",
        "elixir.magic-number",
        "elixir.debug-output",
        "elixir.todo-comment",
    } == ids
