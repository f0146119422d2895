"""clippy lints every crate of a workspace, also those depending on one with findings.

Two crates of our own writing: ``base`` with a clippy warning and ``app``, which
depends on ``base``, with another. Were warnings denied, ``base`` would fail and cargo
would never check ``app``: both findings are reported.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aces.tools import clippy
from aces.tools.process import ProcessRunner

CARGO = shutil.which("cargo")
pytestmark = pytest.mark.skipif(
    CARGO is None or shutil.which("cargo-clippy") is None, reason="cargo and clippy are needed"
)

FILES = {
    "Cargo.toml": '[workspace]\nmembers = ["base", "app"]\nresolver = "2"\n',
    "base/Cargo.toml": '[package]\nname = "base"\nversion = "0.1.0"\nedition = "2021"\n',
    "base/src/lib.rs": "pub fn twice(x: u32) -> u32 {\n    return x * 2;\n}\n",
    "app/Cargo.toml": (
        '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n'
        '[dependencies]\nbase = { path = "../base" }\n'
    ),
    "app/src/lib.rs": "pub fn four(x: u32) -> u32 {\n    return base::twice(base::twice(x));\n}\n",
}


def test_a_crate_depending_on_one_with_findings_is_linted_too(tmp_path: Path) -> None:
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    assert CARGO is not None
    env = {"CARGO_TARGET_DIR": str(tmp_path / "target"), "RUSTUP_AUTO_INSTALL": "0"}
    issues = clippy.run(ProcessRunner(), Path(CARGO), tmp_path, tmp_path, timeout=300, env=env)
    found = {(i.code, i.path, i.line) for i in issues if i.code == "clippy::needless_return"}
    assert found == {
        ("clippy::needless_return", "base/src/lib.rs", 2),
        ("clippy::needless_return", "app/src/lib.rs", 2),
    }
