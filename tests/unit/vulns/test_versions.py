"""Version ordering: SemVer 2.0 precedence (semver.org section 11) and PEP 440."""

from __future__ import annotations

import pytest

from aces.engines.vulns.versions import VersionError, pep440_key, range_parser, semver_key

# The precedence chain of the SemVer 2.0.0 specification, lowest first.
SEMVER_CHAIN = (
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "1.10.0",
    "2.0.0",
)


def test_semver_precedence_follows_the_specification_chain() -> None:
    keys = [semver_key(v) for v in SEMVER_CHAIN]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    ("left", "right"),
    [("1.0.0+build.1", "1.0.0+build.2"), ("1.2", "1.2.0"), ("v1.2.3", "1.2.3")],
)
def test_semver_equal_versions(left: str, right: str) -> None:
    assert semver_key(left) == semver_key(right)


@pytest.mark.parametrize("text", ["", "1.0.0-", "01.0.0", "1.0.0.0", "abc", "1.0.0-a..b"])
def test_semver_rejects_what_is_not_semver(text: str) -> None:
    with pytest.raises(VersionError):
        semver_key(text)


def test_pep440_orders_pre_post_and_dev_releases() -> None:
    chain = ("1.0.dev0", "1.0a1", "1.0b2", "1.0rc1", "1.0", "1.0.post1", "1.0.1", "1!0.1")
    keys = [pep440_key(v) for v in chain]
    assert keys == sorted(keys)
    assert pep440_key("1.0") == pep440_key("1.0.0")


def test_pep440_rejects_garbage() -> None:
    with pytest.raises(VersionError):
        pep440_key("not-a-version!")


def test_range_types_choose_the_ordering() -> None:
    assert range_parser("SEMVER", "PyPI") is semver_key
    assert range_parser("ECOSYSTEM", "PyPI") is pep440_key
    assert range_parser("ECOSYSTEM", "crates.io") is semver_key
    assert range_parser("ECOSYSTEM", "npm") is semver_key
    assert range_parser("ECOSYSTEM", "Hex") is semver_key
    assert range_parser("GIT", "npm") is None
