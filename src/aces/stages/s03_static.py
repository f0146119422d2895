"""Stage 3: Static Analysis & Code Quality.

No check of this stage is implemented yet, so the pipeline reports it as ERROR
("not implemented"): an unverified stage never passes.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef

STAGE = StageDef(number=3, name="static", title="Static Analysis & Code Quality", checks=())
