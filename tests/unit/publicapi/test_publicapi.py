"""Public surfaces of Rust and Python modules, and which changes alter them."""

from __future__ import annotations

from aces.engines.publicapi import changed_public_api
from aces.engines.publicapi.python import is_public_module, python_surface
from aces.engines.publicapi.rust import public_rust_files, rust_surface

LIB = "//! A crate.\npub mod wire;\nmod private;\nmod hidden;\npub use hidden::Token;\n"
WIRE = """/// A frame.
pub struct Frame {
    /// Length.
    pub len: u32,
    secret: u8,
}

pub(crate) fn internal() -> u8 { 1 }

impl Frame {
    pub fn new(len: u32) -> Self { Self { len, secret: 0 } }
    fn helper(&self) {}
}
"""


def test_a_pub_field_type_change_changes_the_surface() -> None:
    assert rust_surface(WIRE) != rust_surface(WIRE.replace("pub len: u32", "pub len: u64"))


def test_bodies_private_items_and_formatting_do_not() -> None:
    base = rust_surface(WIRE)
    assert rust_surface(WIRE.replace("secret: u8", "secret: u16")) == base
    assert rust_surface(WIRE.replace("{ 1 }", "{ 2 }")) == base
    assert rust_surface(WIRE.replace("secret: 0 }", "secret: 1 }")) == base
    assert rust_surface(WIRE.replace("fn helper(&self) {}", "fn helper(&self, x: u8) {}")) == base
    assert rust_surface(WIRE.replace("pub fn new(len: u32)", "pub fn new(\n        len: u32)")) == (
        base
    )
    assert rust_surface(WIRE.replace("pub fn new(len: u32)", "pub fn new(len: u64)")) != base


def test_modules_reachable_from_the_crate_root() -> None:
    files = {
        "Cargo.toml": "[workspace]\n",
        "crates/frame/Cargo.toml": "[package]\n",
        "crates/frame/src/lib.rs": LIB,
        "crates/frame/src/wire.rs": WIRE,
        "crates/frame/src/private.rs": "pub fn p() {}\n",
        "crates/frame/src/hidden/mod.rs": "pub struct Token;\n",
        "crates/tool/Cargo.toml": "[package]\n",
        "crates/tool/src/main.rs": "pub mod cli;\n",
        "crates/tool/src/cli.rs": "pub fn run() {}\n",
    }
    assert public_rust_files(files, files.get) == {
        "crates/frame/src/lib.rs",
        "crates/frame/src/wire.rs",
        "crates/frame/src/hidden/mod.rs",
    }


def test_python_public_names_and_signatures() -> None:
    base = (
        '"""M."""\n\n__all__ = ["Session", "open_session"]\n\n\n'
        "class Session:\n    tenant: str\n\n    def close(self) -> None:\n        pass\n\n"
        "    def _flush(self) -> None:\n        pass\n\n\n"
        "def open_session(tenant: str) -> Session:\n    return Session()\n\n\n"
        "def helper(x: int) -> int:\n    return x\n"
    )
    surface = python_surface("pkg/session.py", base)
    assert python_surface("pkg/session.py", base.replace("return x", "return x + 1")) == surface
    assert python_surface("pkg/session.py", base.replace("helper(x: int)", "helper(y: int)")) == (
        surface  # not in __all__
    )
    assert python_surface("pkg/session.py", base.replace("_flush(self)", "_flush(self, n)")) == (
        surface
    )
    assert python_surface("pkg/session.py", base.replace("tenant: str\n", "tenant: int\n")) != (
        surface
    )
    assert python_surface("pkg/session.py", base.replace("(tenant: str) ->", "(t: str) ->")) != (
        surface
    )
    assert is_public_module("pkg/session.py") and is_public_module("pkg/__init__.py")
    assert not is_public_module("pkg/_internal.py")
    assert not is_public_module("pkg/_impl/codec.py")


def test_changed_public_api_over_a_change() -> None:
    head = {
        "Cargo.toml": "[package]\n",
        "src/lib.rs": "pub mod wire;\n",
        "src/wire.rs": WIRE.replace("pub len: u32", "pub len: u64"),
        "proto/bus.proto": 'syntax = "proto3";\n',
        "pkg/codec.py": "def encode(x: bytes) -> bytes:\n    return x[::-1]\n",
    }
    base = {
        **head,
        "src/wire.rs": WIRE,
        "pkg/codec.py": "def encode(x: bytes) -> bytes:\n    return x\n",
    }
    changed = ["src/wire.rs", "proto/bus.proto", "pkg/codec.py"]
    assert changed_public_api(changed, head, head.get, base.get) == (
        "proto/bus.proto",
        "src/wire.rs",
    )


def test_a_script_outside_any_package_has_no_public_api() -> None:
    tool = "def main() -> int:\n    return 0\n"
    head = {
        "scripts/ci/check_wire.py": tool.replace("main()", "main(strict: bool)"),
        "bus/__init__.py": "",
        "bus/wire.py": tool.replace("main()", "main(strict: bool)"),
        "cli.py": tool.replace("main()", "main(strict: bool)"),
    }
    base = {**head, "scripts/ci/check_wire.py": tool, "bus/wire.py": tool, "cli.py": tool}
    changed = ["scripts/ci/check_wire.py", "bus/wire.py", "cli.py"]
    assert changed_public_api(changed, head, head.get, base.get) == ("bus/wire.py", "cli.py")
