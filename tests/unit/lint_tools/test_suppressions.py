"""No manual exceptions: the lexer, the suppression kinds, and governed allowlist matching."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from aces.engines.suppressions import allowlist
from aces.engines.suppressions.lexer import split
from aces.engines.suppressions.scanner import Suppression, scan
from aces.policy.schema import AllowlistEntry

SHOULD_FLAG = [
    ("rust", "#![allow(clippy::pedantic)]\n", "rust-allow", 1, 1, ("clippy::pedantic",)),
    (
        "rust",
        "fn f() {}\n#[allow(dead_code, unused)]\n",
        "rust-allow",
        2,
        1,
        ("dead_code", "unused"),
    ),
    (
        "rust",
        '#[expect(clippy::unwrap_used, reason = "boot")]\n',
        "rust-allow",
        1,
        1,
        ("clippy::unwrap_used",),
    ),
    (
        "rust",
        "#[cfg_attr(test, allow(clippy::float_cmp))]\n",
        "rust-allow",
        1,
        1,
        ("clippy::float_cmp",),
    ),
    ("rust", "#[rustfmt::skip]\nfn f() {}\n", "rustfmt-skip", 1, 1, ()),
    ("rust", "let x = 1; // aces:ignore\n", "aces-ignore", 1, 15, ()),
    ("rust", "/* outer /* inner */ aces:ignore */\n", "aces-ignore", 1, 22, ()),
    ("python", "import os  # noqa\n", "noqa", 1, 14, ()),
    ("python", "import os  # noqa: F401, E501\n", "noqa", 1, 14, ("F401", "E501")),
    ("python", "# ruff: noqa\n", "noqa", 1, 3, ()),
    ("python", "x = f()  # type: ignore[arg-type]\n", "type-ignore", 1, 12, ("arg-type",)),
    ("python", "if x:  # pragma: no cover\n", "pragma-no-cover", 1, 10, ()),
    (
        "python",
        "x = 1  # pylint: disable=invalid-name\n",
        "pylint-disable",
        1,
        10,
        ("invalid-name",),
    ),
    ("python", "x = [1,2]  # fmt: skip\n", "fmt-skip", 1, 14, ()),
    (
        "python",
        "x = 1  # aces:ignore lint.forbidden-patterns\n",
        "aces-ignore",
        1,
        10,
        ("lint.forbidden-patterns",),
    ),
    ("elixir", "# credo:disable-for-this-file\n", "credo-disable", 1, 3, ()),
    (
        "elixir",
        "#credo:disable-for-next-line Credo.Check.Warning.IoInspect\n",
        "credo-disable",
        1,
        2,
        ("Credo.Check.Warning.IoInspect",),
    ),
    ("elixir", '  @sobelow_skip ["Traversal"]\n', "sobelow-skip", 1, 3, ("Traversal",)),
    ("elixir", "# coveralls-ignore-start\n", "coverage-ignore", 1, 3, ()),
    (
        "javascript",
        "x(); // eslint-disable-line no-console\n",
        "eslint-disable",
        1,
        9,
        ("no-console",),
    ),
    ("typescript", "/* eslint-disable */\n", "eslint-disable", 1, 4, ()),
    ("typescript", "// @ts-ignore\n", "ts-ignore", 1, 4, ()),
    ("go", "x := 1 // aces:ignore\n", "aces-ignore", 1, 11, ()),
]


@pytest.mark.parametrize(("language", "text", "kind", "line", "column", "targets"), SHOULD_FLAG)
def test_should_flag(
    language: str, text: str, kind: str, line: int, column: int, targets: tuple[str, ...]
) -> None:
    found = scan("f", text, language)
    assert [(s.kind, s.line, s.column, s.targets) for s in found] == [(kind, line, column, targets)]


SHOULD_NOT_FLAG = [
    ("rust", 'let s = "#[allow(dead_code)] // aces:ignore";\n'),
    ("rust", 'let s = r#"#[rustfmt::skip] "q" "#;\n'),
    ("rust", "fn f<'a>(x: &'a str) -> char { '#' }\n"),
    ("rust", 'let c = \'"\'; let d = "#[allow(x)]";\n'),
    ("rust", "/// a doc comment mentioning allow(clippy::x) in prose\n"),
    ("rust", "#[derive(Debug)]\n#[cfg(test)]\nstruct S;\n"),
    ("python", 'x = "# noqa"\n'),
    ("python", 'x = """\n# type: ignore\n"""\n'),
    ("python", "def noqa_helper(): pass  # a comment about nothing\n"),
    ("elixir", 'x = "# credo:disable-for-this-file"\n'),
    ("elixir", "x = ~s(# aces:ignore)\n"),
    ("elixir", 'x = """\n# credo:disable-for-next-line\n"""\n'),
    ("elixir", "c = ?#\n"),
    ("javascript", 'const a = "// eslint-disable";\n'),
    ("javascript", "const t = `/* eslint-disable */`;\n"),
]


@pytest.mark.parametrize(("language", "text"), SHOULD_NOT_FLAG)
def test_should_not_flag(language: str, text: str) -> None:
    assert scan("f", text, language) == ()


def test_unknown_languages_are_not_scanned() -> None:
    assert scan("f.yaml", "# noqa\n", "yaml") == ()


def test_lexer_blanks_strings_and_keeps_lines() -> None:
    parts = split('a = "x#y"  # c\nb = 1\n', "python")
    assert parts.code == "a =" + " " * 11 + "\nb = 1\n"
    assert [(c.line, c.column, c.text) for c in parts.comments] == [(1, 12, "# c")]


def entry(path: str, rule: str, expires: str = "2030-01-01") -> AllowlistEntry:
    return AllowlistEntry(path=path, rule=rule, reason="r", owner="o", expires=expires)


RUST_ALLOW = Suppression(
    "crates/a/src/lib.rs",
    3,
    1,
    "rust-allow",
    ("clippy::unwrap_used", "dead_code"),
    "#[allow(clippy::unwrap_used, dead_code)]",
    "a compiler lint",
)


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ([], False),
        ([entry("crates/**", "principle.no-manual-exceptions")], True),
        ([entry("crates/**", "principle.no-manual-exceptions.rust-allow")], True),
        ([entry("crates/**", "principle.no-manual-exceptions.noqa")], False),
        ([entry("other/**", "principle.no-manual-exceptions")], False),
        ([entry("crates/**", "clippy::unwrap_used")], False),  # dead_code is not named
        ([entry("crates/**", "clippy::unwrap_used"), entry("**/lib.rs", "dead_code")], True),
        (
            [
                entry("crates/**", "lint.rust.clippy.unwrap_used"),
                entry("crates/**", "lint.rust.clippy.dead_code"),
            ],
            True,
        ),
    ],
)
def test_allowlist_matching(entries: list[AllowlistEntry], expected: bool) -> None:
    assert allowlist.allowed(RUST_ALLOW, entries) is expected


def test_noqa_codes_match_ruff_rule_ids() -> None:
    noqa = Suppression("a.py", 1, 1, "noqa", ("N801",), "noqa: N801", "a linter rule")
    assert allowlist.allowed(noqa, [entry("a.py", "lint.python.ruff.N801")])
    bare = Suppression("a.py", 1, 1, "noqa", (), "noqa", "a linter rule")
    assert not allowlist.allowed(bare, [entry("a.py", "lint.python.ruff.N801")])


def test_expiry_is_past_the_date() -> None:
    entries = [entry("a", "x", "2026-01-01"), entry("b", "y", "2026-01-02")]
    day = dt.date(2026, 1, 2)
    assert allowlist.expired_entries(entries, day) == ((0, entries[0]),)
    assert allowlist.live_entries(entries, day) == ((1, entries[1]),)


def test_reference_date_is_the_head_commit_date(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        env = {"GIT_COMMITTER_DATE": "2024-02-03T10:00:00Z", "PATH": "/usr/bin:/bin"}
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
            cwd=tmp_path,
            check=True,
            capture_output=True,
            env=env,
        )

    today = dt.date(2030, 5, 6)
    git("init", "-q")
    empty = allowlist.reference_date(tmp_path, is_git=True, today=today)
    assert (empty.date, empty.from_commit) == (today, False)
    (tmp_path / "f").write_text("x\n", encoding="utf-8")
    git("add", "f")
    git("commit", "-q", "-m", "c")
    dated = allowlist.reference_date(tmp_path, is_git=True, today=today)
    assert (dated.date, dated.source, dated.from_commit) == (
        dt.date(2024, 2, 3),
        "the HEAD commit",
        True,
    )
    outside = allowlist.reference_date(tmp_path, is_git=False, today=today)
    assert outside.date == today and "today (UTC)" in outside.source
