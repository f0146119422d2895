"""Stage 3 native checks on the reference example and on mutated copies of it.

The example is green. Each mutation makes one clause fail with the exact rule id,
clause id, file and line; code in ``#[cfg(test)]`` modules, in files declared by
``#[cfg(test)] mod x;`` and in ``tests/`` is test code and is not flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from tests.integration.example_repo import copy_example

from aces.doctrine.catalog import load_doctrine
from aces.errors import AcesError
from aces.model import Status
from aces.pipeline.context import RunContext
from aces.policy.loader import load_policy
from aces.stages.static_patterns import NO_LAYERS, PATTERN_CHECKS
from aces.workspace.change import compute_change
from aces.workspace.index import Workspace
from aces.workspace.types import PullRequest

HEADER = "crates/arqonbus-frame/src/header.rs"
SUBJECT = "crates/arqonbus-frame/src/subject.rs"
LIB = "crates/arqonbus-frame/src/lib.rs"
ENVELOPE = "src/arqonbus_mini/envelope.py"
TENANCY = "src/arqonbus_mini/tenancy.py"
FP = "lint.forbidden-patterns"
CX = "lint.complexity"
LAYERS = "arch.layers"

Found = tuple[str, tuple[str, ...], str, int | None]


@dataclass(frozen=True)
class Outcome:
    """What one check said: status, reason, and (rule, clauses, path, line) per finding."""

    status: Status
    reason: str
    findings: tuple[Found, ...]


def run(root: Path) -> dict[str, Outcome]:
    """Run the stage 3 native checks; check id -> outcome."""
    ws = Workspace.open(root)
    loaded = load_policy(root)
    change = compute_change(ws, loaded.policy, base=None, pr=PullRequest())
    ctx = RunContext(ws, change, loaded, load_doctrine())
    out: dict[str, Outcome] = {}
    for check in PATTERN_CHECKS:
        skip = check.applies(ctx)
        if skip is not None:
            out[check.id] = Outcome(Status.NOT_APPLICABLE, skip.reason, ())
            continue
        try:
            found = tuple(
                sorted(
                    (
                        f.rule_id,
                        f.clauses,
                        f.location.path if f.location else "",
                        f.location.line if f.location else None,
                    )
                    for f in check.run(ctx)
                )
            )
        except AcesError as exc:
            out[check.id] = Outcome(Status.ERROR, exc.diagnostics(), ())
            continue
        out[check.id] = Outcome(Status.FAIL if found else Status.PASS, "", found)
    return out


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if needle in line)


def before_tests(root: Path, rel: str, code: str) -> None:
    """Insert library code right above the file's ``#[cfg(test)]`` module."""
    edit(root, rel, "#[cfg(test)]\nmod tests {", code + "\n#[cfg(test)]\nmod tests {")


def only(outcomes: dict[str, Outcome], check_id: str) -> tuple[Found, ...]:
    """The findings of one check, asserting the other checks stayed green."""
    for other, outcome in outcomes.items():
        if other != check_id:
            assert outcome.status is Status.PASS, (other, outcome)
    assert outcomes[check_id].status is Status.FAIL
    return outcomes[check_id].findings


# -- green ---------------------------------------------------------------------------------


def test_example_is_green(tmp_path: Path) -> None:
    outcomes = run(copy_example(tmp_path))
    assert {cid: o.status for cid, o in outcomes.items()} == {
        FP: Status.PASS,
        CX: Status.PASS,
        LAYERS: Status.PASS,
    }


def test_without_layers_the_layer_check_is_not_applicable(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    policy = (root / "aces.toml").read_text(encoding="utf-8")
    (root / "aces.toml").write_text(policy.split("# Stage 3: architecture")[0], encoding="utf-8")
    outcome = run(root)[LAYERS]
    assert (outcome.status, outcome.reason) == (Status.NOT_APPLICABLE, NO_LAYERS)


# -- lint.forbidden-patterns -----------------------------------------------------------------


def test_unwrap_in_library_code_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    code = "/// The first part.\n#[must_use]\npub fn first(parts: &[String]) -> &str {\n"
    before_tests(root, SUBJECT, code + "    parts.first().unwrap()\n}\n")
    assert only(run(root), FP) == (
        (f"{FP}.rust.unwrap", (FP,), SUBJECT, line_of(root, SUBJECT, ".unwrap()")),
    )


def test_unwrap_in_a_cfg_test_module_passes(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(
        root,
        SUBJECT,
        "    #[test]\n    fn refuses_empty_parts() {",
        "    #[test]\n    fn refuses_empty_parts() {\n"
        '        subject_for("a", "b", "c").unwrap();\n'
        '        subject_for("a", "b", "c").expect("valid");',
    )
    assert {o.status for o in run(root).values()} == {Status.PASS}


def test_a_file_declared_by_cfg_test_mod_is_test_code(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, LIB, "\n#[cfg(test)]\nmod fixtures;\n")
    fixtures = "crates/arqonbus-frame/src/fixtures.rs"
    (root / fixtures).write_text(
        "//! Shared test fixtures.\n\n"
        "pub fn sample() -> crate::Header {\n"
        '    crate::decode_header(&[65, 66, 1, 0, 0, 0, 0, 42]).expect("valid")\n'
        "}\n\n"
        "pub fn subject() -> String {\n"
        '    crate::subject_for("acme", "lobby", "chat").unwrap()\n'
        "}\n",
        encoding="utf-8",
    )
    assert {o.status for o in run(root).values()} == {Status.PASS}
    # The same file declared without #[cfg(test)] is library code.
    edit(root, LIB, "#[cfg(test)]\nmod fixtures;", "mod fixtures;")
    rules = {(rule, path, line) for rule, _, path, line in run(root)[FP].findings}
    assert (f"{FP}.rust.expect", fixtures, 4) in rules
    assert (f"{FP}.rust.unwrap", fixtures, 8) in rules
    assert (f"{FP}.rust.magic-number", fixtures, 4) in rules


def test_magic_number_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, HEADER, "if payload_len > MAX_PAYLOAD {", "if payload_len > 1_048_576 {")
    assert only(run(root), FP) == (
        (f"{FP}.rust.magic-number", (FP,), HEADER, line_of(root, HEADER, "1_048_576")),
    )


def test_long_function_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    body = "".join(f"    let _v{i} = input;\n" for i in range(62))
    before_tests(root, SUBJECT, f"/// Long.\npub fn long(input: u8) {{\n{body}}}\n")
    assert only(run(root), FP) == (
        (f"{FP}.rust.long-function", (FP,), SUBJECT, line_of(root, SUBJECT, "pub fn long")),
    )


def test_todo_without_ticket_fails_and_with_a_ticket_passes(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, SUBJECT, "/// The subject", "// TODO: cache subjects\n/// The subject")
    edit(root, ENVELOPE, "def encode(", "# FIXME(ARQ-12): stream large payloads\ndef encode(")
    assert only(run(root), FP) == (
        (f"{FP}.rust.todo-comment", (FP,), SUBJECT, line_of(root, SUBJECT, "TODO")),
    )


def test_unsafe_without_safety_comment_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    code = (
        "/// Reads a byte.\n#[must_use]\npub fn peek(p: &u8) -> u8 {\n"
        "    let raw: *const u8 = p;\n    unsafe { *raw }\n}\n"
    )
    before_tests(root, HEADER, code)
    assert only(run(root), FP) == (
        (f"{FP}.rust.unsafe-without-safety", (FP,), HEADER, line_of(root, HEADER, "unsafe {")),
    )
    edit(
        root,
        HEADER,
        "    unsafe { *raw }",
        "    // SAFETY: raw comes from a live &u8\n    unsafe { *raw }",
    )
    assert run(root)[FP].status is Status.PASS


def test_python_patterns_fail_in_library_code_only(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(
        root,
        ENVELOPE,
        '    parts = version.split(".")',
        '    assert version\n    parts = version.split(".")',
    )
    append(root, "tests/test_envelope.py", "\n\ndef test_extra() -> None:\n    assert 42 > 7\n")
    assert only(run(root), FP) == (
        (f"{FP}.python.assert", (FP,), ENVELOPE, line_of(root, ENVELOPE, "assert version")),
    )


# -- lint.complexity ----------------------------------------------------------------------


def test_over_complex_function_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    # 1 + five ifs + for + if + and + if + or + while + if = 13; for > if > if > while > if = 5.
    code = (
        "\n\ndef classify(kind: str) -> str:\n"
        '    """Too many branches."""\n'
        + "".join(f"    if kind == {k!r}:\n        return kind\n" for k in "abcde")
        + "    for char in kind:\n"
        "        if char and kind:\n"
        "            if char or kind:\n"
        "                while char:\n"
        "                    if kind:\n"
        "                        return char\n"
        '    return ""\n'
    )
    append(root, ENVELOPE, code)
    line = line_of(root, ENVELOPE, "def classify")
    assert only(run(root), CX) == (
        (f"{CX}.cyclomatic", (CX,), ENVELOPE, line),
        (f"{CX}.nesting", (CX,), ENVELOPE, line),
    )


# -- arch.layers ------------------------------------------------------------------------


def test_layer_dependency_violation_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(
        root,
        ENVELOPE,
        "from typing import Any\n",
        "from typing import Any\n\nfrom arqonbus_mini.session import Session\n",
    )
    assert only(run(root), LAYERS) == (
        (
            "arch.layers.dependency",
            (LAYERS,),
            ENVELOPE,
            line_of(root, ENVELOPE, "arqonbus_mini.session"),
        ),
    )


def test_forbidden_import_in_a_layer_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, TENANCY, "from dataclasses import", "import urllib.request\nfrom dataclasses import")
    edit(root, SUBJECT, "/// Why a subject", "use reqwest::blocking::Client;\n\n/// Why a subject")
    assert only(run(root), LAYERS) == (
        ("arch.layers.forbidden-import", (LAYERS,), SUBJECT, line_of(root, SUBJECT, "reqwest")),
        ("arch.layers.forbidden-import", (LAYERS,), TENANCY, line_of(root, TENANCY, "urllib")),
    )


# -- bad input ----------------------------------------------------------------------------


def test_a_file_that_does_not_parse_is_an_error_naming_it(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    edit(root, SUBJECT, "    Ok(format!", "    let = ;\n    Ok(format!")
    outcome = run(root)[FP]
    line = line_of(root, SUBJECT, "let = ;")
    assert outcome.status is Status.ERROR
    assert outcome.reason.startswith(f"{SUBJECT}: line {line}: does not parse as Rust")


def test_a_non_utf8_source_is_an_error_naming_it(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    (root / "src/arqonbus_mini/latin1.py").write_bytes(b"NAME = '\xe9t\xe9'\n")
    outcome = run(root)[CX]
    assert outcome.status is Status.ERROR
    assert outcome.reason.startswith("src/arqonbus_mini/latin1.py: not valid UTF-8")


def test_a_stricter_policy_limit_is_applied(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, "aces.toml", "\n[patterns]\nmax_function_lines = 20\n")
    findings = only(run(root), FP)
    assert (
        f"{FP}.rust.long-function",
        (FP,),
        HEADER,
        line_of(root, HEADER, "pub fn decode_header"),
    ) in findings


@pytest.mark.parametrize("check_id", [FP, CX])
def test_a_repository_without_code_is_not_applicable(tmp_path: Path, check_id: str) -> None:
    (tmp_path / "README.md").write_text("# docs only\n", encoding="utf-8")
    outcome = run(tmp_path)[check_id]
    assert (outcome.status, outcome.reason) == (
        Status.NOT_APPLICABLE,
        "no Rust, Python or Elixir source file",
    )


# -- every spelling of unwrap / expect is the construct ---------------------------------------


def test_unwrap_through_a_local_macro_invoked_in_library_code_fails(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    macro = "macro_rules! must {\n    ($e:expr) => {\n        $e.unwrap()\n    };\n}\n"
    before_tests(
        root,
        SUBJECT,
        macro + "/// The first part.\n#[must_use]\n"
        "pub fn first(parts: &[String]) -> &str {\n    must!(parts.first())\n}\n",
    )
    assert only(run(root), FP) == (
        (f"{FP}.rust.unwrap", (FP,), SUBJECT, line_of(root, SUBJECT, "$e.unwrap()")),
    )


def test_a_local_macro_invoked_only_in_tests_passes(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    before_tests(
        root, SUBJECT, "macro_rules! must {\n    ($e:expr) => {\n        $e.unwrap()\n    };\n}\n"
    )
    edit(
        root,
        SUBJECT,
        "    #[test]\n    fn refuses_empty_parts() {",
        '    #[test]\n    fn refuses_empty_parts() {\n        must!(subject_for("a", "b", "c"));',
    )
    assert {o.status for o in run(root).values()} == {Status.PASS}


def test_fully_qualified_unwrap_and_expect_fail(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    before_tests(
        root,
        SUBJECT,
        "/// The first part.\n#[must_use]\npub fn first(parts: &[String]) -> &str {\n"
        "    Option::unwrap(parts.first())\n}\n"
        "/// The last part.\n#[must_use]\npub fn last(parts: &[String]) -> &str {\n"
        '    <Option<&String>>::expect(parts.last(), "one part")\n}\n',
    )
    assert set(only(run(root), FP)) == {
        (f"{FP}.rust.unwrap", (FP,), SUBJECT, line_of(root, SUBJECT, "Option::unwrap(")),
        (f"{FP}.rust.expect", (FP,), SUBJECT, line_of(root, SUBJECT, "::expect(parts")),
    }


def test_a_library_module_in_a_directory_named_tests_is_library_code(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    append(root, LIB, "\npub mod tests;\n")
    module = "crates/arqonbus-frame/src/tests/mod.rs"
    (root / module).parent.mkdir()
    (root / module).write_text(
        "//! Helpers shipped with the library.\n\n"
        "/// A subject for the lobby.\n#[must_use]\npub fn lobby() -> String {\n"
        '    crate::subject_for("acme", "lobby", "chat").unwrap()\n}\n',
        encoding="utf-8",
    )
    assert only(run(root), FP) == ((f"{FP}.rust.unwrap", (FP,), module, 6),)
    # Declared under #[cfg(test)] the same module is test code.
    edit(root, LIB, "\npub mod tests;", "\n#[cfg(test)]\nmod tests;")
    assert {o.status for o in run(root).values()} == {Status.PASS}
