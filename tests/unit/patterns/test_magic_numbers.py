"""Magic numbers: only unnamed literals in logic are flagged (Python, one realistic module).

Each line of ``MODULE`` ends with ``# flag`` when its literal is magic; every other
literal is named by something (a constant, a field, a keyword, a position or a
unit conversion: ``aces/engines/patterns/named_numbers.py``).
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
import re
from dataclasses import dataclass, field

DEFAULT_PORT = 8080
BACKOFF = {"fast": 0.1, "slow": 2.5}
LEVELS = (10, 20, 30)
LOW, HIGH = 7, 14


@dataclass
class Settings:
    port: int = 8080
    ratio: float = 0.75
    tags: list[str] = field(default_factory=list)
    retries = 5


def serve(app, timeout=30, *, workers: int = 4):
    app.respond(status=503, retry_after=120)
    started = clock() * 1000
    elapsed_s = (clock() - started) / 1e6
    size_mb = size() / (1024 * 1024)
    minutes = elapsed_s / 60
    head, tail = buf[:16], buf[-3]
    version = MATCH.match(line).group(3)
    name, ext = path.rsplit(".", 2)
    rounded = round(minutes, 3)
    limit = app.config.get("limit", 100)
    options = {"timeout": 30, "ratio": -0.5}
    if elapsed_s > 45:  # flag
        app.backoff(elapsed_s * 1.5)  # flag
    for _ in range(8):  # flag
        pass
    return head, tail, version, name, ext, rounded, size_mb, limit, options
"""


def flagged_lines(text: str) -> list[int]:
    policy = PatternsPolicy()
    source = parse_source("pkg/service.py", "python", text.encode())
    zones = resolve_zones({source.path: source}, zone_settings(policy))
    rules = {"python": tuple(r for r in all_rules()["python"] if r.id == "python.magic-number")}
    engine = PatternEngine(rules, check_settings(policy))
    return sorted(hit.line for hit in engine.scan(source, zones[source.path]))


def test_only_the_unnamed_literals_in_logic_are_flagged() -> None:
    expected = [i for i, line in enumerate(MODULE.splitlines(), 1) if line.endswith("# flag")]
    assert flagged_lines(MODULE) == expected


def test_a_lower_case_local_name_does_not_name_a_literal() -> None:
    assert flagged_lines("def f():\n    limit = 50\n    return limit\n") == [2]


def test_a_unit_factor_outside_a_conversion_is_still_magic() -> None:
    assert flagged_lines("def f(x):\n    return x > 1000 or x + 60\n") == [2, 2]


def test_a_module_level_assignment_names_its_literal() -> None:
    script = (
        "max_tries = 60 * 5  # five minutes\nwait_seconds = 1.5\n\n\ndef f(x):\n    return x * 37\n"
    )
    assert flagged_lines(script) == [6]


def test_the_exponent_of_a_square_root_is_not_magic() -> None:
    script = "def f(n, x):\n    top = int(n**0.5) + 1\n    return x**1.7, x * 0.5, top\n"
    assert flagged_lines(script) == [3, 3]
