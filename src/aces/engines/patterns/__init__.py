"""Native stage 3 analyses on one tree-sitter parse per file: patterns, complexity, layers.

- ``ruleset``: the forbidden-pattern rules, shipped as data (``rules/*.toml``);
- ``engine``: every rule of a language in one combined query, refined by checks;
- ``zones``: test and startup code, resolved across the project;
- ``complexity``: cyclomatic complexity and nesting depth per function;
- ``imports`` / ``layers``: declared dependencies and layer boundaries.
"""

from __future__ import annotations

from aces.engines.patterns.checks import CheckSettings
from aces.engines.patterns.complexity import FunctionMetrics, measure
from aces.engines.patterns.engine import Hit, PatternEngine, scan_all
from aces.engines.patterns.project import (
    ParsedProject,
    check_settings,
    code_files,
    parse_project,
    zone_settings,
)
from aces.engines.patterns.ruleset import Rule, all_rules, load_rules
from aces.engines.patterns.source import SourceFile, parse_source
from aces.engines.patterns.zones import TEST, Zones

__all__ = [
    "TEST",
    "CheckSettings",
    "FunctionMetrics",
    "Hit",
    "ParsedProject",
    "PatternEngine",
    "Rule",
    "SourceFile",
    "Zones",
    "all_rules",
    "check_settings",
    "code_files",
    "load_rules",
    "measure",
    "parse_project",
    "parse_source",
    "scan_all",
    "zone_settings",
]
