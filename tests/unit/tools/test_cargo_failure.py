"""cargo's own first error line is the cause of a run that stopped before any test."""

from __future__ import annotations

from aces.tools.cargo_failure import cargo_failure_cause

OFFLINE = (
    "warning: crates/a/Cargo.toml: unused manifest key: package.x\n"
    "error: no matching package named `zeta-sys` found\n"
    "location searched: crates.io index\n"
    "As a reminder, you're using offline mode (--offline)\n"
)
GIT_DEPENDENCY = (
    "error: failed to get `widget` as a dependency of package `app v0.1.0 (/r/app)`\n\n"
    "Caused by:\n  can't checkout from 'https://example.invalid/widget': you are in the "
    "offline mode (--offline)\n"
)
COMPILE = "   Compiling app v0.1.0\nerror[E0425]: cannot find value `y` in this scope\n"


def test_a_dependency_cargo_cannot_get_offline_says_so_and_what_to_do() -> None:
    assert cargo_failure_cause(OFFLINE) == (
        "cargo could not get the dependencies offline: no matching package named `zeta-sys` "
        "found (fetch them before the run: `cargo fetch`, or vendor them)"
    )
    cause = cargo_failure_cause(GIT_DEPENDENCY)
    assert cause is not None
    assert cause.startswith("cargo could not get the dependencies offline: failed to get `widget`")


def test_a_compile_error_is_named() -> None:
    assert cargo_failure_cause(COMPILE) == (
        "cargo stopped before any test ran: cannot find value `y` in this scope"
    )


MISSING_TARGET = (
    "error[E0463]: can't find crate for `core`\n  |\n  = note: the `wasm32-unknown-unknown` "
    "target may not be installed\n  = help: consider downloading the target with `rustup "
    "target add wasm32-unknown-unknown`\n"
)


def test_a_target_that_is_not_installed_is_named() -> None:
    assert cargo_failure_cause(MISSING_TARGET) == (
        "the Rust target wasm32-unknown-unknown is not installed, and rustup does not "
        "download it during a run: can't find crate for `core` (rustup target add "
        "wasm32-unknown-unknown)"
    )


def test_no_error_line_gives_no_cause() -> None:
    assert cargo_failure_cause("warning: unused import\n") is None
