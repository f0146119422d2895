"""The ``[secrets]`` section of ``aces.toml``: settings of the secret scanner (``sec.secrets``).

- ``scan_all_files`` (default false): scan every file of the tree, not only the
  lines the Change adds. Turning it on is stricter; a whole-tree run (no base)
  scans every file either way.
- ``baseline``: a JSON file of accepted findings (fingerprints without line
  numbers); every entry must also be named by a live ``[[allowlist]]`` entry.
- ``gitleaks_config``: a gitleaks TOML file whose rules are added to the
  built-in ones (never replacing them: no rule can be switched off).
- ``info_contexts`` (default ``["test", "docs"]``): the contexts in which a
  clearly fake or local value (``test``/``fake``/``example`` in it, a
  ``localhost`` URL) is reported as information instead of blocking. Only
  ``test`` and ``docs`` may be listed: by the doctrine a secret in deploy
  configuration, other configuration or source code always blocks. Listing
  fewer is stricter; a real-looking value blocks in every context.

The formats are in ``docs/secrets.md``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.values import (
    Reporter,
    as_string,
    as_strings,
    check_keys,
    describe,
    no_duplicates,
)

_RELATIVE = "a path relative to the repository root"
# The contexts a fixture value may be information in; deploy, config and source always block.
INFO_CONTEXT_CHOICES: tuple[str, ...] = ("test", "docs")


@dataclass(frozen=True)
class SecretsPolicy:
    """Stage 7 secret scanning settings (``[secrets]``)."""

    scan_all_files: bool = False
    baseline: str = ""
    gitleaks_config: str = ""
    info_contexts: tuple[str, ...] = INFO_CONTEXT_CHOICES


SECRETS_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SecretsPolicy))


def build_secrets(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: SecretsPolicy
) -> SecretsPolicy:
    """The ``[secrets]`` settings."""
    check_keys(r, table, path, SECRETS_KEYS)
    scan_all = table.get("scan_all_files", default.scan_all_files)
    if not isinstance(scan_all, bool):
        r.add((*path, "scan_all_files"), f"expected true or false, found {describe(scan_all)}")
        scan_all = default.scan_all_files
    return SecretsPolicy(
        scan_all_files=scan_all,
        baseline=_relative(r, table, path, "baseline", default.baseline),
        gitleaks_config=_relative(r, table, path, "gitleaks_config", default.gitleaks_config),
        info_contexts=_info_contexts(r, table, path, default.info_contexts),
    )


def _info_contexts(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: tuple[str, ...]
) -> tuple[str, ...]:
    """A subset of ``test`` and ``docs``, in that order, without repeats."""
    if "info_contexts" not in table:
        return default
    key = (*path, "info_contexts")
    values = as_strings(r, table["info_contexts"], key)
    if values is None:
        return default
    no_duplicates(r, values, key)
    wrong = [v for v in values if v not in INFO_CONTEXT_CHOICES]
    if wrong:
        r.add(
            key,
            f"{', '.join(repr(v) for v in wrong)} cannot be information: only 'test' and "
            "'docs' may be listed (a secret in deploy configuration, config or source code "
            "always blocks)",
        )
        return default
    return tuple(c for c in INFO_CONTEXT_CHOICES if c in values)


def _relative(r: Reporter, table: dict[str, Any], path: KeyPath, key: str, default: str) -> str:
    """A path relative to the repository root, without ``..``."""
    if key not in table:
        return default
    value = as_string(r, table[key], (*path, key), _RELATIVE)
    if value is None:
        return default
    if value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        r.add((*path, key), f"expected {_RELATIVE}, found {value!r}")
        return default
    return value
