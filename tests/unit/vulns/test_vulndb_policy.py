"""The ``[vulndb]`` policy section: defaults, values, and only-stricter."""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.errors import PolicyError
from aces.policy.loader import load_policy
from aces.policy.vulndb_section import VulnDbPolicy


def load(tmp_path: Path, body: str) -> VulnDbPolicy:
    (tmp_path / "aces.toml").write_text(f'policy_version = "1.0.0"\n{body}', encoding="utf-8")
    return load_policy(tmp_path).policy.vulndb


def test_defaults(tmp_path: Path) -> None:
    assert load(tmp_path, "") == VulnDbPolicy(".osv", 7, ("crates.io", "Hex", "npm", "PyPI"))


def test_values(tmp_path: Path) -> None:
    body = '[vulndb]\npath = "ci/osv/"\nmax_age_days = 2\necosystems = ["npm"]\n'
    assert load(tmp_path, body) == VulnDbPolicy("ci/osv", 2, ("npm",))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("max_age_days = 30", "30 is looser than the doctrine's 7 days"),
        ("max_age_days = 0", "expected a positive whole number of days, found 0"),
        ('path = "../elsewhere"', "expected a directory relative to the repository root"),
        ('ecosystems = ["Maven"]', "expected one of crates.io, Hex, npm, PyPI, found 'Maven'"),
        ("url = 1", "url"),
    ],
)
def test_bad_values_are_policy_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load(tmp_path, f"[vulndb]\n{body}\n")
    assert message in str(caught.value.diagnostics())
