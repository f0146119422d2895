"""Core libraries inferred from repository structure (no ``[paths] core_libraries``)."""

from __future__ import annotations

from aces.workspace.core_inference import CoreLibrary, describe, infer_core_libraries


def test_src_layout_packages_and_rust_library_crates_are_core() -> None:
    files = [
        "src/pkg/__init__.py",
        "src/pkg/envelope.py",
        "src/pkg/sub/__init__.py",
        "crates/host/Cargo.toml",
        "crates/host/src/lib.rs",
        "crates/cli/Cargo.toml",
        "crates/cli/src/main.rs",
    ]
    found = infer_core_libraries(files)
    assert found == (
        CoreLibrary("crates/host/src/**", "rust"),
        CoreLibrary("src/pkg/**", "python"),
    )
    assert describe(lib.glob for lib in found) == (
        "core libraries inferred: crates/host/src/**, src/pkg/**"
    )


def test_top_level_package_and_root_crate() -> None:
    files = ["server/__init__.py", "server/app.py", "Cargo.toml", "src/lib.rs"]
    assert [lib.glob for lib in infer_core_libraries(files)] == ["server/**", "src/**"]


def test_tests_examples_docs_scripts_benchmarks_are_not_core() -> None:
    files = [
        "tests/__init__.py",
        "tests/helpers/__init__.py",
        "examples/demo/__init__.py",
        "docs/conf/__init__.py",
        "scripts/tool/__init__.py",
        "benchmarks/perf/__init__.py",
        "examples/crate/Cargo.toml",
        "examples/crate/src/lib.rs",
        ".github/actions/x/__init__.py",
    ]
    assert infer_core_libraries(files) == ()
    assert describe(()) == "no core library inferred"


def test_modules_without_a_package_are_not_core() -> None:
    assert infer_core_libraries(["setup.py", "tool.py", "noxfile.py"]) == ()
