"""The committed coverage baseline: line coverage per file, the ratchet's reference.

Format (JSON, keys sorted, two decimals)::

    {"aces_coverage_baseline": 1, "files": {"src/pkg/a.py": 92.5, ...}}

``render_baseline`` writes it from a report; ``parse_baseline`` reads it back
and refuses anything else, naming the file. Raise the baseline when coverage
rises (regenerate and commit); it can never be lowered without the drop being
visible in review.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aces.errors import InputError
from aces.nesting import parse_bounded

FORMAT_KEY = "aces_coverage_baseline"
FORMAT_VERSION = 1


def render_baseline(percent_by_file: Mapping[str, float]) -> str:
    """The baseline JSON text for these per-file percentages."""
    files = {path: round(value, 2) for path, value in sorted(percent_by_file.items())}
    doc = {FORMAT_KEY: FORMAT_VERSION, "files": files}
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def parse_baseline(text: str, name: str) -> dict[str, float]:
    """Per-file percentages of the baseline ``text`` of the file ``name``."""
    hint = "regenerate the baseline (docs/stage5-tests.md) and commit it"
    try:
        doc = parse_bounded(
            json.loads, text, name, "json", lambda message: InputError(f"{name}: {message}")
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{name}:{exc.lineno}:{exc.colno}: not JSON ({exc.msg})", hint=hint
        ) from exc
    if not isinstance(doc, dict) or doc.get(FORMAT_KEY) != FORMAT_VERSION:
        raise InputError(
            f'{name}: not an ACES coverage baseline (expected "{FORMAT_KEY}": {FORMAT_VERSION})',
            hint=hint,
        )
    files = doc.get("files")
    if not isinstance(files, dict):
        raise InputError(f'{name}: "files" must be an object', hint=hint)
    out: dict[str, float] = {}
    for path, value in files.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise InputError(
                f"{name}: files[{path!r}] must be a percentage from 0 to 100, found {value!r}",
                hint=hint,
            )
        out[path] = float(value)
    return out
