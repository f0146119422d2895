"""Stage 2: Schema & State Machine Validation.

The protobuf contract (``schema.*``) and the state-machine contract (``sm.*``):
the checks live in ``schema_proto``, ``schema_generated`` (committed
protobuf Python code matches its .proto) and ``schema_sm``; this module only orders them.
"""

from __future__ import annotations

from aces.pipeline.registry import StageDef
from aces.stages.schema_generated import GENERATED_CHECKS
from aces.stages.schema_proto import PROTO_CHECKS
from aces.stages.schema_sm import SM_CHECKS

STAGE = StageDef(
    number=2,
    name="schema",
    title="Schema & State Machine Validation",
    checks=PROTO_CHECKS + GENERATED_CHECKS + SM_CHECKS,
)
