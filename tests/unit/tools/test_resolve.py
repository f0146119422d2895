"""The one tool resolver: search order, distro layouts, versions of what runs, pins, rustup."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from aces.errors import ToolError
from aces.tools.process import ProcessRunner
from aces.tools.resolve import ToolResolver, distro_dirs, tool_dirs
from aces.tools.rustup import explain_rustup_failure

RUSTUP_MISSING = (
    "error: toolchain '1.77.0-x86_64-unknown-linux-gnu' is not installed\n"
    "help: run `rustup toolchain install` to install it\n"
)


def fake(directory: Path, name: str, body: str) -> Path:
    """An executable shell script ``name`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def resolver(dirs: tuple[Path, ...], pins: dict[str, str] | None = None) -> ToolResolver:
    runner = ProcessRunner(base_env={"PATH": "/usr/bin:/bin"}, grace_seconds=0.2)
    return ToolResolver(dirs, runner, pins or {}, timeout=5.0)


def test_the_repository_tools_come_first_then_path_interpreter_and_distro(tmp_path: Path) -> None:
    root, own = tmp_path / "repo", tmp_path / "aces"
    (root / ".tools/node_modules/@bufbuild/buf-linux-x64/bin").mkdir(parents=True)
    dirs = tool_dirs(
        root,
        os.pathsep.join(["/usr/bin", "", "/bin"]),
        own=own,
        interpreter_bin=tmp_path / "venv/bin",
        distro=(),
    )
    assert dirs == (
        root / ".tools/bin",
        root / ".tools/node_modules/@bufbuild/buf-linux-x64/bin",
        root / ".tools/node_modules/.bin",
        own / ".tools/bin",
        own / ".tools/node_modules/.bin",
        Path("/usr/bin"),
        Path("/bin"),
        tmp_path / "venv/bin",
    )


def test_distro_layouts_are_searched_newest_major_first(tmp_path: Path) -> None:
    for major in ("9", "15", "16"):
        (tmp_path / "pg" / major / "bin").mkdir(parents=True)
    found = distro_dirs((f"{tmp_path}/pg/*/bin",))
    assert [p.parent.name for p in found] == ["16", "15", "9"]


def test_debian_postgres_off_path_is_found_and_checked(tmp_path: Path) -> None:
    layout = tmp_path / "usr/lib/postgresql/15/bin"
    server = fake(layout, "postgres", 'echo "postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"')
    fake(layout, "initdb", 'echo "initdb (PostgreSQL) 15.18"')
    dirs = tool_dirs(
        tmp_path / "repo",
        "",
        own=tmp_path / "aces",
        interpreter_bin=tmp_path / "venv",
        distro=(f"{tmp_path}/usr/lib/postgresql/*/bin",),
    )
    resolved = resolver(dirs, {"postgres": "15"}).require("postgres", tmp_path)
    assert (resolved.path, resolved.version) == (server, "15.18")


def test_a_wrong_version_names_tool_found_version_pin_and_place(tmp_path: Path) -> None:
    nats = fake(tmp_path / "bin", "nats-server", 'echo "nats-server: v2.9.10"')
    with pytest.raises(ToolError) as caught:
        resolver((tmp_path / "bin",), {"nats-server": "2.10"}).require("nats-server", tmp_path)
    assert caught.value.message == (
        f"nats-server 2.9.10 found at {nats}, but [toolchain] pins nats-server = '2.10'"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("exit 139", "exited with code 139: buf at"),
        ("kill -SEGV $$", "was killed by SIGSEGV: buf at"),
        ("echo 'hello there'", "cannot read the version of buf from its output: 'hello there'"),
        ("/bin/sleep 30", "timed out after"),
    ],
)
def test_a_tool_that_cannot_answer_is_an_error(tmp_path: Path, body: str, expected: str) -> None:
    fake(tmp_path / "bin", "buf", body)
    tools = resolver((tmp_path / "bin",))
    with pytest.raises(ToolError) as caught:
        ToolResolver(tools.dirs, tools.runner, timeout=1.0).require("buf", tmp_path)
    assert expected in caught.value.diagnostics()


def test_clippy_and_rustfmt_versions_are_asked_of_cargo_which_runs_them(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    fake(bin_dir, "cargo-clippy", 'echo "clippy 0.1.80 (stale copy)"')
    fake(bin_dir, "rustfmt", 'echo "rustfmt 1.7.0-stable (stale copy)"')
    fake(
        bin_dir,
        "cargo",
        'case "$1" in clippy) echo "clippy 0.1.95 (x)";; fmt) echo "rustfmt 1.9.0-stable (x)";;'
        ' *) echo "cargo 1.95.0 (x)";; esac',
    )
    tools = resolver((bin_dir,), {"clippy": "0.1.95", "rustfmt": "1.9.0"})
    assert tools.require("clippy", tmp_path).version == "0.1.95"
    assert tools.require("rustfmt", tmp_path).version == "1.9.0"


def test_a_missing_pinned_rust_toolchain_is_named_as_the_cause(tmp_path: Path) -> None:
    (tmp_path / "rust-toolchain.toml").write_text('[toolchain]\nchannel = "1.77.0"\n')
    fake(tmp_path / "bin", "cargo", f"printf '%s' \"{RUSTUP_MISSING}\" >&2; exit 1")
    with pytest.raises(ToolError) as caught:
        resolver((tmp_path / "bin",)).require("cargo", tmp_path)
    first = caught.value.diagnostics().splitlines()[0]
    assert first.startswith(
        "rust toolchain 1.77.0 pinned by rust-toolchain.toml is not installed; rustup cannot "
        "download it offline — install it (rustup toolchain install 1.77.0) or change the pin"
    )


def test_rustup_is_never_allowed_to_download(tmp_path: Path) -> None:
    fake(
        tmp_path / "bin",
        "cargo",
        '[ "$RUSTUP_AUTO_INSTALL" = 0 ] || { echo "info: downloading" >&2; exit 1; }\n'
        'echo "cargo 1.95.0 (x)"',
    )
    assert resolver((tmp_path / "bin",)).require("cargo", tmp_path).version == "1.95.0"


def test_rustup_explanations_only_for_rust_tools_and_its_message(tmp_path: Path) -> None:
    assert explain_rustup_failure("buf", RUSTUP_MISSING, tmp_path) is None
    assert explain_rustup_failure("cargo", "error: could not compile", tmp_path) is None
    error = explain_rustup_failure("cargo", RUSTUP_MISSING, tmp_path / "nowhere")
    assert error is not None
    assert "rust toolchain 1.77.0 pinned by " in error.message


def test_the_interpreter_directory_holds_the_pinned_python_tools() -> None:
    dirs = tool_dirs(Path("/nonexistent"), "", distro=())
    assert dirs[-1] == Path(sys.executable).parent
