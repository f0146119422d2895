"""The JSON report: ``RunReport.to_dict()`` serialised byte-stably.

Keys are sorted, indentation is two spaces and the text ends with a newline, so
two runs on the same inputs give the same bytes apart from the ``timing`` block
(leave it out with ``with_timing=False``). The shape is documented in
``docs/report-schema.md`` and fixed by ``schema/report-1.0.schema.json``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from aces.model import REPORT_SCHEMA_VERSION, RunReport

SCHEMA_RESOURCE = f"report-{REPORT_SCHEMA_VERSION}.schema.json"


def render_json(report: RunReport, *, with_timing: bool = True) -> str:
    """The report as canonical JSON text (sorted keys, 2-space indent, trailing newline)."""
    data = report.to_dict(with_timing=with_timing)
    # ensure_ascii=False keeps paths and messages readable; the bytes stay UTF-8 and stable.
    return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the current report version, from package data."""
    text = resources.files("aces.report").joinpath("schema", SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
