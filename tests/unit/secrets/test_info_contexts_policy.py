"""``[secrets] info_contexts``: only tests and docs may turn fixtures into information."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from aces.errors import AcesError
from aces.policy.loader import load_policy
from aces.policy.ratchet import compare
from aces.policy.schema import Policy

EXAMPLE_POLICY = Path(__file__).resolve().parents[3] / "examples" / "arqonbus-mini" / "aces.toml"


def loaded(tmp_path: Path, section: str) -> Policy:
    shutil.copy(EXAMPLE_POLICY, tmp_path / "aces.toml")
    with (tmp_path / "aces.toml").open("a", encoding="utf-8") as handle:
        handle.write(f"\n[secrets]\n{section}\n")
    return load_policy(tmp_path).policy


def test_the_default_makes_tests_and_docs_information_contexts() -> None:
    assert Policy().secrets.info_contexts == ("test", "docs")


@pytest.mark.parametrize(
    ("section", "contexts"),
    [
        ('info_contexts = ["docs", "test"]', ("test", "docs")),
        ('info_contexts = ["test"]', ("test",)),
        ("info_contexts = []", ()),
    ],
)
def test_a_subset_of_test_and_docs_is_accepted(
    tmp_path: Path, section: str, contexts: tuple[str, ...]
) -> None:
    assert loaded(tmp_path, section).secrets.info_contexts == contexts


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('info_contexts = ["source"]', "'source' cannot be information"),
        ('info_contexts = ["test", "deploy"]', "'deploy' cannot be information"),
        ('info_contexts = "test"', "expected an array of strings"),
        ('info_contexts = ["test", "test"]', "'test' is listed twice"),
    ],
)
def test_a_looser_or_malformed_value_is_rejected_naming_the_key(
    tmp_path: Path, section: str, message: str
) -> None:
    with pytest.raises(AcesError) as caught:
        loaded(tmp_path, section)
    text = caught.value.diagnostics()
    assert "secrets.info_contexts" in text
    assert message in text


def test_the_ratchet_reads_an_added_information_context_as_a_loosening() -> None:
    tests_only = replace(Policy(), secrets=replace(Policy().secrets, info_contexts=("test",)))
    none = replace(Policy(), secrets=replace(Policy().secrets, info_contexts=()))
    assert [i.render() for i in compare(tests_only, Policy())] == [
        "secrets.info_contexts: exempts more: adds 'docs' [sec.secrets]"
    ]
    assert compare(Policy(), tests_only) == []
    assert compare(Policy(), none) == []
