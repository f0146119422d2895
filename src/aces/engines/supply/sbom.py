"""CycloneDX 1.6 JSON SBOMs from locked packages: built, validated, reproducible.

Same commit, same bytes: the serial number is the UUIDv5 of the commit id, the
timestamp is the commit's time, components are sorted and keyed by their purl,
and the JSON is written with sorted keys. The document is validated against the
CycloneDX 1.6 JSON schema before it is returned.
"""

from __future__ import annotations

import json
import uuid
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from packageurl import PackageURL

from aces.engines.supply.lockfiles import Package
from aces.errors import AcesError, InputError
from aces.nesting import parse_bounded

SPEC_VERSION = "1.6"
ROOT_REF = "root"
# When there is no commit (a tree outside git), the document is still well-formed.
NO_COMMIT = "0" * 40


@dataclass(frozen=True)
class SourceState:
    """The commit an SBOM describes: its id and its committer time (Unix seconds)."""

    commit: str
    time: int


@dataclass(frozen=True)
class Subject:
    """What the SBOM is about: the project's name and version."""

    name: str
    version: str = ""


def serial_number(commit: str) -> uuid.UUID:
    """The reproducible serial number of the SBOM of ``commit``."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"git-commit:{commit}")


def _component(package: Package) -> Component:
    """A library component keyed by its purl."""
    purl = PackageURL.from_string(package.purl)
    return Component(
        name=package.name,
        version=package.version,
        type=ComponentType.LIBRARY,
        purl=purl,
        bom_ref=package.purl,
    )


def build_sbom(subject: Subject, packages: Sequence[Package], state: SourceState) -> str:
    """The SBOM's JSON text (sorted keys, two-space indent, final newline), validated."""
    bom = Bom(serial_number=serial_number(state.commit))
    bom.metadata.timestamp = datetime.fromtimestamp(state.time, tz=UTC)
    root = Component(
        name=subject.name,
        version=subject.version or None,
        type=ComponentType.APPLICATION,
        bom_ref=ROOT_REF,
    )
    bom.metadata.component = root
    unique = sorted({p.purl: p for p in packages}.values())
    components = [_component(p) for p in unique]
    for component in components:
        bom.components.add(component)
    bom.register_dependency(root, components)
    with warnings.catch_warnings():
        # The library warns about dependency-graph completeness; the lock is the graph we have.
        warnings.simplefilter("ignore")
        raw = JsonV1Dot6(bom).output_as_string()
    text = json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    validate_sbom(text, "generated SBOM")
    return text


def validate_sbom(text: str, where: str) -> None:
    """AcesError naming ``where`` when ``text`` is not a valid CycloneDX 1.6 JSON document."""
    # jsonschema's format checkers take about a second to import: only when validating.
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        detail = getattr(error.data, "message", str(error.data))
        raise AcesError(
            f"not a valid CycloneDX {SPEC_VERSION} document: {detail}",
            path=where,
            hint="regenerate it with `aces sbom`",
        )


def component_purls(path: str, text: str) -> tuple[str, ...]:
    """The sorted purls (or name@version) of a CycloneDX JSON document's components."""
    try:
        data = parse_bounded(json.loads, text, path, "json")
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON (line {exc.lineno}): {exc.msg}",
            path=path,
            hint="regenerate it with `aces sbom`",
        ) from exc
    components = data.get("components", []) if isinstance(data, dict) else None
    if not isinstance(components, list):
        raise InputError(
            "not a CycloneDX document ('components' is not an array)",
            path=path,
            hint="regenerate it with `aces sbom`",
        )
    out: list[str] = []
    for item in components:
        if isinstance(item, dict):
            purl = item.get("purl") or f"{item.get('name')}@{item.get('version')}"
            out.append(str(purl))
    return tuple(sorted(out))
