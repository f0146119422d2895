"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

One run; ``tool.driver`` names aces and carries one rule per rule id, from
``report.rules`` plus any rule id a finding uses that the report did not
describe (so every ``ruleIndex`` resolves). Every finding is a result with a
``%SRCROOT%``-relative location, a region only as far as it is known, the
line-free ACES fingerprint (and, given the repository, GitHub's
``primaryLocationLineHash``) and the doctrine clauses. Rules are described as
GitHub reads them (``aces.report.sarif_rules``). A run holds at most 25,000
results, GitHub's limit: past it the most severe are kept and a notification
counts the rest.

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
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aces.model import Finding, Location, RuleInfo, RunReport, Severity, Status, Verdict
from aces.report.common import LocatedFinding, iter_findings, policy_file, stage_slug
from aces.report.grouping import SEVERITY_RANK
from aces.report.line_hash import repository_line_counts, repository_line_hashes
from aces.report.outbound import clean_data, escape_path
from aces.report.sarif_rules import sarif_rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
TOOL_NAME = "aces"
# Where a user of the SARIF log learns about the tool; override per deployment.
DEFAULT_INFORMATION_URI = "https://github.com/arqonbus/aces"
# Where the rules' documentation pages (docs/*.md) are published, below the information URI.
DOCS_PATH = "/blob/main/docs"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "acesFingerprint/v1"
LINE_HASH_KEY = "primaryLocationLineHash"
# GitHub code scanning rejects an upload with more results in a run.
MAX_RESULTS = 25_000
CAPPED_ID = "aces.results-capped"

_NOTIFICATION_LEVEL: dict[Status, str] = {
    Status.ERROR: "error",
    Status.BLOCKED: "warning",
    Status.NOT_RUN: "warning",
    Status.NOT_APPLICABLE: "note",
}

_STAGE_NOTIFICATION_LEVEL: dict[Status, str] = {**_NOTIFICATION_LEVEL, Status.FAIL: "error"}


def render_sarif(
    report: RunReport,
    *,
    information_uri: str = DEFAULT_INFORMATION_URI,
    source_root: Path | None = None,
    max_results: int = MAX_RESULTS,
) -> str:
    """The report as a SARIF 2.1.0 log (sorted keys, 2-space indent, trailing newline).

    Secrets are masked in every text (``aces.report.outbound``); artifact URIs
    percent-encode the bytes of the file name, so any name is a valid URI.
    With ``source_root`` (the repository the findings are in), results on a
    line carry GitHub's ``primaryLocationLineHash`` and a finding on a whole file
    has a region spanning its lines. At most ``max_results``
    results are written, the most severe first; a notification says how many
    were left out (the verdict, as ever, counts them all).
    """
    selected = _select(list(iter_findings(report)), max_results)
    placed = _placed(selected, policy_file(report), source_root)
    hashes = _line_hashes(placed, source_root)
    log = {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [_run(report, information_uri, selected, placed, hashes)],
    }
    text: str = clean_data(
        json.dumps(clean_data(log), sort_keys=True, indent=2, ensure_ascii=False)
    )
    return text + "\n"


def _select(items: list[LocatedFinding], max_results: int) -> list[LocatedFinding]:
    """The findings to write: all, or the ``max_results`` most severe, in report order."""
    if len(items) <= max_results:
        return items
    ranked = sorted(
        range(len(items)),
        key=lambda i: (SEVERITY_RANK[items[i].finding.severity], items[i].stage.number, i),
    )
    return [items[i] for i in sorted(ranked[:max_results])]


def _placed(items: list[LocatedFinding], fallback: str, source_root: Path | None) -> list[Location]:
    """Where each result is shown: its finding's place, else the policy file.

    A place without a line (a whole file) spans the file's lines when the
    repository is at hand, so every result has a region.
    """
    places = [item.finding.location or Location(fallback) for item in items]
    whole = {place.path for place in places if place.line is None}
    counts = repository_line_counts(source_root, whole) if source_root and whole else {}
    return [
        Location(place.path, 1, end_line=counts[place.path])
        if place.line is None and place.path in counts
        else place
        for place in places
    ]


def _line_hashes(places: list[Location], source_root: Path | None) -> dict[tuple[str, int], str]:
    if source_root is None:
        return {}
    wanted: dict[str, set[int]] = {}
    for location in places:
        if location.line is not None and location.line >= 1:
            wanted.setdefault(location.path, set()).add(location.line)
    return repository_line_hashes(source_root, wanted)


def _run(
    report: RunReport,
    information_uri: str,
    selected: list[LocatedFinding],
    placed: list[Location],
    hashes: dict[tuple[str, int], str],
) -> dict[str, Any]:
    rules = _rules(report)
    index = {rule.rule_id: i for i, rule in enumerate(rules)}
    severities = _rule_severities(report)
    docs_uri = information_uri.rstrip("/") + DOCS_PATH
    total = sum(1 for _ in iter_findings(report))
    run_properties: dict[str, Any] = {
        "verdict": report.verdict.value,
        "exitCode": report.verdict.exit_code,
        "doctrineVersion": report.doctrine_version,
        "policySource": report.policy_source,
        "policyVersion": report.policy_version,
    }
    if len(selected) < total:
        run_properties["resultsTotal"] = total
        run_properties["resultsOmitted"] = total - len(selected)
    return {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": report.aces_version,
                "semanticVersion": report.aces_version,
                "informationUri": information_uri,
                "rules": [
                    sarif_rule(r, severities.get(r.rule_id, Severity.ERROR), docs_uri)
                    for r in rules
                ],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root."}}},
        "columnKind": "unicodeCodePoints",
        "invocations": [_invocation(report, index, total - len(selected), total)],
        "results": [
            _result(item, place, index, hashes)
            for item, place in zip(selected, placed, strict=True)
        ],
        "properties": run_properties,
    }


def _rule_severities(report: RunReport) -> dict[str, Severity]:
    """Each rule id's most severe finding in the run."""
    out: dict[str, Severity] = {}
    for item in iter_findings(report):
        finding = item.finding
        current = out.get(finding.rule_id)
        if current is None or SEVERITY_RANK[finding.severity] < SEVERITY_RANK[current]:
            out[finding.rule_id] = finding.severity
    return out


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


def _result(
    item: LocatedFinding,
    place: Location,
    index: dict[str, int],
    hashes: dict[tuple[str, int], str],
) -> dict[str, Any]:
    finding = item.finding
    fingerprints = {FINGERPRINT_KEY: finding.fingerprint}
    if place.line is not None:
        line_hash = hashes.get((place.path, place.line))
        if line_hash is not None:
            fingerprints[LINE_HASH_KEY] = line_hash
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": finding.severity.value,
        "message": {"text": _message_text(finding)},
        "partialFingerprints": fingerprints,
        "properties": {
            "clauses": list(finding.clauses),
            "check": item.check.check_id,
            "stage": stage_slug(item.stage),
        },
    }
    result["locations"] = [_location(place)]
    if finding.location is None:
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


def _invocation(
    report: RunReport, index: dict[str, int], omitted: int, total: int
) -> dict[str, Any]:
    notifications = [*_check_notifications(report, index), *_stage_notifications(report)]
    if omitted:
        notifications.append(_capped_notification(omitted, total))
    invocation: dict[str, Any] = {
        "executionSuccessful": report.verdict is not Verdict.ERROR,
        "exitCode": report.verdict.exit_code,
    }
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _capped_notification(omitted: int, total: int) -> dict[str, Any]:
    shown = total - omitted
    return {
        "level": "warning",
        "message": {
            "text": f"{omitted} of {total} findings are not in this log: GitHub code scanning "
            f"accepts at most {shown} results per run, so the most severe are kept. "
            "report.json lists every finding, and the verdict counts them all."
        },
        "descriptor": {"id": CAPPED_ID},
        "properties": {"resultsTotal": total, "resultsOmitted": omitted},
    }


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
