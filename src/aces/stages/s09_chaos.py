"""Stage 9: Chaos & Adversarial Testing.

No check of this stage is implemented yet, so the pipeline reports it as ERROR
("not implemented"): an unverified stage never passes.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef

STAGE = StageDef(number=9, name="chaos", title="Chaos & Adversarial Testing", checks=())
