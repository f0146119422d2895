"""OSV range semantics and the audit of locked packages against the fixture database."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.engines.vulns.database import load_database
from aces.engines.vulns.lockfiles import parse_lockfile
from aces.engines.vulns.matching import affects, audit
from aces.engines.vulns.osv import Affected, Range

FIXTURES = Path(__file__).parent / "fixtures"


def entry(ecosystem: str, *ranges: Range, versions: tuple[str, ...] = ()) -> Affected:
    return Affected(ecosystem, "pkg", ranges, versions)


def semver(*events: tuple[str, str]) -> Range:
    return Range("SEMVER", events)


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.9.9", False), ("1.0.0", True), ("1.4.9", True), ("1.5.0", False), ("2.0.0", False)],
)
def test_introduced_and_fixed(version: str, expected: bool) -> None:
    rng = semver(("introduced", "1.0.0"), ("fixed", "1.5.0"))
    assert affects(entry("npm", rng), version).affected is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.0.0", True), ("1.2.0", False), ("2.1.0", True), ("2.2.0", True), ("2.2.1", False)],
)
def test_multiple_intervals_in_one_range_in_any_order(version: str, expected: bool) -> None:
    rng = semver(
        ("introduced", "2.1.0"),
        ("last_affected", "2.2.0"),
        ("introduced", "0"),
        ("fixed", "1.2.0"),
    )
    assert affects(entry("crates.io", rng), version).affected is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.0.0-alpha", False), ("1.0.0-beta", True), ("1.0.0-beta.11", False), ("1.0.0", False)],
)
def test_pre_release_precedence(version: str, expected: bool) -> None:
    rng = semver(("introduced", "1.0.0-alpha.1"), ("fixed", "1.0.0-beta.11"))
    assert affects(entry("npm", rng), version).affected is expected


@pytest.mark.parametrize(("version", "expected"), [("1.0.0", True), ("3.0.0", False)])
def test_limit_bounds_the_range(version: str, expected: bool) -> None:
    rng = semver(("introduced", "0"), ("limit", "2.0.0"))
    assert affects(entry("Hex", rng), version).affected is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [("2.0rc1", True), ("2.0", True), ("2.0.post1", True), ("2.1.dev0", False), ("2.1", False)],
)
def test_pypi_ecosystem_ranges_use_pep_440(version: str, expected: bool) -> None:
    rng = Range("ECOSYSTEM", (("introduced", "2.0a1"), ("fixed", "2.1.dev0")))
    assert affects(entry("PyPI", rng), version).affected is expected


def test_second_range_can_match() -> None:
    ranges = (
        semver(("introduced", "2.0.0"), ("fixed", "2.1.0")),
        Range("ECOSYSTEM", (("introduced", "0"), ("fixed", "1.0.0"))),
    )
    assert affects(entry("crates.io", *ranges), "0.5.0").affected
    assert not affects(entry("crates.io", *ranges), "1.5.0").affected


def test_versions_list_matches_equal_versions() -> None:
    listed = entry("PyPI", versions=("1.0",))
    assert affects(listed, "1.0").affected
    assert affects(listed, "1.0.0").affected
    assert not affects(listed, "1.0.1").affected


def test_git_ranges_are_left_to_the_versions_list() -> None:
    git = Range("GIT", (("introduced", "abc"), ("fixed", "def")))
    assert not affects(entry("npm", git, versions=("1.0.0",)), "2.0.0").affected
    assert affects(entry("npm", git, versions=("1.0.0",)), "1.0.0").affected


def test_no_ranges_and_no_versions_affects_every_version() -> None:
    verdict = affects(entry("npm"), "9.9.9")
    assert verdict.affected
    assert "every version" in verdict.note


def test_a_version_that_cannot_be_ordered_counts_as_affected_with_a_note() -> None:
    verdict = affects(entry("npm", semver(("introduced", "0"), ("fixed", "1.0.0"))), "latest")
    assert verdict.affected
    assert verdict.note == "'latest' is not a SemVer version: counted as affected"


def test_audit_of_the_fixture_lockfiles() -> None:
    db = load_database(FIXTURES / "osv", "osv")
    packages = []
    for name in ("Cargo.lock", "mix.lock", "requirements.txt", "package-lock.json"):
        text = (FIXTURES / "locks" / name).read_text(encoding="utf-8")
        packages.extend(parse_lockfile(name, text).packages)
    found = [
        (m.package.path, m.package.line, m.package.name, m.id, m.aliases, m.score.value, m.fixed)
        for m in audit(packages, db)
    ]
    assert found == [
        ("Cargo.lock", 13, "smallvec", "RUSTSEC-2099-0003", (), None, ()),
        ("Cargo.lock", 19, "time", "RUSTSEC-2099-0071", (), 6.2, ("0.2.23", "0.1.0")),
        ("mix.lock", 3, "plug", "GHSA-plug-0000-0001", (), 0.0, ()),
        ("package-lock.json", 14, "lodash", "GHSA-lodash-0000-0001", (), 9.3, ("4.17.21",)),
        (
            "package-lock.json",
            19,
            "@scope/pkg",
            "GHSA-scope-0000-0001",
            (),
            None,
            ("1.0.0-beta.11",),
        ),
        (
            "requirements.txt",
            5,
            "requests",
            "GHSA-aaaa-bbbb-cccc",
            ("CVE-2099-0001", "PYSEC-2099-1"),
            6.1,
            ("2.31.0",),
        ),
        ("requirements.txt", 9, "PyYAML", "GHSA-yaml-0000-0001", (), 9.0, ("5.4",)),
    ]
