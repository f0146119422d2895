"""Build flags that make artifacts non-deterministic or non-portable.

Rule ids under ``build.deterministic-flags``. Scans build configuration text; no subprocess,
no knowledge of stages.
"""

from __future__ import annotations

from aces.engines.buildflags.scan import (
    FlagIssue,
    build_time_issues,
    date_macro_issues,
    is_build_config,
    is_c_source,
    native_issues,
    remap_issues,
    scanners_for,
)

__all__ = [
    "FlagIssue",
    "build_time_issues",
    "date_macro_issues",
    "is_build_config",
    "is_c_source",
    "native_issues",
    "remap_issues",
    "scanners_for",
]
