"""Linter adapters: pure parsers on recorded output, and fail-closed handling of bad output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from aces.errors import ToolError
from aces.tools import cargo_deny, cargo_fmt, clippy, credo, mix_format, ruff, sobelow
from aces.tools.lint_common import LintIssue, json_objects, relative_path, search_dirs
from aces.tools.process import CommandError, ProcessResult, ProcessRunner

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


def test_clippy_argv_denies_warnings_with_pedantic_and_nursery() -> None:
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
        "-D",
        "warnings",
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


def test_cargo_deny_argv_asks_for_json() -> None:
    assert cargo_deny.argv(Path("/bin/cargo-deny")) == (
        "/bin/cargo-deny",
        "--format",
        "json",
        "check",
    )


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


def test_ruff_argv_is_isolated_without_a_repository_config() -> None:
    assert "--isolated" in ruff.check_argv(Path("/bin/ruff"), isolated=True)
    assert "--isolated" not in ruff.format_argv(Path("/bin/ruff"), isolated=False)
    assert ruff.format_argv(Path("/bin/ruff"), isolated=False)[1:4] == (
        "format",
        "--check",
        "--no-cache",
    )


def test_ruff_config_detection(tmp_path: Path) -> None:
    assert not ruff.has_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert not ruff.has_config(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 90\n", encoding="utf-8")
    assert ruff.has_config(tmp_path)


def test_ruff_is_found_beside_the_interpreter_after_path(tmp_path: Path) -> None:
    on_path = tmp_path / "path" / "ruff"
    on_path.parent.mkdir()
    on_path.write_text("#!/bin/sh\n", encoding="utf-8")
    on_path.chmod(0o755)
    runner = ProcessRunner(base_env={"PATH": str(on_path.parent)})
    dirs = search_dirs(tmp_path, runner, ruff.interpreter_dirs())
    assert dirs[-1] == Path(sys.executable).parent
    assert ruff.find(dirs) == on_path
    assert ruff.find(search_dirs(tmp_path, ProcessRunner(base_env={"PATH": ""}), dirs[-1:])) == (
        Path(sys.executable).parent / "ruff"
    )


# -- shared ------------------------------------------------------------------------------------


def test_json_objects_skips_noise_and_finds_prefixed_records() -> None:
    text = 'noise\nfn main() {\nprefix {"a": 1}\n{"b": 2}\n'
    assert list(json_objects(text, "out")) == [(3, {"a": 1}), (4, {"b": 2})]


def test_relative_path() -> None:
    assert relative_path("src/x.rs", ROOT / "crates", ROOT) == "crates/src/x.rs"
    assert relative_path("/work/repo/a.py", ROOT / "sub", ROOT) == "a.py"
    assert relative_path("../../etc/passwd", ROOT, ROOT) is None
