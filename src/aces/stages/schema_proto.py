"""Stage 2 checks of the protobuf contract (``schema.*``)."""

from __future__ import annotations

from aces.pipeline.check import Check

PROTO_CHECKS: tuple[Check, ...] = ()
