"""Artifact sizes against a committed baseline (``build.size-deviation``).

The baseline is a JSON file the repository commits::

    {
      "format": "aces-artifact-sizes/1",
      "artifacts": {"target/release/libarqonbus_frame.rlib": 48216}
    }

Keys are artifact paths relative to the repository root (as the policy's
artifact globs find them), values are sizes in bytes. Pure functions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from aces.errors import InputError
from aces.nesting import parse_bounded

BASELINE_FORMAT = "aces-artifact-sizes/1"


class SizeIssueKind(StrEnum):
    """What is wrong with one artifact's size."""

    DEVIATION = "deviation"  # beyond the threshold
    NOT_IN_BASELINE = "not-in-baseline"  # a new artifact nobody recorded
    NOT_BUILT = "not-built"  # the baseline records an artifact the build no longer makes


@dataclass(frozen=True)
class SizeIssue:
    """One artifact whose size cannot be accepted, with both sizes when known."""

    artifact: str
    kind: SizeIssueKind
    baseline: int | None
    size: int | None
    percent: float | None  # signed change against the baseline

    def message(self, threshold: float) -> str:
        """The one-line description of the issue."""
        if self.kind is SizeIssueKind.NOT_IN_BASELINE:
            return f"artifact {self.artifact} ({self.size} bytes) is not in the size baseline"
        if self.kind is SizeIssueKind.NOT_BUILT:
            return f"the size baseline lists {self.artifact}, which the build no longer produces"
        return (
            f"artifact {self.artifact} is {self.size} bytes, baseline {self.baseline} bytes: "
            f"{self.percent:+.1f}% exceeds the allowed {threshold:g}%"
        )


def parse_baseline(text: str, path: str) -> dict[str, int]:
    """The artifact -> size mapping of a baseline file; ``InputError`` when malformed."""
    hint = "see docs/stage4-build.md for the baseline format"
    try:
        data = parse_bounded(json.loads, text, path, "json")
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=path, hint=hint) from exc
    if not isinstance(data, dict) or data.get("format") != BASELINE_FORMAT:
        raise InputError(
            f'expected an object with "format": "{BASELINE_FORMAT}"', path=path, hint=hint
        )
    artifacts = data.get("artifacts")
    if not isinstance(artifacts, dict):
        raise InputError('expected "artifacts": an object of path -> size', path=path, hint=hint)
    sizes: dict[str, int] = {}
    for name, size in artifacts.items():
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise InputError(
                f"size of {name!r} must be a non-negative integer of bytes, found {size!r}",
                path=path,
                hint=hint,
            )
        sizes[name] = size
    return dict(sorted(sizes.items()))


def render_baseline(sizes: Mapping[str, int]) -> str:
    """The baseline file recording ``sizes`` (sorted keys, a final newline)."""
    data = {"format": BASELINE_FORMAT, "artifacts": dict(sorted(sizes.items()))}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def deviation_percent(baseline: int, size: int) -> float:
    """Signed change of ``size`` against ``baseline`` in percent (from zero: 0 or infinite)."""
    if baseline == 0:
        return 0.0 if size == 0 else float("inf")
    return (size - baseline) * 100.0 / baseline


def size_issues(
    baseline: Mapping[str, int], sizes: Mapping[str, int], threshold: float
) -> tuple[SizeIssue, ...]:
    """Every artifact beyond ``threshold`` percent either way, unrecorded, or no longer built."""
    issues: list[SizeIssue] = []
    for name in sorted(set(baseline) | set(sizes)):
        if name not in baseline:
            issues.append(SizeIssue(name, SizeIssueKind.NOT_IN_BASELINE, None, sizes[name], None))
        elif name not in sizes:
            issues.append(SizeIssue(name, SizeIssueKind.NOT_BUILT, baseline[name], None, None))
        else:
            percent = deviation_percent(baseline[name], sizes[name])
            if abs(percent) > threshold:
                issues.append(
                    SizeIssue(name, SizeIssueKind.DEVIATION, baseline[name], sizes[name], percent)
                )
    return tuple(issues)
