"""Validators of the report formats against the schemas their consumers use.

The schema files under ``schemas/`` are the consumers' own (see ``schemas/SOURCES.md``):
the OASIS SARIF 2.1.0 schema, the copy GitHub's upload-sarif action validates
with, the Jenkins xunit plugin's ``junit-10.xsd``; and, written here from their
published descriptions, the Apache Ant JUnit format and GitLab's Code Quality format.
SBOMs go through cyclonedx-python-lib's strict validator, provenance through the
in-toto attestation framework's own messages and validator (``in-toto-attestation``).
"""

from __future__ import annotations

import base64
import binascii
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
SLSA_PROVENANCE_V1 = "https://slsa.dev/provenance/v1"


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


def cyclonedx_errors(text: str) -> list[str]:
    """What cyclonedx-python-lib's strict CycloneDX 1.6 JSON validator finds wrong."""
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    return [] if error is None else [str(getattr(error.data, "message", error.data))]


def dsse_errors(envelope: Any) -> list[str]:
    """What the DSSE v1 envelope format requires: a payload type, base64 payload, signatures."""
    errors = []
    if not isinstance(envelope, dict):
        return ["the envelope is not a JSON object"]
    if not isinstance(envelope.get("payloadType"), str) or not envelope["payloadType"]:
        errors.append("payloadType: missing")
    try:
        base64.b64decode(str(envelope.get("payload", "")), validate=True)
    except binascii.Error:
        errors.append("payload: not base64")
    signatures = envelope.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        errors.append("signatures: none")
    else:
        for i, signature in enumerate(signatures):
            if not isinstance(signature, dict) or not signature.get("sig"):
                errors.append(f"signatures[{i}]: no sig")
    return errors


def in_toto_errors(statement: dict[str, Any]) -> list[str]:
    """What in-toto-attestation (Statement v1; SLSA provenance v1 predicate) finds wrong.

    Both are parsed strictly into the attestation framework's own protobuf messages (an
    unknown or mistyped field is an error), then the Statement is validated by the
    framework's validator; SLSA v1 requires buildType, externalParameters and builder.id.
    """
    from google.protobuf import json_format

    # The package ships no type information.
    from in_toto_attestation.predicates.provenance.v1 import (  # type: ignore[import-untyped]
        provenance_pb2,
    )
    from in_toto_attestation.v1 import statement_pb2  # type: ignore[import-untyped]
    from in_toto_attestation.v1.resource_descriptor import (  # type: ignore[import-untyped]
        ResourceDescriptor,
    )
    from in_toto_attestation.v1.statement import Statement  # type: ignore[import-untyped]

    errors = []
    try:
        parsed = json_format.ParseDict(statement, statement_pb2.Statement())
        Statement.copy_from_pb(parsed).validate()
    except (json_format.ParseError, ValueError) as exc:
        errors.append(f"statement: {exc}")
    if statement.get("predicateType") != SLSA_PROVENANCE_V1:
        return [*errors, f"predicateType: not {SLSA_PROVENANCE_V1}"]
    try:
        provenance = json_format.ParseDict(statement["predicate"], provenance_pb2.Provenance())
    except (json_format.ParseError, KeyError) as exc:
        return [*errors, f"predicate: {exc}"]
    build = provenance.build_definition
    if not build.build_type:
        errors.append("predicate.buildDefinition.buildType: missing")
    if not build.HasField("external_parameters"):
        errors.append("predicate.buildDefinition.externalParameters: missing")
    if not provenance.run_details.builder.id:
        errors.append("predicate.runDetails.builder.id: missing")
    for i, dependency in enumerate(build.resolved_dependencies):
        try:
            ResourceDescriptor.copy_from_pb(dependency).validate()
        except ValueError as exc:
            errors.append(f"resolvedDependencies[{i}]: {exc}")
    return errors
