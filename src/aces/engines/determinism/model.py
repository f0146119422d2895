"""What the determinism scanners report: one hazard at a place in test code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The two ways a test stops being deterministic."""

    RANDOMNESS = "randomness"  # test.seeded-randomness
    CLOCK = "clock"  # test.time-independence


@dataclass(frozen=True, order=True)
class Hazard:
    """A use of unseeded randomness or of the wall clock in test code.

    ``rule`` is the finer rule id suffix (``unseeded``, ``wall-clock``, ``sleep``,
    ``property-seed``); ``what`` names the call as written (``random.randint``).
    """

    path: str
    line: int
    column: int
    kind: Kind
    rule: str
    what: str
    message: str
