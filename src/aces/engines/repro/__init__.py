"""Reproducible builds: two builds under varied conditions, compared byte for byte.

``build.reproduce`` runs the policy's build twice; ``diagnose`` names why an
artifact differs (timestamp, embedded build path, ordering); ``sizes`` compares
artifact sizes with a committed baseline. No knowledge of stages or the CLI.
"""

from __future__ import annotations

from aces.engines.repro.artifacts import Artifact, digest_artifact, find_artifacts
from aces.engines.repro.build import BuildPlan, BuildPrograms, Reproduction, reproduce
from aces.engines.repro.diagnose import Cause, Difference, diagnose, first_difference
from aces.engines.repro.sizes import SizeIssue, SizeIssueKind, parse_baseline, size_issues
from aces.engines.repro.variants import Variant, pick_other_locale, variants

__all__ = [
    "Artifact",
    "BuildPlan",
    "BuildPrograms",
    "Cause",
    "Difference",
    "Reproduction",
    "SizeIssue",
    "SizeIssueKind",
    "Variant",
    "diagnose",
    "digest_artifact",
    "find_artifacts",
    "first_difference",
    "parse_baseline",
    "pick_other_locale",
    "reproduce",
    "size_issues",
    "variants",
]
