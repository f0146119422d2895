"""Stage 2: Schema & State Machine Validation.

No check of this stage is implemented yet, so the pipeline reports it as ERROR
("not implemented"): an unverified stage never passes.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef

STAGE = StageDef(number=2, name="schema", title="Schema & State Machine Validation", checks=())
