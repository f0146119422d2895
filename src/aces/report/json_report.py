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
from aces.report.outbound import clean_data, escape_path

SCHEMA_RESOURCE = f"report-{REPORT_SCHEMA_VERSION}.schema.json"


def render_json(report: RunReport, *, with_timing: bool = True) -> str:
    """The report as canonical JSON text (sorted keys, 2-space indent, trailing newline).

    Secrets are masked and paths escaped (``aces.report.outbound``); fingerprints are
    those of the findings as the checks made them.
    """
    data = clean_data(escape_paths(report.to_dict(with_timing=with_timing)))
    # ensure_ascii=False keeps paths and messages readable; the bytes stay UTF-8 and stable.
    text: str = clean_data(json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False))
    return text + "\n"


def escape_paths(data: dict[str, Any]) -> dict[str, Any]:
    """The report's dict with every repository path escaped as the console shows it (in place)."""
    policy = data.get("policy")
    if isinstance(policy, dict) and isinstance(policy.get("source"), str):
        policy["source"] = escape_path(policy["source"])
    change = data.get("change")
    if isinstance(change, dict):
        change["changed_files"] = [escape_path(p) for p in change.get("changed_files", [])]
        classes = change.get("classes", {})
        change["classes"] = {
            name: [escape_path(p) for p in paths] for name, paths in classes.items()
        }
    for stage in data.get("stages", []):
        for check in stage.get("checks", []):
            for finding in check.get("findings", []):
                location = finding.get("location")
                if isinstance(location, dict):
                    location["path"] = escape_path(location["path"])
    return data


def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the current report version, from package data."""
    text = resources.files("aces.report").joinpath("schema", SCHEMA_RESOURCE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
