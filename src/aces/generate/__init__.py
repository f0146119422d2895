"""Generators: CI pipelines for GitHub Actions, GitLab CI and Buildkite, and the scaffolding.

Every generator is pure: it returns text (or a mapping of relative path to text) and never
touches the file system; the CLI writes. The CI pipelines read the one stage registry
(``aces.stages.STAGES``), so their jobs cannot drift from the stages ``aces run`` knows.
"""

from __future__ import annotations
