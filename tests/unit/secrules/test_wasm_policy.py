"""The Wasm policy engine: imports, memory, ABI, samples, fuel, determinism, non-Wasm files."""

from __future__ import annotations

import wasmtime

from aces.engines.wasmpolicy import Sample, defined_memories, verify_module
from aces.engines.wasmpolicy.binary import MemoryLimits
from aces.policy.security_section import WasmPolicy

POLICY = WasmPolicy(
    max_memory_pages=2,
    fuel=100_000,
    exports=(("evaluate", "func(i32, i32) -> i32"), ("memory", "memory")),
    entry="evaluate",
    alloc="alloc",
    samples_dir="samples",
)
GOOD = """(module
  (memory (export "memory") 1 1)
  (func (export "alloc") (param i32) (result i32) i32.const 16)
  (func (export "evaluate") (param $p i32) (param $l i32) (result i32)
    (i32.load8_u (local.get $p))))
"""


def issues(
    text: str, samples: tuple[Sample, ...] = (), policy: WasmPolicy = POLICY
) -> list[tuple[str, str, int | None, str | None]]:
    found = verify_module("p.wat", text.encode(), policy, samples)
    return [(i.rule, i.message, i.line, i.path) for i in found]


def sample(data: bytes, expected: int) -> Sample:
    return Sample("case", "samples/p/case.in", data, expected)


def test_a_good_module_passes() -> None:
    assert issues(GOOD, (sample(b"\x07", 7),)) == []


def test_wasi_filesystem_import_is_refused_at_its_line() -> None:
    text = GOOD.replace(
        "(module\n",
        '(module\n  (import "wasi_snapshot_preview1" "path_open"'
        " (func (param i32) (result i32)))\n",
    )
    assert issues(text) == [
        (
            "import",
            "WASI filesystem import wasi_snapshot_preview1::path_open is not in "
            "[security.wasm] allowed_imports",
            2,
            None,
        )
    ]


def test_allowed_import_passes_and_is_stubbed() -> None:
    text = GOOD.replace(
        "(module\n", '(module\n  (import "env" "log" (func (param i32) (result i32)))\n'
    )
    allowed = WasmPolicy(**{**POLICY.__dict__, "allowed_imports": ("env::*",)})
    assert issues(text, (sample(b"\x05", 5),), allowed) == []


def test_memory_without_maximum_and_over_budget() -> None:
    assert issues(GOOD.replace("1 1)", "1)")) == [
        ("memory", "memory 0 declares no maximum (at most 2 pages allowed)", 2, None)
    ]
    assert issues(GOOD.replace("1 1)", "1 3)")) == [
        ("memory", "memory 0 may grow to 3 pages, over the budget of 2", 2, None)
    ]


def test_wrong_signature_and_missing_export() -> None:
    text = GOOD.replace("(param $p i32) (param $l i32)", "(param $p i32)").replace(
        '(memory (export "memory") 1 1)', "(memory 1 1)"
    )
    assert issues(text) == [
        (
            "export",
            "export 'evaluate' has signature func(i32) -> i32, expected func(i32, i32) -> i32",
            4,
            None,
        ),
        ("export", "does not export 'memory' (memory)", 1, None),
    ]


def test_sample_mismatch_fuel_and_state() -> None:
    assert issues(GOOD, (sample(b"\x07", 8),)) == [
        ("sample", "sample 'case' returned 7, expected 8", None, "samples/p/case.in")
    ]
    spin = GOOD.replace("(i32.load8_u (local.get $p))", "(loop $l (br $l)) (i32.const 0)")
    assert issues(spin, (sample(b"\x07", 0),)) == [
        ("fuel", "sample 'case' ran out of fuel (budget 100000)", None, "samples/p/case.in")
    ]
    stateful = GOOD.replace(
        '(func (export "alloc")', '(global $n (mut i32) (i32.const 0))\n  (func (export "alloc")'
    ).replace(
        "(i32.load8_u (local.get $p))",
        "(global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n)",
    )
    assert issues(stateful, (sample(b"\x07", 1),)) == [
        (
            "nondeterministic",
            "sample 'case' returned 1, then 2 for the same input",
            None,
            "samples/p/case.in",
        )
    ]


def test_not_wasm_is_an_issue_not_a_crash() -> None:
    assert verify_module("x.wasm", b"#!/bin/sh\necho hi\n", POLICY)[0].rule == "not-wasm"
    bad_text = verify_module("x.wat", b"(module\n  (func (i32.nonsense)))\n", POLICY)
    assert [(i.rule, i.line) for i in bad_text] == [("not-wasm", 2)]
    truncated = verify_module("x.wasm", b"\0asm\x01\0\0\0\x05\x03", POLICY)
    assert [i.rule for i in truncated] == ["not-wasm"]
    assert verify_module("x.wat", b"\xff\xfe(module)", POLICY)[0].rule == "not-wasm"


def test_binary_memory_limits() -> None:
    binary = bytes(wasmtime.wat2wasm("(module (memory 1 4) )"))
    assert defined_memories(binary) == (MemoryLimits(1, 4),)
    assert verify_module("m.wasm", binary, WasmPolicy(max_memory_pages=2))[0].message == (
        "memory 0 may grow to 4 pages, over the budget of 2"
    )
