"""SLSA v1 provenance in an in-toto Statement v1, wrapped in a signed DSSE envelope.

The statement names each artifact with its SHA-256 digest; its predicate says
how it was built (``buildDefinition``: build type, external parameters, the
source commit as resolved dependency) and by whom (``runDetails.builder.id``).
The DSSE envelope signs the pre-authentication encoding (PAE) of the payload
type and the payload bytes, so neither can be swapped. Verification checks, in
order: the envelope's shape, a signature by the expected key, the statement's
types, the builder identity, and that every given artifact's digest is a subject.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from aces.engines.supply.signing import key_id, sign, verify
from aces.nesting import NestingError, parse_bounded

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
DEFAULT_BUILD_TYPE = "https://aces.arqonbus.dev/build/v1"


@dataclass(frozen=True)
class Artifact:
    """A subject of the statement: its name and SHA-256 digest (hex)."""

    name: str
    sha256: str


@dataclass(frozen=True)
class Source:
    """The source the artifacts were built from: repository URI and commit id."""

    uri: str
    commit: str


def sha256_file_bytes(data: bytes) -> str:
    """SHA-256 of ``data`` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: ``DSSEv1 LEN(type) type LEN(body) body``."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def build_statement(
    artifacts: Sequence[Artifact],
    *,
    builder_id: str,
    source: Source,
    build_type: str = DEFAULT_BUILD_TYPE,
    parameters: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The in-toto statement with the SLSA provenance predicate (subjects sorted by name)."""
    subjects = [
        {"name": a.name, "digest": {"sha256": a.sha256}}
        for a in sorted(artifacts, key=lambda a: (a.name, a.sha256))
    ]
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": build_type,
                "externalParameters": {"source": source.uri, **dict(parameters or {})},
                "resolvedDependencies": [
                    {"uri": source.uri, "digest": {"gitCommit": source.commit}},
                ],
            },
            "runDetails": {"builder": {"id": builder_id}},
        },
    }


def _b64(data: bytes) -> str:
    """Standard base64 text."""
    return base64.b64encode(data).decode("ascii")


def sign_statement(statement: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    """The DSSE envelope of ``statement`` signed by ``key`` (canonical JSON payload)."""
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode("utf-8")
    signature = sign(key, pae(PAYLOAD_TYPE, payload))
    return {
        "payloadType": PAYLOAD_TYPE,
        "payload": _b64(payload),
        "signatures": [{"keyid": key_id(key.public_key()), "sig": _b64(signature)}],
    }


def envelope_text(envelope: Mapping[str, Any]) -> str:
    """The envelope as written to a bundle file (sorted keys, final newline)."""
    return json.dumps(envelope, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Verification:
    """The outcome of verifying a bundle: problems (none means verified) and the statement."""

    problems: tuple[str, ...]
    statement: Mapping[str, Any] | None = None

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems


def _decode(text: object) -> bytes | None:
    """Base64 (standard or URL-safe) text as bytes, None when it is not base64."""
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        return None


def open_envelope(text: str, public: Ed25519PublicKey) -> Verification:
    """The statement of a DSSE envelope whose signature ``public`` verifies, or why not."""
    try:
        envelope = parse_bounded(json.loads, text, "bundle", "json")
    except json.JSONDecodeError as exc:
        return Verification((f"the bundle is not JSON (line {exc.lineno}): {exc.msg}",))
    except NestingError as exc:
        return Verification((f"the bundle is {exc.message}",))
    if not isinstance(envelope, dict):
        return Verification(("the bundle is not a DSSE envelope (not a JSON object)",))
    if envelope.get("payloadType") != PAYLOAD_TYPE:
        return Verification(
            (f"payloadType is {envelope.get('payloadType')!r}, not {PAYLOAD_TYPE}",)
        )
    payload = _decode(envelope.get("payload"))
    if payload is None:
        return Verification(("the envelope's payload is missing or not base64",))
    signatures = envelope.get("signatures")
    if not isinstance(signatures, list) or not signatures:
        return Verification(("the envelope carries no signature",))
    message = pae(PAYLOAD_TYPE, payload)
    good = any(
        isinstance(s, dict)
        and (sig := _decode(s.get("sig"))) is not None
        and verify(public, sig, message)
        for s in signatures
    )
    if not good:
        return Verification(("no signature verifies with the public key",))
    try:
        statement = parse_bounded(json.loads, payload.decode("utf-8"), "payload", "json")
    except (json.JSONDecodeError, UnicodeDecodeError, NestingError):
        return Verification(("the signed payload is not JSON",))
    if not isinstance(statement, dict):
        return Verification(("the signed payload is not an in-toto statement",))
    return Verification((), statement)


def check_statement(
    statement: Mapping[str, Any], artifacts: Sequence[Artifact], builder_id: str
) -> tuple[str, ...]:
    """What is wrong with a signed statement for ``artifacts`` built by ``builder_id``."""
    problems: list[str] = []
    if statement.get("_type") != STATEMENT_TYPE:
        problems.append(f"_type is {statement.get('_type')!r}, not {STATEMENT_TYPE}")
    if statement.get("predicateType") != PREDICATE_TYPE:
        problems.append(
            f"predicateType is {statement.get('predicateType')!r}, not {PREDICATE_TYPE}"
        )
    builder = _builder_id(statement)
    if builder != builder_id:
        problems.append(f"builder id is {builder!r}, expected {builder_id!r}")
    digests = _subject_digests(statement)
    for artifact in artifacts:
        if artifact.sha256 not in digests:
            problems.append(
                f"{artifact.name}: its sha256 {artifact.sha256[:16]}... is not a subject"
            )
    return tuple(problems)


def _builder_id(statement: Mapping[str, Any]) -> object:
    """``predicate.runDetails.builder.id`` or None."""
    node: object = statement
    for key in ("predicate", "runDetails", "builder", "id"):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _subject_digests(statement: Mapping[str, Any]) -> frozenset[str]:
    """The sha256 digests of the statement's subjects."""
    subjects = statement.get("subject")
    if not isinstance(subjects, list):
        return frozenset()
    found: set[str] = set()
    for subject in subjects:
        digest = subject.get("digest") if isinstance(subject, dict) else None
        value = digest.get("sha256") if isinstance(digest, dict) else None
        if isinstance(value, str):
            found.add(value.lower())
    return frozenset(found)


def verify_bundle(
    text: str, public: Ed25519PublicKey, artifacts: Sequence[Artifact], builder_id: str
) -> Verification:
    """Verify a bundle: signature, statement types, builder identity and subject digests."""
    opened = open_envelope(text, public)
    if opened.statement is None:
        return opened
    return Verification(check_statement(opened.statement, artifacts, builder_id), opened.statement)
