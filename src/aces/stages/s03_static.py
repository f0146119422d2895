"""Stage 3: Static Analysis & Code Quality.

The linters of each language (``static_tools``) and the native analyses on a
tree-sitter parse: forbidden patterns, suppressions, layers and complexity
(``static_patterns``); this module only orders them.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef
from aces.stages.static_patterns import PATTERN_CHECKS
from aces.stages.static_tools import TOOL_CHECKS

STAGE = StageDef(
    number=3,
    name="static",
    title="Static Analysis & Code Quality",
    checks=TOOL_CHECKS + PATTERN_CHECKS,
)
