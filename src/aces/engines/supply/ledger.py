"""Image references of deployment manifests, and the tag -> digest ledger.

Manifests: Kubernetes YAML (a document with ``apiVersion`` and ``kind``), compose
files, and Nomad jobs (``image = "..."`` in a ``job`` file). Each ``image``
reference must carry a digest (``@sha256:<64 hex>``); a reference built from a
variable cannot be checked and counts as unpinned.

The ledger is committed JSON ``{"version": 1, "tags": {"<image>:<tag>":
"sha256:<hex>"}}``. A tag, once recorded, keeps its digest for ever: the head
ledger may add entries but not change or drop one of the base version's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from aces.engines.containers.compose import built_image_lines
from aces.engines.supply.lockfiles import refuse_conflicts
from aces.errors import InputError
from aces.nesting import parse_bounded

DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_YAML_IMAGE = re.compile(r"""^\s*(?:-\s+)?image:\s*(?P<q>["']?)(?P<ref>[^"'#\s]+)(?P=q)""")
_HCL_IMAGE = re.compile(r"""^\s*image\s*=\s*"(?P<ref>[^"]+)\"""")
_K8S_KEYS = (re.compile(r"^apiVersion:", re.MULTILINE), re.compile(r"^kind:", re.MULTILINE))
_NOMAD_JOB = re.compile(r'^\s*job\s+"[^"]+"\s*\{', re.MULTILINE)
_COMPOSE_NAME = re.compile(r"(docker-)?compose(\.[^/]+)?\.ya?ml")
_LEDGER_HINT = 'write {"version": 1, "tags": {"<image>:<tag>": "sha256:<64 hex>"}}'


@dataclass(frozen=True)
class ImageRef:
    """One image reference of a manifest: where, as written, and its parts."""

    path: str
    line: int
    text: str

    @property
    def digest(self) -> str | None:
        """The ``sha256:...`` digest the reference pins, if any."""
        if "@" not in self.text:
            return None
        tail = self.text.rsplit("@", 1)[1]
        return tail if DIGEST.fullmatch(tail) else None

    @property
    def templated(self) -> bool:
        """Whether the reference is built from a variable (``${TAG}``, ``{{ .Values }}``)."""
        return "$" in self.text or "{{" in self.text

    @property
    def tag(self) -> str | None:
        """``name:tag`` when the reference names a tag (digest stripped), else None."""
        name = self.text.rsplit("@", 1)[0] if "@" in self.text else self.text
        last = name.rsplit("/", 1)[-1]
        return name if ":" in last else None


def manifest_kind(path: str, text: str) -> str | None:
    """``kubernetes``, ``compose``, ``nomad`` or None for any other file."""
    name = path.rsplit("/", 1)[-1]
    if name.endswith((".yaml", ".yml")):
        if _COMPOSE_NAME.fullmatch(name):
            return "compose"
        if all(p.search(text) for p in _K8S_KEYS):
            return "kubernetes"
        return None
    if name.endswith((".nomad", ".hcl")) and _NOMAD_JOB.search(text):
        return "nomad"
    return None


def image_refs(path: str, text: str, kind: str) -> Iterator[ImageRef]:
    """Every image reference of a manifest of ``kind``, in line order."""
    pattern = _HCL_IMAGE if kind == "nomad" else _YAML_IMAGE
    built = built_image_lines(path, text) if kind == "compose" else frozenset()
    for number, line in enumerate(text.splitlines(), start=1):
        match = pattern.match(line)
        if match and number not in built:  # the name of a built image is not pulled
            yield ImageRef(path, number, match.group("ref"))


@dataclass(frozen=True)
class Ledger:
    """A parsed ledger: tag -> digest, and the line of each entry."""

    tags: Mapping[str, str]
    lines: Mapping[str, int]


def parse_ledger(path: str, text: str) -> Ledger:
    """The ledger at ``path``; InputError naming the file when it is malformed."""
    refuse_conflicts(path, text)
    try:
        data = parse_bounded(json.loads, text, path, "json")
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON (line {exc.lineno}): {exc.msg}", path=path, hint=_LEDGER_HINT
        ) from exc
    if not isinstance(data, dict) or data.get("version") != 1:
        raise InputError("not a version 1 image ledger", path=path, hint=_LEDGER_HINT)
    tags = data.get("tags")
    if not isinstance(tags, dict):
        raise InputError("'tags' is not an object", path=path, hint=_LEDGER_HINT)
    lines: dict[str, int] = {}
    for tag, digest in tags.items():
        if not isinstance(digest, str) or not DIGEST.fullmatch(digest):
            raise InputError(
                f"the digest of {tag!r} is not sha256:<64 lowercase hex>",
                path=path,
                hint=_LEDGER_HINT,
            )
        match = re.search(rf'^[ \t]*"{re.escape(tag)}"\s*:', text, re.MULTILINE)
        lines[tag] = text.count("\n", 0, match.start()) + 1 if match else 1
    return Ledger(dict(tags), lines)


@dataclass(frozen=True)
class LedgerChange:
    """A base entry the head ledger moved (``moved``) or dropped (``removed``)."""

    tag: str
    kind: str  # moved | removed
    base_digest: str
    head_digest: str | None
    line: int  # in the head ledger (1 when the entry is gone)


def ledger_changes(base: Ledger, head: Ledger) -> tuple[LedgerChange, ...]:
    """Every tag of ``base`` whose digest ``head`` changed or that ``head`` removed, sorted."""
    out: list[LedgerChange] = []
    for tag in sorted(base.tags):
        old = base.tags[tag]
        new = head.tags.get(tag)
        if new is None:
            out.append(LedgerChange(tag, "removed", old, None, 1))
        elif new != old:
            out.append(LedgerChange(tag, "moved", old, new, head.lines.get(tag, 1)))
    return tuple(out)
