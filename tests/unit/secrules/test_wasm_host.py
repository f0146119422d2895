"""Rust Wasm host code: unchecked guest memory and unbounded stores (should / should not flag)."""

from __future__ import annotations

import pytest

from aces.engines.wasmpolicy.host import scan_host

HEAD = "use wasmtime::{Engine, Memory, Store};\n"

FLAG = [
    pytest.param(
        HEAD + "fn read(store: &Store<S>, memory: Memory, ptr: usize, len: usize) -> Vec<u8> {\n"
        "    memory.data(store)[ptr..ptr + len].to_vec()\n}\n"
        "fn limits(s: &mut Store<S>) { s.limiter(|d| &mut d.limits); }\n",
        [(3, "unchecked-memory")],
        id="slice-of-data",
    ),
    pytest.param(
        HEAD + "fn write(store: &mut Store<S>, memory: Memory, ptr: usize) {\n"
        "    let mem = memory.data_mut(&mut *store);\n    mem[ptr] = 1;\n}\n"
        "fn fuel(s: &mut Store<S>) { s.set_fuel(1_000).unwrap(); }\n",
        [(4, "unchecked-memory")],
        id="index-through-binding",
    ),
    pytest.param(
        HEAD + "fn bytes(mem: Memory, store: &Store<S>, h: Handle) -> &[u8] {\n"
        "    let p = unsafe { mem.data_ptr(store).add(h.offset) };\n"
        "    unsafe { std::slice::from_raw_parts(p, h.len) }\n}\n"
        "fn fuel(s: &mut Store<S>) { s.set_fuel(1_000).unwrap(); }\n",
        [(4, "unchecked-memory")],
        id="raw-slice-of-data-ptr",
    ),
    pytest.param(
        HEAD + "fn bytes_mut(mem: Memory, store: &mut Store<S>, off: usize, n: usize) {\n"
        "    let s = unsafe { slice::from_raw_parts_mut(mem.data_ptr(&*store).add(off), n) };\n"
        "}\nfn fuel(s: &mut Store<S>) { s.set_fuel(1_000).unwrap(); }\n",
        [(3, "unchecked-memory")],
        id="raw-slice-mut-inline",
    ),
    pytest.param(
        HEAD + "fn make(engine: &Engine) -> Store<()> {\n    Store::new(engine, ())\n}\n",
        [(3, "store-limits")],
        id="store-without-limits-or-fuel",
    ),
    pytest.param(
        "fn make(engine: &wasmtime::Engine) {\n    let s = wasmtime::Store::new(engine, ());\n}\n",
        [(2, "store-limits")],
        id="qualified-store",
    ),
]

CLEAN = [
    pytest.param(
        HEAD
        + "fn read(store: &Store<S>, memory: Memory, ptr: usize, len: usize) -> Option<&[u8]> {\n"
        "    memory.data(store).get(ptr..ptr + len)\n}\n"
        "fn make(e: &Engine) { let mut s = Store::new(e, S::default());\n"
        "    s.limiter(|d| &mut d.limits); }\n",
        id="checked-get-and-limiter",
    ),
    pytest.param(
        HEAD + "fn make(e: &Engine) { let mut s = Store::new(e, ()); s.set_fuel(10).unwrap(); }\n",
        id="fuel",
    ),
    pytest.param(
        HEAD + "fn bytes(mem: Memory, store: &Store<S>, off: usize, n: usize) -> &[u8] {\n"
        "    if off + n > mem.data_size(store) { return &[]; }\n"
        "    let p = unsafe { mem.data_ptr(store).add(off) };\n"
        "    unsafe { std::slice::from_raw_parts(p, n) }\n}\n"
        "fn fuel(s: &mut Store<S>) { s.set_fuel(1).unwrap(); }\n",
        id="raw-slice-checked-against-data-size",
    ),
    pytest.param(
        HEAD + "fn copy(input: *const u8, n: usize) -> Vec<u8> {\n"
        "    unsafe { std::slice::from_raw_parts(input, n) }.to_vec()\n}\n"
        "fn fuel(s: &mut Store<S>) { s.set_fuel(1).unwrap(); }\n",
        id="raw-slice-of-host-pointer",
    ),
    pytest.param(
        "fn f(v: &Vec<u8>, i: usize) -> u8 { v.data()[i] }\nfn g() { Store::new(1, 2); }\n",
        id="not-a-wasm-host",
    ),
    pytest.param(
        HEAD + "fn ok(s: &mut Store<S>) { s.set_fuel(1).unwrap(); }\n#[cfg(test)]\nmod tests {\n"
        "    #[test]\n    fn t() { let d = memory.data(&store)[0..4].to_vec(); }\n}\n",
        id="test-code",
    ),
]


@pytest.mark.parametrize(("text", "expected"), FLAG)
def test_host_should_flag(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(i.line, i.rule) for i in scan_host("src/host.rs", text)] == expected


@pytest.mark.parametrize("text", CLEAN)
def test_host_should_not_flag(text: str) -> None:
    assert scan_host("src/host.rs", text) == []


def test_host_code_of_test_folders_is_left_out() -> None:
    text = HEAD + "fn make(engine: &Engine) -> Store<()> {\n    Store::new(engine, ())\n}\n"
    assert scan_host("crates/rt/src/tests/kernel.rs", text) == []
    assert [i.rule for i in scan_host("crates/rt/src/kernel.rs", text)] == ["store-limits"]
