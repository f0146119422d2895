"""Stage 7: Security Verification.

No check of this stage is implemented yet, so the pipeline reports it as ERROR
("not implemented"): an unverified stage never passes.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef

STAGE = StageDef(number=7, name="security", title="Security Verification", checks=())
