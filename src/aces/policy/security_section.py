"""The ``[security]`` section of ``aces.toml``: settings of the stage 7 rule checks.

Subsections: ``[security.tls]`` (endpoints to probe live, the CA bundle they
must validate against, the lowest TLS version), ``[security.wasm]`` (where the
Wasm policy modules live, the import allowlist, memory and fuel budgets, the
expected ABI and the sample inputs), ``[security.permissions]`` (the permission
matrix file, bus commands, roles allowed wildcard grants, the approval a new
grant needs), ``[security.crypto]`` (the smallest RSA modulus) and
``[security.exposure]`` (the ports manifests may expose). The formats are in
``docs/security-rules.md``. The dataclasses live here, next to their reader,
and ``schema.Policy`` holds a ``SecurityPolicy``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from aces.policy.problems import KeyPath
from aces.policy.values import (
    Reporter,
    as_positive,
    as_string,
    as_strings,
    as_table,
    check_keys,
    describe,
    no_duplicates,
)

TLS_VERSIONS: tuple[str, ...] = ("1.2", "1.3")
DOCTRINE_MIN_RSA_BITS = 2048
_RELATIVE = "a path relative to the repository root"
_ENDPOINT = re.compile(r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})")
_IMPORT = re.compile(r"[^\s:]+::(?:\*|[^\s:]+)")
_VALTYPE = r"(?:i32|i64|f32|f64|v128|funcref|externref)"
SIGNATURE = re.compile(
    rf"func\((?P<params>(?:{_VALTYPE}(?:\s*,\s*{_VALTYPE})*)?)\)"
    rf"(?:\s*->\s*(?P<results>{_VALTYPE}|\((?:{_VALTYPE}(?:\s*,\s*{_VALTYPE})*)?\)))?"
)


@dataclass(frozen=True)
class TlsPolicy:
    """``[security.tls]``: live endpoints, their CA bundle, version floor, probe timeout."""

    endpoints: tuple[str, ...] = ()  # "host:port", probed live
    ca_bundle: str = ""  # PEM bundle the endpoints' chains must validate against
    min_version: str = "1.2"
    probe_timeout_seconds: float = 5.0


@dataclass(frozen=True)
class WasmPolicy:
    """``[security.wasm]``: policy module directories, imports, budgets, ABI and samples."""

    dirs: tuple[str, ...] = ("policies",)
    allowed_imports: tuple[str, ...] = ()  # "module::name" or "module::*"
    max_memory_pages: int = 16  # 64 KiB pages; every memory must declare a maximum within it
    fuel: int = 10_000_000  # per sample run
    exports: tuple[tuple[str, str], ...] = ()  # export name -> "memory" or "func(i32) -> i32"
    entry: str = ""  # the export called with (ptr, len) of a sample's input, returning i32
    alloc: str = ""  # the export called with len, returning where to write the input
    samples_dir: str = ""  # <samples_dir>/<module stem>/<case>.in + <case>.out


@dataclass(frozen=True)
class PermissionsPolicy:
    """``[security.permissions]``: the matrix, its actions, wildcard roles and approvals."""

    matrix: str = ""  # YAML or TOML file: roles x actions -> allow / deny
    bus_commands: tuple[str, ...] = ()  # actions "bus:<command>"
    wildcard_roles: tuple[str, ...] = ()  # the only roles that may hold "*"
    approval_labels: tuple[str, ...] = ("security-approved",)
    senior_approval: bool = True  # an approval by a senior maintainer also approves a grant


@dataclass(frozen=True)
class CryptoPolicy:
    """``[security.crypto]``: the smallest RSA modulus accepted."""

    min_rsa_bits: int = DOCTRINE_MIN_RSA_BITS


@dataclass(frozen=True)
class ExposurePolicy:
    """``[security.exposure]``: the ports compose and Kubernetes manifests may expose."""

    allowed_ports: tuple[int, ...] = ()


@dataclass(frozen=True)
class SecurityPolicy:
    """Stage 7 rule settings (``[security]``)."""

    tls: TlsPolicy = field(default_factory=TlsPolicy)
    wasm: WasmPolicy = field(default_factory=WasmPolicy)
    permissions: PermissionsPolicy = field(default_factory=PermissionsPolicy)
    crypto: CryptoPolicy = field(default_factory=CryptoPolicy)
    exposure: ExposurePolicy = field(default_factory=ExposurePolicy)


SECURITY_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(SecurityPolicy))
TLS_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(TlsPolicy))
WASM_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(WasmPolicy))
PERMISSION_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(PermissionsPolicy))
CRYPTO_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(CryptoPolicy))
EXPOSURE_KEYS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(ExposurePolicy))


def build_security(
    r: Reporter, table: dict[str, Any], path: KeyPath, default: SecurityPolicy
) -> SecurityPolicy:
    """The ``[security]`` settings, one subsection at a time."""
    check_keys(r, table, path, SECURITY_KEYS)
    return SecurityPolicy(
        tls=_sub(r, table, path, "tls", default.tls, _tls),
        wasm=_sub(r, table, path, "wasm", default.wasm, _wasm),
        permissions=_sub(r, table, path, "permissions", default.permissions, _permissions),
        crypto=_sub(r, table, path, "crypto", default.crypto, _crypto),
        exposure=_sub(r, table, path, "exposure", default.exposure, _exposure),
    )


def _sub(
    r: Reporter, table: dict[str, Any], path: KeyPath, name: str, default: Any, build: Any
) -> Any:
    """One subsection, or its default when absent or not a table."""
    if name not in table:
        return default
    sub = as_table(r, table[name], (*path, name))
    if sub is None:
        return default
    return build(r, sub, (*path, name), default)


# -- [security.tls] ---------------------------------------------------------------------------


def _tls(r: Reporter, t: dict[str, Any], path: KeyPath, default: TlsPolicy) -> TlsPolicy:
    """Endpoints ``host:port``, a CA bundle path, ``1.2`` or ``1.3``, a positive timeout."""
    check_keys(r, t, path, TLS_KEYS)
    endpoints = _strings(r, t, path, "endpoints", default.endpoints)
    for i, endpoint in enumerate(endpoints):
        match = _ENDPOINT.fullmatch(endpoint)
        if match is None or not 0 < int(match["port"]) < 65536:
            r.add((*path, "endpoints", i), f"expected 'host:port', found {endpoint!r}")
    ca_bundle = _relative(r, t, path, "ca_bundle", default.ca_bundle)
    if endpoints and not ca_bundle:
        r.add(
            (*path, "ca_bundle"), "endpoints are listed: name the CA bundle they validate against"
        )
    return TlsPolicy(
        endpoints=endpoints,
        ca_bundle=ca_bundle,
        min_version=_min_version(r, t, path, default.min_version),
        probe_timeout_seconds=_positive(
            r, t, path, "probe_timeout_seconds", default.probe_timeout_seconds
        ),
    )


def _min_version(r: Reporter, t: dict[str, Any], path: KeyPath, default: str) -> str:
    """``"1.2"`` (the doctrine's floor) or the stricter ``"1.3"``."""
    if "min_version" not in t:
        return default
    value = as_string(r, t["min_version"], (*path, "min_version"), "'1.2' or '1.3'")
    if value is not None and value not in TLS_VERSIONS:
        r.add(
            (*path, "min_version"),
            f"expected '1.2' or '1.3', found {value!r} (a policy may only be stricter)",
        )
        return default
    return default if value is None else value


# -- [security.wasm] --------------------------------------------------------------------------


def _wasm(r: Reporter, t: dict[str, Any], path: KeyPath, default: WasmPolicy) -> WasmPolicy:
    """Directories, import allowlist, budgets, the ABI and the samples directory."""
    check_keys(r, t, path, WASM_KEYS)
    dirs = _strings(r, t, path, "dirs", default.dirs)
    for i, item in enumerate(dirs):
        _check_relative(r, item, (*path, "dirs", i))
    allowed = _strings(r, t, path, "allowed_imports", default.allowed_imports)
    for i, item in enumerate(allowed):
        if not _IMPORT.fullmatch(item):
            r.add(
                (*path, "allowed_imports", i),
                f"expected 'module::name' or 'module::*', found {item!r}",
            )
    policy = WasmPolicy(
        dirs=dirs,
        allowed_imports=allowed,
        max_memory_pages=_count(r, t, path, "max_memory_pages", default.max_memory_pages),
        fuel=_count(r, t, path, "fuel", default.fuel),
        exports=_exports(r, t, path, default.exports),
        entry=_name(r, t, path, "entry", default.entry),
        alloc=_name(r, t, path, "alloc", default.alloc),
        samples_dir=_relative(r, t, path, "samples_dir", default.samples_dir),
    )
    if policy.samples_dir and not (policy.entry and policy.alloc):
        r.add((*path, "samples_dir"), "running samples needs 'entry' and 'alloc' exports named")
    return policy


def _exports(
    r: Reporter, t: dict[str, Any], path: KeyPath, default: tuple[tuple[str, str], ...]
) -> tuple[tuple[str, str], ...]:
    """``[security.wasm.exports]``: name -> ``"memory"`` or ``"func(i32, i32) -> i32"``."""
    if "exports" not in t:
        return default
    table = as_table(r, t["exports"], (*path, "exports"))
    if table is None:
        return default
    out: list[tuple[str, str]] = []
    for name, value in table.items():
        key = (*path, "exports", name)
        text = as_string(r, value, key, "'memory' or a signature such as 'func(i32) -> i32'")
        if text is None:
            continue
        if text != "memory" and not SIGNATURE.fullmatch(text.strip()):
            r.add(
                key, f"expected 'memory' or a signature such as 'func(i32) -> i32', found {text!r}"
            )
            continue
        out.append((name, text.strip()))
    return tuple(sorted(out))


# -- [security.permissions] -------------------------------------------------------------------


def _permissions(
    r: Reporter, t: dict[str, Any], path: KeyPath, default: PermissionsPolicy
) -> PermissionsPolicy:
    """The matrix path, bus commands, wildcard roles and what approves a new grant."""
    check_keys(r, t, path, PERMISSION_KEYS)
    senior = default.senior_approval
    if "senior_approval" in t:
        value = t["senior_approval"]
        if isinstance(value, bool):
            senior = value
        else:
            r.add((*path, "senior_approval"), f"expected true or false, found {describe(value)}")
    return PermissionsPolicy(
        matrix=_relative(r, t, path, "matrix", default.matrix),
        bus_commands=_strings(r, t, path, "bus_commands", default.bus_commands),
        wildcard_roles=_strings(r, t, path, "wildcard_roles", default.wildcard_roles),
        approval_labels=_strings(r, t, path, "approval_labels", default.approval_labels),
        senior_approval=senior,
    )


# -- [security.crypto] and [security.exposure] -------------------------------------------------


def _crypto(r: Reporter, t: dict[str, Any], path: KeyPath, default: CryptoPolicy) -> CryptoPolicy:
    """``min_rsa_bits``: at least the doctrine's 2048."""
    check_keys(r, t, path, CRYPTO_KEYS)
    bits = _count(r, t, path, "min_rsa_bits", default.min_rsa_bits)
    if bits < DOCTRINE_MIN_RSA_BITS:
        r.add(
            (*path, "min_rsa_bits"),
            f"{bits} is below the doctrine's {DOCTRINE_MIN_RSA_BITS} "
            "(a policy may only be stricter)",
        )
        bits = default.min_rsa_bits
    return CryptoPolicy(min_rsa_bits=bits)


def _exposure(
    r: Reporter, t: dict[str, Any], path: KeyPath, default: ExposurePolicy
) -> ExposurePolicy:
    """``allowed_ports``: integers 1-65535."""
    check_keys(r, t, path, EXPOSURE_KEYS)
    if "allowed_ports" not in t:
        return default
    key = (*path, "allowed_ports")
    value = t["allowed_ports"]
    if not isinstance(value, list):
        r.add(key, f"expected an array of port numbers, found {describe(value)}")
        return default
    ports: list[int] = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 65536:
            r.add((*key, i), f"expected a port number 1-65535, found {item!r}")
        else:
            ports.append(item)
    return ExposurePolicy(allowed_ports=tuple(sorted(set(ports))))


# -- shared value readers ---------------------------------------------------------------------


def _strings(
    r: Reporter, t: dict[str, Any], path: KeyPath, name: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    """A string array without duplicates, or the default."""
    if name not in t:
        return default
    items = as_strings(r, t[name], (*path, name))
    if items is None:
        return default
    no_duplicates(r, items, (*path, name))
    return items


def _check_relative(r: Reporter, value: str, key: KeyPath) -> bool:
    """Whether ``value`` stays inside the repository (a problem otherwise)."""
    if value.startswith("/") or ".." in value.replace("\\", "/").split("/"):
        r.add(key, f"expected {_RELATIVE}, found {value!r}")
        return False
    return True


def _relative(r: Reporter, t: dict[str, Any], path: KeyPath, name: str, default: str) -> str:
    """A path relative to the repository root, or the default."""
    if name not in t:
        return default
    value = as_string(r, t[name], (*path, name), _RELATIVE)
    if value is None or not _check_relative(r, value, (*path, name)):
        return default
    return value


def _name(r: Reporter, t: dict[str, Any], path: KeyPath, name: str, default: str) -> str:
    """An export name."""
    if name not in t:
        return default
    value = as_string(r, t[name], (*path, name), "an export name")
    return default if value is None else value


def _positive(r: Reporter, t: dict[str, Any], path: KeyPath, name: str, default: float) -> float:
    """A positive number, or the default."""
    if name not in t:
        return default
    value = as_positive(r, t[name], (*path, name))
    return default if value is None else value


def _count(r: Reporter, t: dict[str, Any], path: KeyPath, name: str, default: int) -> int:
    """A positive integer, or the default."""
    if name not in t:
        return default
    value = t[name]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        r.add((*path, name), f"expected a positive integer, found {value!r}")
        return default
    return value
