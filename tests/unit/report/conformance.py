"""Validators of the report formats against the schemas their consumers use.

The schema files under ``schemas/`` are the consumers' own (see ``schemas/SOURCES.md``):
the OASIS SARIF 2.1.0 schema, the copy GitHub's upload-sarif action validates
with, the Jenkins xunit plugin's ``junit-10.xsd``; and, written here from their
published descriptions, the Apache Ant JUnit format and GitLab's Code Quality format.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
from lxml import etree

SCHEMAS = Path(__file__).resolve().parent / "schemas"
JUNIT_XSD = SCHEMAS / "junit-10.jenkins-xunit.xsd"
JUNIT_ANT_XSD = SCHEMAS / "junit-ant.xsd"
SARIF_OASIS = SCHEMAS / "sarif-schema-2.1.0.oasis-errata01.json"
SARIF_GITHUB = SCHEMAS / "sarif-schema-2.1.0.codeql-action.json"
CODE_QUALITY = SCHEMAS / "gitlab-codequality.schema.json"


def junit_errors(xml_text: str, xsd: Path = JUNIT_XSD) -> list[str]:
    """What the Jenkins xunit plugin's junit-10.xsd (or ``xsd``) finds wrong in ``xml_text``."""
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    document = etree.fromstring(xml_text.encode("utf-8"))
    if schema.validate(document):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def junit_ant_errors(xml_text: str) -> list[str]:
    """What the Apache Ant JUnit report format (``junit-ant.xsd``) finds wrong."""
    return junit_errors(xml_text, JUNIT_ANT_XSD)


def sarif_errors(log: dict[str, Any]) -> list[str]:
    """What the OASIS schema and GitHub's upload schema find wrong in a SARIF log."""
    errors = []
    oasis = json.loads(SARIF_OASIS.read_text(encoding="utf-8"))
    github = json.loads(SARIF_GITHUB.read_text(encoding="utf-8"))
    draft4, draft2020 = jsonschema.Draft4Validator, jsonschema.Draft202012Validator
    validators = (
        ("oasis", draft4(oasis, format_checker=draft4.FORMAT_CHECKER)),
        ("github", draft2020(github, format_checker=draft2020.FORMAT_CHECKER)),
    )
    for name, validator in validators:
        for error in validator.iter_errors(log):
            errors.append(f"{name} {list(error.absolute_path)}: {error.message}")
    return sorted(errors)


def codequality_errors(issues: Any) -> list[str]:
    """What GitLab's Code Quality format finds wrong, and fingerprints that repeat.

    GitLab keeps one issue per fingerprint, so a repeated one hides a finding.
    """
    schema = json.loads(CODE_QUALITY.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(issues)]
    if isinstance(issues, list):
        prints = Counter(str(i.get("fingerprint")) for i in issues if isinstance(i, dict))
        errors.extend(f"fingerprint repeated: {p}" for p, n in sorted(prints.items()) if n > 1)
    return sorted(errors)
