"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

One run; ``tool.driver`` names aces and carries one rule per rule id, from
``report.rules`` plus any rule id a finding uses that the report did not
describe (so every ``ruleIndex`` resolves). Every finding is a result with a
``%SRCROOT%``-relative location, a region only as far as it is known, the
line-free ACES fingerprint and the doctrine clauses.

GitHub rejects a result without a location, so a finding that has no place in
the repository is reported on the policy file of the run (``aces.toml`` when
the doctrine defaults were used) with ``properties.acesLocation`` set to
``"policy-file"``. Checks and stages that could not verify (ERROR), were
blocked, not run or not applicable are tool execution notifications of the
invocation, so they never vanish; ``executionSuccessful`` is false exactly when
the verdict is ERROR.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from aces.model import Finding, Location, RuleInfo, RunReport, Status, Verdict
from aces.report.common import LocatedFinding, iter_findings, stage_slug
from aces.report.outbound import clean_data, escape_path

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "aces"
# Where a user of the SARIF log learns about the tool; override per deployment.
DEFAULT_INFORMATION_URI = "https://github.com/arqonbus/aces"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "acesFingerprint/v1"
DEFAULT_POLICY_FILE = "aces.toml"

_NOTIFICATION_LEVEL: dict[Status, str] = {
    Status.ERROR: "error",
    Status.BLOCKED: "warning",
    Status.NOT_RUN: "warning",
    Status.NOT_APPLICABLE: "note",
}

_STAGE_NOTIFICATION_LEVEL: dict[Status, str] = {**_NOTIFICATION_LEVEL, Status.FAIL: "error"}


def render_sarif(report: RunReport, *, information_uri: str = DEFAULT_INFORMATION_URI) -> str:
    """The report as a SARIF 2.1.0 log (sorted keys, 2-space indent, trailing newline).

    Secrets are masked in every text (``aces.report.outbound``); artifact URIs
    percent-encode the bytes of the file name, so any name is a valid URI.
    """
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [_run(report, information_uri)],
    }
    text: str = clean_data(
        json.dumps(clean_data(log), sort_keys=True, indent=2, ensure_ascii=False)
    )
    return text + "\n"


def _run(report: RunReport, information_uri: str) -> dict[str, Any]:
    rules = _rules(report)
    index = {rule.rule_id: i for i, rule in enumerate(rules)}
    fallback = _policy_file(report)
    return {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": report.aces_version,
                "semanticVersion": report.aces_version,
                "informationUri": information_uri,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root."}}},
        "columnKind": "unicodeCodePoints",
        "invocations": [_invocation(report, index)],
        "results": [_result(item, index, fallback) for item in iter_findings(report)],
        "properties": {
            "verdict": report.verdict.value,
            "exitCode": report.verdict.exit_code,
            "doctrineVersion": report.doctrine_version,
            "policySource": report.policy_source,
            "policyVersion": report.policy_version,
        },
    }


def _rules(report: RunReport) -> list[RuleInfo]:
    """The report's rules plus a minimal one for every undescribed rule id, sorted by id."""
    known = {rule.rule_id: rule for rule in report.rules}
    for item in iter_findings(report):
        finding = item.finding
        if finding.rule_id not in known:
            known[finding.rule_id] = RuleInfo(
                rule_id=finding.rule_id,
                title=f"{finding.rule_id} (check {item.check.check_id})",
                clauses=finding.clauses,
                help=finding.help,
            )
    return [known[rule_id] for rule_id in sorted(known)]


def _rule(rule: RuleInfo) -> dict[str, Any]:
    title = rule.title or rule.rule_id
    help_text = rule.help or f"See `aces explain {rule.rule_id}`."
    markdown = help_text
    if rule.clauses:
        markdown += "\n\nDoctrine clauses: " + ", ".join(f"`{c}`" for c in rule.clauses)
    return {
        "id": rule.rule_id,
        "shortDescription": {"text": title},
        "fullDescription": {"text": rule.description or title},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["aces", *rule.clauses], "clauses": list(rule.clauses)},
    }


def _result(item: LocatedFinding, index: dict[str, int], fallback: str) -> dict[str, Any]:
    finding = item.finding
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": finding.severity.value,
        "message": {"text": _message_text(finding)},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "clauses": list(finding.clauses),
            "check": item.check.check_id,
            "stage": stage_slug(item.stage),
        },
    }
    if finding.location is not None:
        result["locations"] = [_location(finding.location)]
    else:
        result["locations"] = [_location(Location(fallback))]
        result["properties"]["acesLocation"] = "policy-file"
    return result


def _message_text(finding: Finding) -> str:
    return finding.message if finding.message.strip() else finding.rule_id


def _location(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(location.path)}
    region = _region(location)
    if region:
        physical["region"] = region
    return {"physicalLocation": physical}


def _artifact(path: str) -> dict[str, Any]:
    if path.startswith("/"):
        # Not repository-relative (should not happen): keep it absolute, without a base.
        return {"uri": "file://" + quote(_name_bytes(path), safe="/")}
    relative = path.removeprefix("./")
    # safe="/" also escapes ':' so a first segment can never read as a URI scheme.
    return {"uri": quote(_name_bytes(relative), safe="/"), "uriBaseId": SRCROOT}


def _name_bytes(path: str) -> bytes:
    """The bytes of a file name (undecodable ones were kept as surrogates), to percent-encode."""
    try:
        return path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte: encode what is shown
        return escape_path(path).encode("utf-8")


def _region(location: Location) -> dict[str, int]:
    """The known, valid part of the region; SARIF lines and columns start at 1."""
    line, column = location.line, location.column
    if line is None or line < 1:
        return {}
    region = {"startLine": line}
    if column is not None and column >= 1:
        region["startColumn"] = column
    end_line = line if location.end_line is None else location.end_line
    if end_line < line:
        # An end before the start is garbage from the producer: keep only the start.
        return region
    if location.end_line is not None:
        region["endLine"] = end_line
    end_column = location.end_column
    ends_after_start = end_column is not None and (
        end_line > line or end_column >= region.get("startColumn", 1)
    )
    if end_column is not None and end_column >= 1 and ends_after_start:
        region["endColumn"] = end_column
    return region


def _policy_file(report: RunReport) -> str:
    """The repository file a finding without a place is reported on."""
    source = report.policy_source
    looks_like_path = (
        source
        and not source.startswith(("/", "<"))
        and "://" not in source
        and not any(ch.isspace() for ch in source)
    )
    return source if looks_like_path else DEFAULT_POLICY_FILE


def _invocation(report: RunReport, index: dict[str, int]) -> dict[str, Any]:
    notifications = [*_check_notifications(report, index), *_stage_notifications(report)]
    invocation: dict[str, Any] = {
        "executionSuccessful": report.verdict is not Verdict.ERROR,
        "exitCode": report.verdict.exit_code,
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _check_notifications(report: RunReport, index: dict[str, int]) -> list[dict[str, Any]]:
    out = []
    for stage in report.stages:
        for check in stage.checks:
            level = _NOTIFICATION_LEVEL.get(check.status)
            if level is None:
                continue
            reason = check.reason or check.status.value
            note: dict[str, Any] = {
                "level": level,
                "message": {"text": f"{check.check_id}: {check.status.value}: {reason}"},
                "descriptor": {"id": check.check_id},
                "properties": {
                    "status": check.status.value,
                    "stage": stage_slug(stage),
                    "clauses": list(check.clauses),
                },
            }
            if check.check_id in index:
                note["associatedRule"] = {
                    "id": check.check_id,
                    "index": index[check.check_id],
                }
            out.append(note)
    return out


def _stage_notifications(report: RunReport) -> list[dict[str, Any]]:
    out = []
    for stage in report.stages:
        # A stage without check results says everything in its own status and reason.
        level = _STAGE_NOTIFICATION_LEVEL.get(stage.status)
        if level is None or stage.checks:
            continue
        slug = stage_slug(stage)
        reason = stage.reason or stage.status.value
        out.append(
            {
                "level": level,
                "message": {"text": f"stage {slug}: {stage.status.value}: {reason}"},
                "descriptor": {"id": slug},
                "properties": {"status": stage.status.value, "stage": slug},
            }
        )
    return out
