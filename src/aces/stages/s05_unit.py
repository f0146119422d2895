"""Stage 5: Unit Test Verification.

No check of this stage is implemented yet, so the pipeline reports it as ERROR
("not implemented"): an unverified stage never passes.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef

STAGE = StageDef(number=5, name="unit", title="Unit Test Verification", checks=())
