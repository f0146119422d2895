"""Lockfile parsers: every kind, with the line of each entry and what cannot be audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.engines.vulns.lockfiles import parse_lockfile, parser_for
from aces.engines.vulns.model import LockedPackage, LockfileError, LockIssue

FIXTURES = Path(__file__).parent / "fixtures" / "locks"


def parsed(name: str) -> tuple[list[tuple[str, str, str, int]], list[tuple[int, str]]]:
    """(ecosystem, name, version, line) of each package and (line, kind) of each issue."""
    lock = parse_lockfile(name, (FIXTURES / name).read_text(encoding="utf-8"))
    packages = [(p.ecosystem, p.name, p.version, p.line) for p in lock.packages]
    return packages, [(i.line, i.kind) for i in lock.issues]


def test_cargo_lock_audits_registry_crates_only() -> None:
    assert parsed("Cargo.lock") == (
        [("crates.io", "smallvec", "1.6.0", 13), ("crates.io", "time", "0.2.22", 19)],
        [],
    )


def test_mix_lock_uses_the_hex_package_name_and_skips_git_and_path() -> None:
    assert parsed("mix.lock") == (
        [("Hex", "castore", "1.0.5", 2), ("Hex", "plug", "1.14.0", 3)],
        [],
    )


def test_requirements_pins_hashes_continuations_and_unpinned_entries() -> None:
    assert parsed("requirements.txt") == (
        [
            ("PyPI", "requests", "2.30.0", 5),
            ("PyPI", "PyYAML", "5.3.1", 9),
            ("PyPI", "idna", "3.4", 13),
        ],
        [(10, "unpinned"), (11, "unpinned"), (12, "unpinned")],
    )


def test_requirements_unpinned_message_names_the_package() -> None:
    lock = parse_lockfile("requirements.txt", "urllib3>=1.26\n")
    assert lock.issues == (
        LockIssue(
            "requirements.txt",
            1,
            "unpinned",
            "urllib3: >=1.26, not one exact == pin, so it cannot be audited",
        ),
    )


def test_poetry_lock_skips_directory_sources() -> None:
    assert parsed("poetry.lock") == (
        [("PyPI", "Jinja2", "2.10", 3), ("PyPI", "markupsafe", "2.1.3", 16)],
        [],
    )


def test_uv_lock_skips_the_project_and_flags_versionless_entries() -> None:
    assert parsed("uv.lock") == ([("PyPI", "django", "4.2.0", 12)], [(18, "unpinned")])


def test_pylock_skips_directories_and_flags_versionless_vcs() -> None:
    assert parsed("pylock.toml") == ([("PyPI", "cryptography", "41.0.0", 5)], [(14, "unpinned")])


def test_package_lock_v3_names_nested_scoped_and_aliased_packages() -> None:
    assert parsed("package-lock.json") == (
        [
            ("npm", "lodash", "4.17.20", 14),
            ("npm", "@scope/pkg", "1.0.0-beta.2", 19),
            ("npm", "nested", "2.0.0", 22),
            ("npm", "real-name", "3.1.4", 25),
        ],
        [],
    )


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("Cargo.lock", "Cargo.lock"),
        ("sub/mix.lock", "mix.lock"),
        ("requirements-dev.txt", "requirements.txt"),
        ("reqs/requirements.in.txt", "requirements.txt"),
        ("pylock.toml", "pylock.toml"),
        ("pylock.dev.toml", "pylock.toml"),
        ("web/npm-shrinkwrap.json", "package-lock.json"),
    ],
)
def test_parser_for_recognises_lockfile_names(path: str, kind: str) -> None:
    assert parser_for(path) is parser_for(kind)
    assert parser_for(path) is not None


@pytest.mark.parametrize(
    "path", ["README.md", "node_modules/x/package-lock.json", "Cargo.toml", "pylock.txt"]
)
def test_parser_for_ignores_other_files(path: str) -> None:
    assert parser_for(path) is None


@pytest.mark.parametrize(
    "name", ["Cargo.lock", "mix.lock", "requirements.txt", "package-lock.json"]
)
def test_a_merge_conflict_marker_is_an_issue_at_its_line(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    text[3:3] = ["<<<<<<< HEAD", "x", "=======", "y", ">>>>>>> feature"]
    lock = parse_lockfile(name, "\n".join(text))
    assert lock.packages == ()
    assert [(i.line, i.kind) for i in lock.issues] == [(4, "conflict-marker")]
    assert "unresolved merge" in lock.issues[0].message


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("Cargo.lock", "[[package]\nname = 1", "Cargo.lock: not valid TOML"),
        ("Cargo.lock", '[[package]]\nname = "x"\n', "line 1: a [[package]] without name"),
        ("package-lock.json", '{"lockfileVersion": 3,\n "packages": {', "line 2: not valid JSON"),
        ("package-lock.json", '{"lockfileVersion": 1, "dependencies": {}}', "lockfileVersion 1"),
        ("mix.lock", '%{\n  "a": {:hex, :a, "1.0.0"\n', "line 2: expected ','"),
        ("mix.lock", '%{\n  "a": {:hex, :a, "1.0.0"} ?', "line 2: unexpected '?'"),
        ("mix.lock", '%{"a": "b"}', "line 1: entry 'a' is not a lock tuple"),
        ("requirements.txt", "ok==1.0\nnot a requirement!\n", "line 2: not a requirement"),
        ("pylock.toml", '[[packages]]\nname = "x"\n', "missing 'lock-version'"),
    ],
)
def test_bad_lockfiles_are_errors_naming_file_and_line(name: str, text: str, message: str) -> None:
    with pytest.raises(LockfileError) as caught:
        parse_lockfile(name, text)
    assert message in caught.value.diagnostics()
    assert caught.value.diagnostics().startswith(f"{name}: ")


def test_mix_lock_reads_elixir_literals() -> None:
    text = (
        '%{"a" => {:hex, :"odd name", "2.0.0-rc.1", "h", [:mix, :rebar3], '
        '[{:b, "~> 1.0", [hex: :b, optional: true, n: 1_000, f: 1.5e3, x: nil]}], '
        '"hexpm", "h"}}'
    )
    assert parse_lockfile("mix.lock", text).packages == (
        LockedPackage("Hex", "odd name", "2.0.0-rc.1", "mix.lock", 1),
    )
