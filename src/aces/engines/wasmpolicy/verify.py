"""Verify one Wasm policy module against the policy: imports, memory, ABI, samples.

``verify_module`` takes a module's path and bytes (``.wat`` text or ``.wasm``
binary) and returns ``WasmIssue``s: a file that is not Wasm or does not
validate is an issue at the file, never an exception. Imports must be on the
allowlist (WASI filesystem and socket calls are named as such); every memory,
defined or imported, must declare a maximum within the page budget; the
policy's exports must exist with their kinds and signatures; each sample runs
twice on one instance within the fuel budget and must return the expected
value both times (a second answer that differs means hidden state).

Imported functions the allowlist admits are stubbed to return zeros, so a run
depends on nothing outside the module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import wasmtime

from aces.engines.wasmpolicy.binary import (
    BinaryFormatError,
    MemoryLimits,
    defined_memories,
    is_wasm_binary,
)
from aces.policy.security_section import SIGNATURE, WasmPolicy


@dataclass(frozen=True)
class WasmIssue:
    """One way a module breaks the policy: rule suffix, message, and where."""

    rule: str  # "not-wasm", "import", "memory", "export", "sample", ...
    message: str
    line: int | None = None
    path: str | None = None  # a sample file, when the issue is about a sample


@dataclass(frozen=True)
class Sample:
    """One sample: its input bytes and the i32 the entry export must return."""

    name: str
    path: str  # the input file, where sample issues point
    data: bytes
    expected: int


@dataclass(frozen=True)
class _Module:
    """A compiled module with its binary bytes and, for .wat, its text (for lines)."""

    module: wasmtime.Module
    binary: bytes
    text: str | None


def signature_of(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``func(i32, i32) -> i32`` -> (("i32", "i32"), ("i32",))."""
    match = SIGNATURE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"not a function signature: {text!r}")
    params = tuple(p.strip() for p in (match["params"] or "").split(",") if p.strip())
    results = tuple(r.strip() for r in (match["results"] or "").strip("()").split(",") if r.strip())
    return params, results


def show_signature(params: Sequence[str], results: Sequence[str]) -> str:
    """The canonical text of a signature."""
    shown = f"func({', '.join(params)})"
    if not results:
        return shown
    if len(results) == 1:
        return f"{shown} -> {results[0]}"
    return f"{shown} -> ({', '.join(results)})"


def _line_of(text: str | None, pattern: str, nth: int = 0) -> int | None:
    """1-based line of the ``nth`` match of ``pattern`` in a .wat text."""
    if text is None:
        return None
    for i, match in enumerate(re.finditer(pattern, text)):
        if i == nth:
            return text.count("\n", 0, match.start()) + 1
    return None


def _load(engine: wasmtime.Engine, path: str, data: bytes) -> _Module | WasmIssue:
    """Compile the module, or the issue saying why it is not a usable Wasm module."""
    text: str | None = None
    if path.endswith(".wat"):
        try:
            text = data.decode("utf-8")
            binary = bytes(wasmtime.wat2wasm(text))
        except (UnicodeDecodeError, wasmtime.WasmtimeError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no detail"
            where = re.search(r"<anon>:(\d+):\d+", str(exc))
            line = int(where.group(1)) if where else 1
            return WasmIssue("not-wasm", f"not a WebAssembly text module: {first}", line)
    elif not is_wasm_binary(data):
        return WasmIssue("not-wasm", "not a WebAssembly module (no \\0asm version 1 header)")
    else:
        binary = data
    try:
        module = wasmtime.Module(engine, binary)
    except wasmtime.WasmtimeError as exc:
        detail = " ".join(str(exc).split())
        return WasmIssue("not-wasm", f"the module does not validate: {detail}", 1 if text else None)
    return _Module(module, binary, text)


def _import_issue(module: str, name: str, allowed: Sequence[str]) -> str | None:
    """Why an import is refused, or None when the allowlist admits it."""
    if f"{module}::{name}" in allowed or f"{module}::*" in allowed:
        return None
    what = "import"
    if module.startswith("wasi"):
        if name.startswith(("path_", "fd_")) or "filesystem" in module:
            what = "WASI filesystem import"
        elif name.startswith("sock_") or "sockets" in module:
            what = "WASI socket import"
        else:
            what = "WASI import"
    return f"{what} {module}::{name} is not in [security.wasm] allowed_imports"


def _imports(m: _Module, policy: WasmPolicy) -> list[WasmIssue]:
    """An issue per import outside the allowlist."""
    issues: list[WasmIssue] = []
    for imp in m.module.imports:
        name = imp.name or ""
        why = _import_issue(imp.module, name, policy.allowed_imports)
        if why is not None:
            pattern = rf'\(import\s+"{re.escape(imp.module)}"\s+"{re.escape(name)}"'
            issues.append(WasmIssue("import", why, _line_of(m.text, pattern)))
    return issues


def _memory_issue(limits: MemoryLimits, budget: int, what: str) -> str | None:
    """Why a memory's limits break the budget, or None."""
    if limits.maximum is None:
        return f"{what} declares no maximum (at most {budget} pages allowed)"
    if limits.maximum > budget:
        return f"{what} may grow to {limits.maximum} pages, over the budget of {budget}"
    return None


def _memories(m: _Module, policy: WasmPolicy) -> list[WasmIssue]:
    """An issue per memory without a maximum or over the page budget."""
    issues: list[WasmIssue] = []
    budget = policy.max_memory_pages
    for imp in m.module.imports:
        if not isinstance(imp.type, wasmtime.MemoryType):
            continue
        found = MemoryLimits(imp.type.limits.min, imp.type.limits.max)
        why = _memory_issue(found, budget, f"imported memory {imp.module}::{imp.name}")
        if why is not None:
            issues.append(WasmIssue("memory", why, _line_of(m.text, r"\(import\b[^\n]*\(memory")))
    try:
        defined = defined_memories(m.binary)
    except BinaryFormatError as exc:
        return [*issues, WasmIssue("not-wasm", str(exc))]
    for i, declared in enumerate(defined):
        why = _memory_issue(declared, budget, f"memory {i}")
        if why is not None:
            line = _line_of(m.text, r"\(memory\b(?![^\n]*\(import)", i)
            issues.append(WasmIssue("memory", why, line))
    return issues


def _exports(m: _Module, policy: WasmPolicy) -> list[WasmIssue]:
    """An issue per expected export missing or of the wrong kind or signature."""
    found = {exp.name: exp.type for exp in m.module.exports}
    issues: list[WasmIssue] = []
    for name, expected in policy.exports:
        actual = found.get(name)
        line = _line_of(m.text, rf'\(export\s+"{re.escape(name)}"')
        if actual is None:
            issues.append(
                WasmIssue("export", f"does not export {name!r} ({expected})", 1 if m.text else None)
            )
            continue
        why = _export_mismatch(name, expected, actual)
        if why is not None:
            issues.append(WasmIssue("export", why, line))
    return issues


def _export_mismatch(name: str, expected: str, actual: Any) -> str | None:
    """Why an export differs from the policy's kind or signature, or None."""
    if expected == "memory":
        if isinstance(actual, wasmtime.MemoryType):
            return None
        return f"export {name!r} must be a memory"
    if not isinstance(actual, wasmtime.FuncType):
        return f"export {name!r} must be a function {expected}"
    params = tuple(str(p) for p in actual.params)
    results = tuple(str(r) for r in actual.results)
    if (params, results) == signature_of(expected):
        return None
    return (
        f"export {name!r} has signature {show_signature(params, results)}, "
        f"expected {show_signature(*signature_of(expected))}"
    )


def verify_module(
    path: str,
    data: bytes,
    policy: WasmPolicy,
    samples: Sequence[Sample] = (),
) -> list[WasmIssue]:
    """Every issue of one module (``path`` ending in .wat or .wasm) under ``policy``."""
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    loaded = _load(engine, path, data)
    if isinstance(loaded, WasmIssue):
        return [loaded]
    issues = [*_imports(loaded, policy), *_memories(loaded, policy), *_exports(loaded, policy)]
    if not issues:
        issues.extend(_run_samples(engine, loaded.module, policy, samples))
    return issues


# -- running samples ------------------------------------------------------------------------


def _stub(results: int) -> Callable[..., Any]:
    """A host function returning zeros: allowed imports never feed the module real data."""

    def call(*_args: Any) -> Any:
        if results == 0:
            return None
        return 0 if results == 1 else [0] * results

    return call


def _instantiate(
    engine: wasmtime.Engine, module: wasmtime.Module, store: wasmtime.Store
) -> wasmtime.Instance:
    """An instance with zero stubs for imported functions and fresh imported memories."""
    linker = wasmtime.Linker(engine)
    for imp in module.imports:
        kind = imp.type
        if isinstance(kind, wasmtime.FuncType):
            extern: Any = wasmtime.Func(store, kind, _stub(len(kind.results)))
        elif isinstance(kind, wasmtime.MemoryType):
            extern = wasmtime.Memory(store, kind)
        else:
            raise _SampleError(f"cannot provide the import {imp.module}::{imp.name} to run samples")
        linker.define(store, imp.module, imp.name or "", extern)
    return linker.instantiate(store, module)


class _SampleError(Exception):
    """A sample could not run; the message says why and ``rule`` which rule it breaks."""

    def __init__(self, message: str, rule: str = "sample") -> None:
        super().__init__(message)
        self.rule = rule


def _call(store: wasmtime.Store, fuel: int, func: Any, *args: int) -> int:
    """Call an export with a fresh fuel budget; its i32 result."""
    store.set_fuel(fuel)
    try:
        value = func(store, *args)
    except wasmtime.Trap as trap:
        if trap.trap_code == wasmtime.TrapCode.OUT_OF_FUEL:
            raise _SampleError(f"ran out of fuel (budget {fuel})", "fuel") from trap
        raise _SampleError(f"trapped: {trap.message.splitlines()[0]}") from trap
    except wasmtime.WasmtimeError as exc:
        raise _SampleError(f"could not be called: {str(exc).splitlines()[0]}") from exc
    if not isinstance(value, int):
        raise _SampleError(f"returned {value!r}, expected one i32")
    return value


def _evaluate(store: wasmtime.Store, exports: Any, policy: WasmPolicy, data: bytes) -> int:
    """alloc(len), write the input into memory, entry(ptr, len)."""
    memory = next((e for e in exports.values() if isinstance(e, wasmtime.Memory)), None)
    if memory is None:
        raise _SampleError("the module exports no memory to write the input into")
    try:
        alloc, entry = exports[policy.alloc], exports[policy.entry]
    except KeyError as exc:
        raise _SampleError(f"the module does not export {exc.args[0]!r}") from exc
    pointer = _call(store, policy.fuel, alloc, len(data))
    try:
        memory.write(store, data, pointer)
    except (ValueError, IndexError, wasmtime.WasmtimeError) as exc:
        raise _SampleError(f"alloc returned {pointer}, where {len(data)} bytes do not fit") from exc
    return _call(store, policy.fuel, entry, pointer, len(data))


def _run_samples(
    engine: wasmtime.Engine, module: wasmtime.Module, policy: WasmPolicy, samples: Sequence[Sample]
) -> list[WasmIssue]:
    """Run each sample twice on one instance; mismatches, traps and drift are issues."""
    issues: list[WasmIssue] = []
    for sample in samples:
        store = wasmtime.Store(engine)
        try:
            store.set_fuel(policy.fuel)
            exports = _instantiate(engine, module, store).exports(store)
            first = _evaluate(store, exports, policy, sample.data)
            second = _evaluate(store, exports, policy, sample.data)
        except (_SampleError, wasmtime.WasmtimeError, wasmtime.Trap) as exc:
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            rule = exc.rule if isinstance(exc, _SampleError) else "sample"
            issues.append(WasmIssue(rule, f"sample {sample.name!r} {detail}", path=sample.path))
            continue
        if first != second:
            issues.append(
                WasmIssue(
                    "nondeterministic",
                    f"sample {sample.name!r} returned {first}, then {second} for the same input",
                    path=sample.path,
                )
            )
        elif first != sample.expected:
            issues.append(
                WasmIssue(
                    "sample",
                    f"sample {sample.name!r} returned {first}, expected {sample.expected}",
                    path=sample.path,
                )
            )
    return issues
