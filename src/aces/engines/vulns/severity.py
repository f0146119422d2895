"""The severity of an advisory: CVSS base scores, with fail-closed fallbacks.

CVSS v3.0 / v3.1 base scores are computed here with the published formula
(FIRST's specification, section 7); v2 and v4 vectors are scored by the
``cvss`` package. An advisory's score is the highest of its vectors (top
level and per affected package). When it has none, the
``database_specific.severity`` level (GitHub's CRITICAL / HIGH / MODERATE /
LOW, or Ubuntu's priorities) stands in with a representative score. A vector
that does not parse, or a record with no severity at all, has an *unknown*
score: it counts as above any threshold (fail closed) and says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from cvss import CVSS2, CVSS4

# Base metric weights of CVSS v3.x (specification table 15).
_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_PR_UNCHANGED = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_CHANGED = {"N": 0.85, "L": 0.68, "H": 0.5}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}
_BASE_VALUES: dict[str, frozenset[str]] = {
    "AV": frozenset(_AV),
    "AC": frozenset(_AC),
    "PR": frozenset(_PR_UNCHANGED),
    "UI": frozenset(_UI),
    "S": frozenset("UC"),
    "C": frozenset(_CIA),
    "I": frozenset(_CIA),
    "A": frozenset(_CIA),
}
# Temporal and environmental metrics may follow; they do not change the base score.
_OTHER_METRICS = frozenset(
    {"E", "RL", "RC", "CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"}
)
LEVEL_SCORES: dict[str, float] = {
    "critical": 9.0,
    "high": 7.0,
    "moderate": 4.0,
    "medium": 4.0,
    "low": 0.1,
    "negligible": 0.1,
}


class CvssError(ValueError):
    """A CVSS vector that does not parse."""


@dataclass(frozen=True)
class Score:
    """A severity: ``value`` None means unknown, which always exceeds a threshold."""

    value: float | None
    source: str
    note: str = ""
    absent: bool = False  # the record has no severity at all (not a bad one)

    def exceeds(self, threshold: float) -> bool:
        """Whether the advisory fails at ``threshold`` (unknown always does)."""
        return self.value is None or self.value > threshold

    def describe(self) -> str:
        """The score as a message shows it."""
        shown = "unknown" if self.value is None else f"{self.value:.1f}"
        note = f"; {self.note}" if self.note else ""
        return f"severity {shown} ({self.source}{note})"


def cvss3_base_score(vector: str) -> float:
    """The CVSS v3.0 / v3.1 base score of ``vector``; CvssError when it does not parse."""
    prefix, _, body = vector.strip().partition("/")
    if prefix not in ("CVSS:3.0", "CVSS:3.1"):
        raise CvssError(f"{vector!r} does not start with CVSS:3.0/ or CVSS:3.1/")
    metrics = _metrics(vector, body)
    scope_changed = metrics["S"] == "C"
    iss = 1 - (1 - _CIA[metrics["C"]]) * (1 - _CIA[metrics["I"]]) * (1 - _CIA[metrics["A"]])
    changed_impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
    impact = changed_impact if scope_changed else 6.42 * iss
    privileges = (_PR_CHANGED if scope_changed else _PR_UNCHANGED)[metrics["PR"]]
    exploitability = (
        8.22 * _AV[metrics["AV"]] * _AC[metrics["AC"]] * privileges * _UI[metrics["UI"]]
    )
    if impact <= 0:
        return 0.0
    total = (impact + exploitability) * (1.08 if scope_changed else 1.0)
    return _roundup(min(total, 10.0), v30=prefix == "CVSS:3.0")


def _metrics(vector: str, body: str) -> dict[str, str]:
    """metric -> value of a v3 vector; every base metric once, nothing unknown."""
    metrics: dict[str, str] = {}
    for part in body.split("/"):
        name, sep, value = part.partition(":")
        known = name in _BASE_VALUES or name in _OTHER_METRICS
        if not sep or not value or not known or name in metrics:
            raise CvssError(f"{vector!r}: bad or repeated metric {part!r}")
        if name in _BASE_VALUES and value not in _BASE_VALUES[name]:
            raise CvssError(f"{vector!r}: {name} cannot be {value!r}")
        metrics[name] = value
    missing = [name for name in _BASE_VALUES if name not in metrics]
    if missing:
        raise CvssError(f"{vector!r}: missing base metric(s) {', '.join(missing)}")
    return metrics


def _roundup(value: float, *, v30: bool) -> float:
    """Round up to one decimal: v3.1's float-safe Roundup, v3.0's plain ceiling."""
    if v30:
        return math.ceil(value * 10) / 10
    scaled = round(value * 100_000)
    if scaled % 10_000 == 0:
        return scaled / 100_000.0
    return (math.floor(scaled / 10_000) + 1) / 10.0


def vector_score(kind: str, vector: str) -> float:
    """The base score of one OSV severity entry; CvssError when it cannot be scored."""
    try:
        if kind == "CVSS_V3" or vector.startswith("CVSS:3."):
            return cvss3_base_score(vector)
        if kind == "CVSS_V4" or vector.startswith("CVSS:4."):
            return float(CVSS4(vector).base_score)
        if kind == "CVSS_V2":
            return float(CVSS2(vector).base_score)
    except CvssError:
        raise
    except Exception as exc:  # the cvss package raises several types; each means "not scored"
        raise CvssError(f"{vector!r}: {exc}") from exc
    if kind == "Ubuntu" and vector.lower() in LEVEL_SCORES:
        return LEVEL_SCORES[vector.lower()]
    raise CvssError(f"severity type {kind!r} ({vector!r}) is not one ACES can score")


def advisory_score(entries: Iterable[tuple[str, str]], level: str) -> Score:
    """The score of an advisory from its severity entries, then its severity level."""
    best: tuple[float, str] | None = None
    bad: list[str] = []
    for kind, vector in entries:
        try:
            value = vector_score(kind, vector)
        except CvssError:
            bad.append(vector)
            continue
        if best is None or value > best[0]:
            best = (value, vector)
    if bad:
        shown = best[1] if best else "no other vector"
        return Score(None, shown, f"vector {bad[0]!r} does not parse: counted as above 0")
    if best is not None:
        return Score(best[0], best[1])
    if level.lower() in LEVEL_SCORES:
        return Score(LEVEL_SCORES[level.lower()], f"severity level {level}")
    return Score(None, "no CVSS vector or known severity level", "counted as above 0", absent=True)
