"""Tool adapters: version parsing on recorded output, pins, finding executables."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.errors import DoctrineError, ToolError
from aces.tools.adapter import (
    ExecutableTool,
    PythonModuleTool,
    ToolAdapter,
    VersionCheck,
    compare_to_pin,
    versions_match,
)
from aces.tools.catalog import TOOLS, get_tool, tools_by_name

# Output recorded from the real programs (first line(s) of `<tool> --version`).
RECORDED = [
    ("git", "git version 2.39.5\n", "2.39.5"),
    ("git", "git version 2.39.3 (Apple Git-145)\n", "2.39.3"),
    ("buf", "1.75.0\n", "1.75.0"),
    ("protoc", "libprotoc 35.1\n", "35.1"),
    ("spin", "Spin Version 6.5.2 -- 6 December 2019\n", "6.5.2"),
    ("cc", "cc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022\n", "12.2.0"),
    ("cc", "gcc (GCC) 13.2.1 20231011 (Red Hat 13.2.1-4)\n", "13.2.1"),
    ("cc", "Debian clang version 14.0.6\nTarget: x86_64-pc-linux-gnu\n", "14.0.6"),
    ("cargo", "cargo 1.95.0 (f2d3ce0bd 2026-03-21)\n", "1.95.0"),
    ("rustfmt", "rustfmt 1.9.0-stable (59807616e1 2026-04-14)\n", "1.9.0"),
    ("clippy", "clippy 0.1.95 (59807616e1 2026-04-14)\n", "0.1.95"),
    ("cargo-deny", "cargo-deny 0.16.1\n", "0.16.1"),
    (
        "mix",
        "Erlang/OTP 25 [erts-13.1.5] [source] [64-bit] [smp:2:2]\n\n"
        "Mix 1.14.0 (compiled with Erlang/OTP 25)\n",
        "1.14.0",
    ),
    ("ruff", "ruff 0.17.6\n", "0.17.6"),
    ("diffoscope", "diffoscope 254\n", "254"),
    ("faketime", "\nfaketime: Version 0.9.10\n", "0.9.10"),
    ("docker", "Docker version 28.2.2, build e6534b4\n", "28.2.2"),
    ("docker", "podman version 4.3.1\n", "4.3.1"),
    ("nats-server", "nats-server: v2.9.10\n", "2.9.10"),
    (
        "valkey",
        "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1\n",
        "7.0.15",
    ),
    ("valkey", "Valkey server v=8.0.1 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64\n", "8.0.1"),
    ("postgres", "pg_ctl (PostgreSQL) 15.5 (Debian 15.5-0+deb12u1)\n", "15.5"),
    ("wasmtime", "50.0.0\n", "50.0.0"),
    ("zizmor", "zizmor 1.32.0\n", "1.32.0"),
    (
        "actionlint",
        "v1.7.12\ninstalled by building from source\n"
        "built with go1.26.8 compiler for linux/amd64\n",
        "1.7.12",
    ),
]


@pytest.mark.parametrize(("name", "output", "version"), RECORDED)
def test_parse_version_on_recorded_output(name: str, output: str, version: str) -> None:
    assert get_tool(name).parse_version(output) == version


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_unreadable_version_output_is_a_tool_error(tool: ToolAdapter) -> None:
    with pytest.raises(ToolError, match=f"cannot read the version of {tool.name}"):
        tool.parse_version("Usage: something else entirely\n")


def test_every_catalog_entry_has_the_adapter_shape() -> None:
    assert all(isinstance(tool, ToolAdapter) for tool in TOOLS)
    for tool in TOOLS:
        assert tool.stages and all(1 <= s <= 12 for s in tool.stages)
        assert tool.install_hint


def test_catalog_names_the_tools_of_the_stages() -> None:
    assert sorted(tools_by_name()) == [
        "actionlint",
        "buf",
        "cargo",
        "cargo-deny",
        "cc",
        "clippy",
        "diffoscope",
        "docker",
        "faketime",
        "git",
        "mix",
        "nats-server",
        "postgres",
        "protoc",
        "ruff",
        "rustfmt",
        "spin",
        "valkey",
        "wasmtime",
        "zizmor",
    ]
    assert 1 in get_tool("git").stages


def test_duplicate_and_unknown_tools_are_registry_errors() -> None:
    git = get_tool("git")
    with pytest.raises(DoctrineError, match="listed twice"):
        tools_by_name((git, git))
    with pytest.raises(DoctrineError, match="unknown tool 'gti'"):
        get_tool("gti")


@pytest.mark.parametrize(
    ("found", "pinned", "expected"),
    [
        ("1.75.0", "1.75.0", VersionCheck.OK),
        ("2.9.10", "v2.9.10", VersionCheck.OK),
        ("15.5", "15", VersionCheck.OK),
        ("1.7.3", "1.7", VersionCheck.OK),
        ("1.75.0", "1.7", VersionCheck.MISMATCH),
        ("1.74.0", "1.75.0", VersionCheck.MISMATCH),
        ("1.75", "1.75.0", VersionCheck.MISMATCH),
        ("1.75.0", None, VersionCheck.NOT_PINNED),
        ("1.75.0", " ", VersionCheck.NOT_PINNED),
    ],
)
def test_compare_to_pin(found: str, pinned: str | None, expected: VersionCheck) -> None:
    assert compare_to_pin(found, pinned) is expected
    assert get_tool("buf").check_version(found, pinned) is expected


def test_versions_match_is_per_component() -> None:
    assert versions_match("10.1", "10")
    assert not versions_match("100.1", "10")


def fake_tool(directory: Path, name: str, output: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(f"#!/bin/sh\necho '{output}'\n")
    path.chmod(0o755)
    return path


def test_find_prefers_the_first_directory(tmp_path: Path) -> None:
    system = fake_tool(tmp_path / "sys", "buf")
    local = fake_tool(tmp_path / "repo/.tools/node_modules/.bin", "buf")
    dirs = (tmp_path / "repo/.tools/node_modules/.bin", tmp_path / "sys")
    assert get_tool("buf").find(dirs) == local
    assert get_tool("buf").find(dirs[1:]) == system


def test_find_ignores_non_executable_files(tmp_path: Path) -> None:
    (tmp_path / "ruff").write_text("not a program")
    assert get_tool("ruff").find([tmp_path]) is None


def test_find_tries_alternative_names_in_order(tmp_path: Path) -> None:
    redis = fake_tool(tmp_path / "a", "redis-server")
    valkey = fake_tool(tmp_path / "b", "valkey-server")
    assert get_tool("valkey").find([tmp_path / "a", tmp_path / "b"]) == valkey
    assert get_tool("valkey").find([tmp_path / "a"]) == redis


def test_find_requires_companions_in_the_same_directory(tmp_path: Path) -> None:
    server = fake_tool(tmp_path / "pg", "postgres")
    fake_tool(tmp_path / "pg", "pg_ctl")
    fake_tool(tmp_path / "other", "initdb")
    postgres = get_tool("postgres")
    assert postgres.find([tmp_path / "pg", tmp_path / "other"]) is None
    fake_tool(tmp_path / "pg", "initdb")
    assert postgres.find([tmp_path / "pg"]) == server


def test_version_argv() -> None:
    assert get_tool("spin").version_argv(Path("/x/spin")) == ("/x/spin", "-V")
    assert get_tool("git").version_argv(Path("/usr/bin/git")) == ("/usr/bin/git", "--version")


def test_python_module_tool_uses_the_interpreter(tmp_path: Path) -> None:
    present = PythonModuleTool(
        name="json-tool",
        stages=(3,),
        install_hint="-",
        module="json.decoder",
        version_args=("-c", "print('1.0')"),
        interpreter=Path("/opt/python"),
    )
    assert present.find([]) == Path("/opt/python")
    assert present.version_argv(Path("/opt/python")) == ("/opt/python", "-c", "print('1.0')")
    absent = PythonModuleTool(
        name="nope", stages=(3,), install_hint="-", module="aces_no_such_module", version_args=()
    )
    assert absent.find([tmp_path]) is None


def test_executable_tool_defaults_to_its_own_name(tmp_path: Path) -> None:
    tool = ExecutableTool(
        name="thing", stages=(1,), install_hint="-", version_pattern=r"(?P<version>\d+)"
    )
    path = fake_tool(tmp_path, "thing")
    assert tool.names == ("thing",)
    assert tool.find([tmp_path]) == path
