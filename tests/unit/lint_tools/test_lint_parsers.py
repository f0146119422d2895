"""Linter adapters: pure parsers on recorded output, and fail-closed handling of bad output."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import pytest

from aces.errors import InputError, ToolError
from aces.tools import cargo_deny, cargo_fmt, clippy, credo, mix_format, ruff, sobelow
from aces.tools.lint_common import LintIssue, json_objects, relative_path
from aces.tools.process import CommandError, ProcessResult, ProcessRunner
from aces.tools.ruff_config import RuffSetup

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path("/work/repo")


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def brief(issues: tuple[LintIssue, ...]) -> list[tuple[str, str | None, int | None, int | None]]:
    return [(i.code, i.path, i.line, i.column) for i in issues]


# -- cargo fmt ---------------------------------------------------------------------------------


def test_cargo_fmt_points_at_the_first_changed_line_of_each_hunk() -> None:
    issues = cargo_fmt.parse(fixture("cargo_fmt_check.txt"), ROOT, ROOT)
    # the hunk starts at line 7 with three context lines; line 10 is the unformatted one
    assert brief(issues) == [("rustfmt", "src/lib.rs", 10, None)]
    assert issues[0].message == "not formatted as rustfmt formats it"


def test_cargo_fmt_reads_the_older_header_and_relative_paths() -> None:
    text = "Diff in crates/a/src/x.rs at line 3:\n+use std::fmt;\n"
    assert brief(cargo_fmt.parse(text, ROOT, ROOT)) == [("rustfmt", "crates/a/src/x.rs", 3, None)]


def test_cargo_fmt_outside_the_repository_is_an_error() -> None:
    with pytest.raises(ToolError, match="outside the repository"):
        cargo_fmt.parse("Diff in /elsewhere/lib.rs:1:\n-x\n", ROOT, ROOT)


def test_cargo_fmt_argv_never_colours() -> None:
    assert cargo_fmt.argv(Path("/bin/cargo")) == (
        "/bin/cargo",
        "fmt",
        "--all",
        "--check",
        "--",
        "--color",
        "never",
    )


# -- clippy ------------------------------------------------------------------------------------

CLIPPY_EXPECTED = [
    ("clippy::missing_const_for_fn", "src/lib.rs", 1, 1),
    ("clippy::must_use_candidate", "src/lib.rs", 1, 8),
    ("clippy::missing_panics_doc", "src/lib.rs", 5, 1),
    ("clippy::must_use_candidate", "src/lib.rs", 5, 8),
    ("unused_variables", "src/lib.rs", 6, 9),
    ("clippy::get_first", "src/lib.rs", 7, 6),
    ("clippy::missing_const_for_fn", "src/lib.rs", 10, 1),
    ("clippy::must_use_candidate", "src/lib.rs", 10, 10),
]


def test_clippy_lints_are_issues_once_per_location() -> None:
    output = clippy.parse(fixture("clippy_lints.jsonl"), ROOT, ROOT)
    assert brief(output.issues) == CLIPPY_EXPECTED
    assert output.finished and not output.success and not output.build_errors
    assert output.issues[5].message == "accessing first element with `v.get(0)`"


def test_clippy_one_line_spans_carry_their_end_column() -> None:
    issues = clippy.parse(fixture("clippy_lints.jsonl"), ROOT, ROOT).issues
    # unused_variables at 6:9 ends before column 15; a span over several lines keeps its start.
    assert (issues[4].end_line, issues[4].end_column) == (6, 15)
    assert (issues[0].end_line, issues[0].end_column) == (None, None)


def test_clippy_output_interleaved_with_noise_still_parses() -> None:
    output = clippy.parse(fixture("clippy_noise.jsonl"), ROOT, ROOT)
    assert brief(output.issues) == CLIPPY_EXPECTED
    assert output.finished


def test_clippy_damaged_record_is_an_error_naming_the_line() -> None:
    lines = fixture("clippy_lints.jsonl").splitlines()
    damaged = "\n".join([lines[0], lines[1][:80], *lines[2:]])
    with pytest.raises(ToolError, match=r"line 2 of clippy's output is not a complete JSON record"):
        clippy.parse(damaged, ROOT, ROOT)


def test_clippy_build_failure_is_an_error_with_the_compiler_message() -> None:
    output = clippy.parse(fixture("clippy_build_error.jsonl"), ROOT, ROOT)
    assert output.issues == ()
    assert output.build_errors == (
        "src/lib.rs:2: cannot find value `undefined_name` in this scope [E0425]",
    )
    result = ProcessResult(("cargo", "clippy"), 101, "", "error: could not compile", False, 1.0)
    with pytest.raises(CommandError, match=r"the code does not build: src/lib.rs:2: cannot find"):
        clippy.verdict(result, output)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "stopped before cargo's build-finished record"),
        ('{"reason":"build-finished","success":false}\n', "the build failed without a diagnostic"),
    ],
)
def test_clippy_runs_that_verify_nothing_are_errors(text: str, message: str) -> None:
    result = ProcessResult(("cargo", "clippy"), 101, text, "error: linker crashed", False, 1.0)
    with pytest.raises(CommandError, match=message):
        clippy.verdict(result, clippy.parse(text, ROOT, ROOT))


def test_clippy_that_cannot_get_a_dependency_offline_says_so() -> None:
    stderr = (
        "error: failed to get `widget` as a dependency of package `app v0.1.0`\n\nCaused by:\n"
        "  can't checkout from 'https://example.invalid/widget': you are in the offline mode\n"
    )
    result = ProcessResult(("cargo", "clippy"), 101, "", stderr, False, 1.0)
    with pytest.raises(CommandError, match="cargo could not get the dependencies offline"):
        clippy.verdict(result, clippy.parse("", ROOT, ROOT))


def test_clippy_argv_warns_pedantic_and_nursery_without_denying() -> None:
    argv = clippy.argv(Path("/bin/cargo"), locked=True)
    assert argv[1:6] == (
        "clippy",
        "--workspace",
        "--all-targets",
        "--message-format=json",
        "--offline",
    )
    assert "--locked" in argv
    assert argv[argv.index("--") + 1 :] == (
        "-W",
        "clippy::pedantic",
        "-W",
        "clippy::nursery",
    )
    assert "--locked" not in clippy.argv(Path("/bin/cargo"), locked=False)


def test_clippy_follows_macro_expansions_back_into_the_repository() -> None:
    spans = [
        {
            "file_name": "/rustc/abc/library/core/src/macros.rs",
            "is_primary": True,
            "line_start": 90,
            "column_start": 1,
            "expansion": {"span": {"file_name": "src/main.rs", "line_start": 4, "column_start": 5}},
        }
    ]
    assert clippy.primary_location(spans, ROOT, ROOT) == ("src/main.rs", 4, 5)


# -- cargo deny --------------------------------------------------------------------------------

LOCK = """version = 3

[[package]]
name = "openssl"
version = "0.10.29"

[[package]]
name = "smallvec"
version = "1.6.0"
"""


def test_cargo_deny_errors_and_warnings_are_issues_at_the_lock_entry() -> None:
    files = cargo_deny.CargoFiles("Cargo.toml", "Cargo.lock", LOCK)
    output = cargo_deny.parse(fixture("cargo_deny.jsonl"), files)
    assert output.summarised and output.errors == ()
    assert brief(output.issues) == [
        ("banned", "Cargo.lock", 4, None),
        ("vulnerability", "Cargo.lock", 8, None),
        ("unlicensed", "Cargo.toml", 1, None),
    ]
    assert output.issues[1].message == "smallvec 1.6.0: Buffer overflow in SmallVec::insert_many"


def test_cargo_deny_log_errors_are_reported() -> None:
    output = cargo_deny.parse(
        fixture("cargo_deny_no_db.jsonl"), cargo_deny.CargoFiles("Cargo.toml", None)
    )
    assert output.issues == () and not output.summarised
    assert output.errors[0].startswith("failed to load advisory database")


def test_cargo_deny_argv_checks_bans_licenses_and_sources_offline_in_json() -> None:
    config = Path("/repo/deny.toml")
    assert cargo_deny.argv(Path("/bin/cargo-deny"), config, locked=True) == (
        "/bin/cargo-deny",
        "--format",
        "json",
        "--color",
        "never",
        "--offline",
        "--locked",
        "check",
        "--config",
        "/repo/deny.toml",
        "bans",
        "licenses",
        "sources",
    )
    # without a deny.toml in the project, no configuration file above it may apply
    bare = cargo_deny.argv(Path("/bin/cargo-deny"))
    assert "--locked" not in bare
    assert bare[bare.index("--config") + 1] == os.devnull


# Recorded from cargo-deny 0.14.2 on a workspace of two crates, arqonbus-frame (MIT) and
# arqonbus-legacy (GPL-3.0-only, banned), whose deny.toml allows only Apache-2.0 (line 6).
MEMBER_LOCK = """version = 4

[[package]]
name = "arqonbus-frame"
version = "1.0.0"

[[package]]
name = "arqonbus-legacy"
version = "0.1.0"
"""
FRAME_MANIFEST = """[package]
name = "arqonbus-frame"
version = "1.0.0"
edition = "2021"
license = "MIT"

[dependencies]
"""


def test_cargo_deny_0_14_2_locates_own_licences_bans_and_unused_allowances() -> None:
    frame = cargo_deny.member("crates/arqonbus-frame/Cargo.toml", FRAME_MANIFEST)
    assert frame == cargo_deny.Member("arqonbus-frame", "crates/arqonbus-frame/Cargo.toml", 5)
    files = cargo_deny.CargoFiles(
        "Cargo.toml", "Cargo.lock", MEMBER_LOCK, config="deny.toml", members=(frame,)
    )
    output = cargo_deny.parse(fixture("cargo_deny_0_14_2.jsonl"), files)
    assert output.summarised and output.errors == ()
    assert brief(output.issues) == [
        # crates without a known manifest: their Cargo.lock entry
        ("banned", "Cargo.lock", 8, None),
        ("rejected", "Cargo.lock", 8, None),
        # a licence of the project's own crate: its Cargo.toml `license` line
        ("rejected", "crates/arqonbus-frame/Cargo.toml", 5, None),
        # about no crate: the allowance's line in deny.toml
        ("license-not-encountered", "deny.toml", 6, None),
    ]
    assert [i.message for i in output.issues] == [
        "arqonbus-legacy 0.1.0: crate 'arqonbus-legacy = 0.1.0' is explicitly banned",
        "arqonbus-legacy 0.1.0: failed to satisfy license requirements",
        "arqonbus-frame 1.0.0: failed to satisfy license requirements",
        "license was not encountered",
    ]


def test_cargo_deny_issue_without_a_crate_or_config_is_at_the_manifest() -> None:
    text = fixture("cargo_deny_0_14_2.jsonl")
    output = cargo_deny.parse(text, cargo_deny.CargoFiles("crates/x/Cargo.toml", None))
    assert ("license-not-encountered", "crates/x/Cargo.toml", 1, None) in brief(output.issues)
    assert {(i.path, i.line) for i in output.issues} == {("crates/x/Cargo.toml", 1)}


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[package]\nname = "a"\nlicense = "MIT"\n', 3),
        ('[package]\nname = "a"\nlicense-file = "LICENSE"\n', 1),
        ('[workspace]\n\n[package]\nname = "a"\n[badges]\nlicense = "x"\n', 3),
        ('[package] # the crate\nname = "a"\n  license  = "MIT"\n', 3),
    ],
)
def test_cargo_license_line_is_in_the_package_table(text: str, line: int) -> None:
    assert cargo_deny.license_line(text) == line


def test_cargo_deny_members_and_config_files() -> None:
    assert cargo_deny.member("Cargo.toml", '[workspace]\nmembers = ["a"]\n') is None
    with pytest.raises(InputError, match="not valid TOML"):
        cargo_deny.member("Cargo.toml", "[package\n")
    present = {"crates/x/.deny.toml", "crates/x/.cargo/deny.toml"}
    assert cargo_deny.config_file("crates/x/", present.__contains__) == "crates/x/.deny.toml"
    assert cargo_deny.config_file("", present.__contains__) is None


def _fake_deny(tmp_path: Path, stderr_file: str, code: int) -> Path:
    script = tmp_path / "cargo-deny"
    script.write_text(f"#!/bin/sh\ncat '{FIXTURES / stderr_file}' >&2\nexit {code}\n")
    script.chmod(0o755)
    return script


@pytest.mark.parametrize(
    ("stderr_file", "code", "why"),
    [
        ("cargo_deny_panic.txt", 101, "cargo deny check failed: exited with code 101"),
        ("cargo_deny_bad_config.jsonl", 1, "cargo deny check failed: exited with code 1"),
        ("cargo_deny_no_db.jsonl", 0, "failed to load advisory database"),
        ("cargo_deny_panic.txt", 0, "no summary and no diagnostic ACES can read"),
        ("cargo_deny_0_14_2.jsonl", 16, "exited with code 16"),
    ],
)
def test_cargo_deny_that_could_not_check_is_an_error(
    tmp_path: Path, stderr_file: str, code: int, why: str
) -> None:
    deny = _fake_deny(tmp_path, stderr_file, code)
    files = cargo_deny.CargoFiles("Cargo.toml", None)
    runner = ProcessRunner(base_env={"PATH": "/usr/bin:/bin"})
    with pytest.raises(CommandError) as caught:
        cargo_deny.run(runner, deny, tmp_path, files, timeout=30, env={}, root=tmp_path)
    assert why in caught.value.message


def test_cargo_deny_exit_bits_of_failed_checks_give_issues(tmp_path: Path) -> None:
    deny = _fake_deny(tmp_path, "cargo_deny_0_14_2.jsonl", 6)  # bans 2 + licenses 4
    files = cargo_deny.CargoFiles("Cargo.toml", "Cargo.lock", MEMBER_LOCK, config="deny.toml")
    runner = ProcessRunner(base_env={"PATH": "/usr/bin:/bin"})
    issues = cargo_deny.run(runner, deny, tmp_path, files, timeout=30, env={}, root=tmp_path)
    assert brief(issues) == [
        ("rejected", "Cargo.lock", 4, None),
        ("banned", "Cargo.lock", 8, None),
        ("rejected", "Cargo.lock", 8, None),
        ("license-not-encountered", "deny.toml", 6, None),
    ]


# -- mix format, credo, sobelow ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "mix_format_check.txt",
            [
                ("unformatted", "app/lib/arqonbus/router.ex", 1, None),
                ("unformatted", "app/test/router_test.exs", 1, None),
            ],
        ),
        ("mix_format_check_diff.txt", [("unformatted", "app/lib/arqonbus/router.ex", 1, None)]),
    ],
)
def test_mix_format_lists_unformatted_files(name: str, expected: list[object]) -> None:
    assert brief(mix_format.parse(fixture(name), ROOT / "app", ROOT)) == expected


def test_credo_issues_after_compile_lines() -> None:
    issues = credo.parse(fixture("credo_strict.json"), ROOT, ROOT)
    assert brief(issues) == [
        ("Readability.ModuleDoc", "lib/arqonbus/router.ex", 1, 11),
        ("Warning.IoInspect", "lib/arqonbus/router.ex", 9, 5),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('** (Mix) The task "credo" could not be found\n', "credo printed no JSON report"),
        ('{"issues": [', "credo's JSON report does not parse"),
        ('{"other": []}', "has no list of issues"),
    ],
)
def test_credo_bad_output_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        credo.parse(text, ROOT, ROOT)


def test_sobelow_every_confidence_counts() -> None:
    issues = sobelow.parse(fixture("sobelow.json"), ROOT, ROOT)
    assert brief(issues) == [
        ("Traversal.FileModule", "lib/arqonbus/files.ex", 7, None),
        ("SQL.Query", "lib/arqonbus/store.ex", 21, None),
    ]
    assert issues[1].message == "SQL.Query: SQL injection (high confidence)"


def test_sobelow_bad_output_is_an_error() -> None:
    with pytest.raises(ToolError, match="sobelow printed no JSON report"):
        sobelow.parse('** (Mix) The task "sobelow" could not be found\n', ROOT, ROOT)


# -- ruff --------------------------------------------------------------------------------------


def test_ruff_check_violations() -> None:
    issues = ruff.parse(fixture("ruff_check.json"), ROOT)
    assert brief(issues) == [("F401", "pkg/mod.py", 1, 8), ("F401", "pkg/mod.py", 2, 8)]
    assert issues[0].message == "`os` imported but unused"
    # ruff's end column is the one after the name, as SARIF's endColumn.
    assert [(i.end_line, i.end_column) for i in issues] == [(1, 10), (2, 11)]


def test_ruff_format_violations() -> None:
    issues = ruff.parse(fixture("ruff_format.json"), ROOT)
    assert brief(issues) == [("unformatted", "pkg/mod.py", 6, 13)]


@pytest.mark.parametrize(
    ("text", "message"),
    [("error: unexpected argument", "does not parse"), ('{"a": 1}', "not a list")],
)
def test_ruff_bad_output_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ToolError, match=message):
        ruff.parse(text, ROOT)


def test_ruff_argv_without_a_repository_config_is_isolated_with_the_target_version() -> None:
    setup = RuffSetup(None, "py310", ("a.py",))
    argv = ruff.check_argv(Path("/bin/ruff"), setup, ROOT)
    assert argv[-4:] == (
        "--isolated",
        "--config",
        "target-version = 'py310'",
        "--extend-select=E9,F63,F7,F82",
    )
    assert ruff.format_argv(Path("/bin/ruff"), RuffSetup(None, None, ()), ROOT)[1:] == (
        "format",
        "--check",
        "--no-cache",
        "--output-format=json",
        "--force-exclude",
        "--isolated",
    )


def test_ruff_argv_passes_the_repository_config_and_adds_the_required_rules() -> None:
    setup = RuffSetup("server/pyproject.toml", None, ("server/a.py",))
    argv = ruff.check_argv(Path("/bin/ruff"), setup, ROOT)
    assert "--isolated" not in argv
    assert argv[-3:] == (
        "--config",
        str(ROOT / "server/pyproject.toml"),
        "--extend-select=E9,F63,F7,F82",
    )
    pinned = ruff.format_argv(Path("/bin/ruff"), RuffSetup("ruff.toml", "py311", ()), ROOT)
    assert pinned[-4:] == ("--config", str(ROOT / "ruff.toml"), "--target-version", "py311")
    assert not any(a.startswith("--extend-select") for a in pinned)


# -- shared ------------------------------------------------------------------------------------


def test_json_objects_skips_noise_and_finds_prefixed_records() -> None:
    text = 'noise\nfn main() {\nprefix {"a": 1}\n{"b": 2}\n'
    assert list(json_objects(text, "out")) == [(3, {"a": 1}), (4, {"b": 2})]


def test_relative_path() -> None:
    assert relative_path("src/x.rs", ROOT / "crates", ROOT) == "crates/src/x.rs"
    assert relative_path("/work/repo/a.py", ROOT / "sub", ROOT) == "a.py"
    assert relative_path("../../etc/passwd", ROOT, ROOT) is None


RUSTFMT_INTERNAL = (
    "error[internal]: left behind trailing whitespace\n"
    "   --> /work/repo/svc/src/handlers.rs:41:41:30\n"
    "    |\n"
    "41 |     let row = query_as!(Row, \n"
    "    |                              ^\n"
    "    |\n"
)


class _Answers:
    """A process runner that answers every command with one result."""

    def __init__(self, result: ProcessResult) -> None:
        self.result = result

    def run(self, argv: object, **_: object) -> ProcessResult:
        return self.result


def test_cargo_fmt_internal_errors_are_issues_and_the_diffs_still_count() -> None:
    result = ProcessResult(
        ("cargo", "fmt"), 1, "Diff in /work/repo/svc/src/lib.rs:3:\n-a\n+b\n", RUSTFMT_INTERNAL,
        truncated=False, duration=0.1,
    )  # fmt: skip
    runner = cast(ProcessRunner, _Answers(result))
    issues = cargo_fmt.run(runner, Path("/bin/cargo"), ROOT, ROOT, timeout=5, env={})
    assert brief(issues) == [
        ("rustfmt", "svc/src/handlers.rs", 41, None),
        ("rustfmt", "svc/src/lib.rs", 3, None),
    ]
    assert issues[0].message == "rustfmt cannot format this line: left behind trailing whitespace"


def test_cargo_fmt_a_file_it_cannot_parse_is_still_an_error() -> None:
    result = ProcessResult(
        ("cargo", "fmt"), 1, "", "error: expected one of `;`, found `}`\n --> src/a.rs:2:1\n",
        truncated=False, duration=0.1,
    )  # fmt: skip
    runner = cast(ProcessRunner, _Answers(result))
    with pytest.raises(CommandError, match="rustfmt cannot format the code"):
        cargo_fmt.run(runner, Path("/bin/cargo"), ROOT, ROOT, timeout=5, env={})
