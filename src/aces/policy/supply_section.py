"""The ``[supply]`` section of ``aces.toml``: SBOM, signatures, image ledger, deploy manifests.

``sbom`` names a committed CycloneDX SBOM that must match the one generated from
the lockfiles; ``artifacts`` are globs of built artifacts that must each carry
a DSSE bundle (``<artifact><bundle_suffix>``) verifying with ``public_key``
and naming ``builder_id``; ``signing_key`` is the private key ``aces sign``
uses when none is given; ``tag_ledger`` is the committed image tag -> digest
ledger; ``deploy_manifests`` are globs of files that may be deployment
manifests. The formats are in ``docs/supply-chain.md``. The dataclass lives
here, next to its reader, and ``schema.Policy`` holds a ``SupplyPolicy``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.values import Reporter, as_string, as_strings, check_keys, no_duplicates

DEFAULT_DEPLOY_MANIFESTS: tuple[str, ...] = (
    "**/*.yaml",
    "**/*.yml",
    "**/*.nomad",
    "**/*.hcl",
)
_RELATIVE = "a path relative to the repository root"


@dataclass(frozen=True)
class SupplyPolicy:
    """Section V artifact-side settings (``[supply]``)."""

    sbom: str = ""  # committed CycloneDX JSON that must match the generated SBOM
    artifacts: tuple[str, ...] = ()  # globs of artifacts that must carry a verified bundle
    bundle_suffix: str = ".intoto.json"  # the bundle of <artifact> is <artifact><suffix>
    public_key: str = ""  # Ed25519 public key (PEM) the bundles must verify with
    signing_key: str = ""  # Ed25519 private key (PEM) `aces sign` uses by default
    builder_id: str = ""  # the builder identity the provenance must name
    build_type: str = "https://aces.arqonbus.dev/build/v1"
    tag_ledger: str = ""  # committed JSON: image tag -> digest
    deploy_manifests: tuple[str, ...] = DEFAULT_DEPLOY_MANIFESTS


SUPPLY_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SupplyPolicy))
_PATH_KEYS = ("sbom", "public_key", "signing_key", "tag_ledger")


def build_supply(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: SupplyPolicy
) -> SupplyPolicy:
    """The ``[supply]`` settings; declared artifacts need a public key and a builder id."""
    check_keys(r, table, path, SUPPLY_KEYS)
    values: dict[str, Any] = {}
    for name in _PATH_KEYS:
        values[name] = _relative(r, table, (*path, name), getattr(default, name))
    for name in ("bundle_suffix", "builder_id", "build_type"):
        values[name] = _text(r, table, (*path, name), getattr(default, name))
    for name in ("artifacts", "deploy_manifests"):
        values[name] = _globs(r, table, (*path, name), getattr(default, name))
    policy = SupplyPolicy(**values)
    if policy.artifacts:
        for name in ("public_key", "builder_id"):
            if not getattr(policy, name):
                r.add(
                    (*path, "artifacts"),
                    f"declares artifacts to verify but no {name}; set supply.{name}",
                )
    return policy


def _text(r: Reporter, table: dict[str, Any], key: KeyPath, default: str) -> str:
    """A non-empty string setting."""
    name = str(key[-1])
    if name not in table:
        return default
    value = as_string(r, table[name], key)
    if value is None:
        return default
    if not value.strip():
        r.add(key, "expected a non-empty string")
        return default
    return value


def _relative(r: Reporter, table: dict[str, Any], key: KeyPath, default: str) -> str:
    """A path relative to the repository root."""
    name = str(key[-1])
    if name not in table:
        return default
    value = as_string(r, table[name], key, _RELATIVE)
    if value is None:
        return default
    if not value or value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        r.add(key, f"expected {_RELATIVE}, found {value!r}")
        return default
    return value


def _globs(
    r: Reporter, table: dict[str, Any], key: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """An array of globs relative to the repository root."""
    name = str(key[-1])
    if name not in table:
        return default
    items = as_strings(r, table[name], key)
    if items is None:
        return default
    for i, item in enumerate(items):
        if not item or item.startswith("/") or ".." in item.split("/"):
            r.add((*key, i), f"expected a glob relative to the repository root, found {item!r}")
    no_duplicates(r, items, key)
    return items
